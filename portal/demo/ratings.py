"""The sample data's ratings of civil servants (PermenPAN-RB 6/2022) for its closed years,
written through the real ratings.csv import, so that the demo's leaders have rule firings on
matrix predikat (rewards, coaching, penalties) and its approvers a screen with some staff
still to rate.

Deterministic like the rest of the demo: each person's ratings come from a generator seeded
with their NIP. Every row carries a reason, since at seeding time no annual score is
published yet to suggest a results rating from (the nightly job publishes them)."""

from __future__ import annotations

from collections.abc import Sequence

from agencies.audit import system_actor
from agencies.csvio import ImportResult
from performance import scoring
from performance.ratings import RATING_COLUMNS, import_ratings, year_is_closed

from .generate import Person, _rng, to_csv
from .tables import EMPLOYEE_CHUNK, SEED, YEARS

REASON = "Contoh data: penilaian pejabat penilai"
UNRATED_SHARE = 0.1  # left for the approvers' screen: "not rated yet"
# How often each level is given: most staff as expected, a few either way.
RESULTS_WEIGHTS = (20, 62, 18)
BEHAVIOUR_WEIGHTS = (25, 67, 8)


def rating_rows(people: Sequence[Person], year: int, *, seed: int = SEED) -> list[list[str]]:
    """ratings.csv rows of `year` for most of `people`."""
    rows = []
    for person in people:
        rng = _rng(seed, "rating", year, person.nip)
        if rng.random() < UNRATED_SHARE:
            continue
        results = rng.choices(scoring.RATINGS, weights=RESULTS_WEIGHTS)[0]
        behaviour = rng.choices(scoring.RATINGS, weights=BEHAVIOUR_WEIGHTS)[0]
        rows.append([person.agency_code, person.nip, str(year), results, behaviour, REASON])
    return rows


def seed_ratings(people: Sequence[Person], *, seed: int = SEED) -> ImportResult:
    """Import the ratings of the demo's closed years (an administrator's act, as the
    command's). Re-running with the same people changes nothing."""
    result = ImportResult()
    actor = system_actor("demo")
    for year in (y for y in YEARS if year_is_closed(y)):
        for start in range(0, len(people), EMPLOYEE_CHUNK):
            rows = rating_rows(people[start : start + EMPLOYEE_CHUNK], year, seed=seed)
            done = import_ratings(to_csv(RATING_COLUMNS, rows), user=actor, confirm_changes=True)
            result.rows += done.rows
            for bucket in ("created", "updated", "unchanged"):
                for kind, n in getattr(done, bucket).items():
                    result.add(bucket, kind, n)
    return result
