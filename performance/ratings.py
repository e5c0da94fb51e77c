"""Civil servants' ratings under PermenPAN-RB 6/2022 (DESIGN.md, "Predikat of a civil
servant"): who can be rated, the suggested results rating, and saving ratings from the
approvers' screen, its bulk form, a browser upload or `import_ratings` with the same rules.

- A civil servant is rated on their approved SKP of a closed year (its Q4 closed), by an
  approver of its agency (the command line: an administrator's act, recorded as such).
- The results rating is suggested by the annual contract score of the latest published run
  (>= `rating_above_from` above expectation, < `rating_below_under` below, else as expected:
  `scoring.suggested_results_rating`). Another choice needs a written reason; so does a
  rating given with no suggestion (no published annual score).
- When the person rated leads their unit (`Employee.leads_unit`), the unit's achievement is
  their results rating: the unit's published predikat of the year read as a rating
  (`scoring.unit_results_rating`), binding.
- The behaviour rating (the BerAKHLAK core values) is the approver's, with an optional note
  per value.
- A rating changed once given (every rating is given after the year closed, so every change
  is a late change) needs a reason and an explicit confirmation; the change, who made it and
  why stay in the rating's history, and the predikat follows at the next recompute.

Every save is all or nothing: every problem of every row is reported and nothing is written,
or every row is written in one transaction (with its history record).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agencies.audit import record
from agencies.csvio import ImportFailed, ImportResult, RowChecker, RowError, read_rows, width_error
from agencies.models import Agency

from . import scoring
from .contracts import scheme_of
from .models import Employee, PerformanceContract, Score, ScoreRun, StaffRating
from .validators import nip_problem

RATING_COLUMNS = ["agency_code", "nip", "year", "results_rating", "behaviour_rating", "reason"]
# The rows of the downloadable template of ratings.csv (portal/workspace/file_templates.py).
RATING_EXAMPLE = [
    ["DIKES", "198507122010012003", "2025", "above", "as_expected", ""],
    ["DIKES", "199001152015031002", "2025", "as_expected", "below",
     "Teguran tertulis atas pelanggaran disiplin"],
]  # fmt: skip
REASON_LIMIT = 4000
NOTE_LIMIT = 1000
VALUE_CODES = [code for code, _name in scoring.BERAKHLAK]


@dataclass(frozen=True)
class RatingInput:
    """One civil servant's ratings to save: their SKP `contract_id`, both ratings, the reason
    and the notes per core value (None: keep those saved). `ref` is the caller's key for the
    problems (a CSV line, a row of the screen)."""

    contract_id: int
    results: str
    behaviour: str
    reason: str = ""
    notes: Mapping[str, str] | None = None
    ref: object = None


@dataclass(frozen=True)
class Problem:
    """What is wrong with one input: `field` is results, behaviour, reason, notes, or "-" for
    the row as a whole."""

    ref: object
    field: str
    reason: str


class RatingsRefused(Exception):
    """Nothing was saved; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.ref} {p.field}: {p.reason}" for p in self.problems))


@dataclass(frozen=True)
class Suggestion:
    """The results rating suggested for a civil servant: from the annual score of their SKP
    in the latest published run, or, for the leader of a unit, the unit's predikat
    (`binding`). `rating` is None when there is nothing to suggest it from."""

    rating: str | None
    score: Decimal | None = None
    binding: bool = False
    unit_predikat: str | None = None


@dataclass
class Saved:
    created: list[StaffRating] = field(default_factory=list)
    changed: list[StaffRating] = field(default_factory=list)
    unchanged: int = 0


def rating_label(value: str | None) -> str:
    labels = {
        scoring.ABOVE: _("above expectation"),
        scoring.AS_EXPECTED: _("as expected"),
        scoring.BELOW: _("below expectation"),
    }
    return str(labels.get(value or "", "–"))


# --- who is rated, and what is suggested ---------------------------------------------------


def year_is_closed(year: int, today: datetime.date | None = None) -> bool:
    """Whether `year` is closed (its Q4 past the grace days of the year's scheme)."""
    today = today or timezone.localdate()
    return scoring.year_is_closed(year, today, scheme_of(year).entry_grace_days)


def closed_years(years: Iterable[int], today: datetime.date | None = None) -> list[int]:
    return sorted((y for y in set(years) if year_is_closed(y, today)), reverse=True)


def ratable(agencies, year: int):
    """The approved SKP contracts of `year` of `agencies` (a queryset or ids): the civil
    servants who can be rated, by name, with their rating (or None) joined."""
    return (
        PerformanceContract.objects.approved()
        .filter(year=year, agency__in=agencies, employee__isnull=False)
        .select_related("employee", "agency", "rating")
        .order_by("employee__name", "pk")
    )


def suggestions(
    contracts: Sequence[PerformanceContract],
    *,
    run: ScoreRun | None = None,
    scheme: scoring.Scheme | None = None,
) -> dict[int, Suggestion]:
    """{contract id: Suggestion} for SKP `contracts` (with their employee), from `run`
    (default: the latest published): two queries, whatever their number."""
    if not contracts:
        return {}
    run = run if run is not None else ScoreRun.objects.latest_published()
    years = {c.year for c in contracts}
    schemes = {y: scheme or scheme_of(y) for y in years}
    if run is None:
        annual, units = {}, {}
    else:
        annual = dict(
            Score.objects.filter(
                run=run,
                contract__in=[c.pk for c in contracts],
                period="Y",
                final=True,
            ).values_list("contract_id", "score")
        )
        leaders = [c for c in contracts if c.employee.leads_unit]
        units = {
            (agency_id, y): predikat
            for agency_id, y, predikat in Score.objects.filter(
                run=run,
                contract__isnull=True,
                period="Y",
                final=True,
                agency_id__in={c.agency_id for c in leaders},
                year__in=years,
            )
            .exclude(predikat="")
            .values_list("agency_id", "year", "predikat")
        }
    out = {}
    for c in contracts:
        score = annual.get(c.pk)
        if c.employee.leads_unit:
            unit = units.get((c.agency_id, c.year))
            out[c.pk] = Suggestion(
                scoring.unit_results_rating(unit), score, binding=True, unit_predikat=unit
            )
        else:
            out[c.pk] = Suggestion(scoring.suggested_results_rating(score, schemes[c.year]), score)
    return out


# --- checking and saving ----------------------------------------------------------------------


def _check_one(
    item: RatingInput,
    contract: PerformanceContract | None,
    existing: StaffRating | None,
    suggestion: Suggestion | None,
    *,
    closed: Mapping[int, bool],
    confirm_changes: bool,
    problems: list[Problem],
) -> None:
    def fail(field_name: str, reason: str) -> None:
        problems.append(Problem(item.ref, field_name, reason))

    if contract is None:
        fail("-", _("not an approved SKP of a civil servant you rate"))
        return
    if not closed[contract.year]:
        fail(
            "-",
            _("%(year)s is not closed yet: civil servants are rated once its fourth quarter is")
            % {"year": contract.year},
        )
        return
    for name, value in (("results", item.results), ("behaviour", item.behaviour)):
        if value not in scoring.RATINGS:
            fail(
                name,
                _("must be one of %(c)s, got %(v)s")
                % {"c": ", ".join(scoring.RATINGS), "v": repr(value)},
            )
    reason = (item.reason or "").strip()
    if len(reason) > REASON_LIMIT:
        fail("reason", _("at most %(n)d characters") % {"n": REASON_LIMIT})
    if item.notes is not None:
        unknown = sorted(set(item.notes) - set(VALUE_CODES))
        if unknown:
            fail("notes", _("unknown core value(s): %(v)s") % {"v": ", ".join(unknown)})
        if any(len(str(n)) > NOTE_LIMIT for n in item.notes.values()):
            fail("notes", _("a note has at most %(n)d characters") % {"n": NOTE_LIMIT})
    if item.results not in scoring.RATINGS:
        return
    unchanged = existing is not None and (existing.results, existing.behaviour) == (
        item.results,
        item.behaviour,
    )
    if unchanged:
        # Ratings already given, given again (a bulk page saved with its other rows): not a
        # new judgement, so a suggestion that moved since does not ask for a reason now.
        return
    suggestion = suggestion or Suggestion(None)
    if suggestion.binding:
        if suggestion.rating is None:
            fail(
                "results",
                _(
                    "leads the unit: their results rating is the unit's predikat, and the unit "
                    "has no final predikat for %(year)s in the published scores yet"
                )
                % {"year": contract.year},
            )
        elif item.results != suggestion.rating:
            fail(
                "results",
                _(
                    "leads the unit: their results rating is the unit's (%(unit)s: %(rating)s), "
                    "not %(got)s"
                )
                % {
                    "unit": suggestion.unit_predikat,
                    "rating": suggestion.rating,
                    "got": item.results,
                },
            )
    elif suggestion.rating is None and not reason:
        fail(
            "reason",
            _("there is no published annual score to suggest a results rating: give a reason"),
        )
    elif suggestion.rating is not None and item.results != suggestion.rating and not reason:
        fail(
            "reason",
            _("differs from the suggested %(s)s (annual score %(score)s): give a reason")
            % {"s": suggestion.rating, "score": suggestion.score},
        )
    if existing is not None:  # a change of ratings given (unchanged ones returned above)
        given = timezone.localtime(existing.changed_at).date().isoformat()
        if not reason:
            fail(
                "reason",
                _("changes the ratings given on %(d)s (%(r)s, %(b)s): give a reason")
                % {"d": given, "r": existing.results, "b": existing.behaviour},
            )
        if not confirm_changes:
            fail(
                "-",
                _(
                    "changes the ratings given on %(d)s (%(r)s, %(b)s) after the year closed: "
                    "confirm the change"
                )
                % {"d": given, "r": existing.results, "b": existing.behaviour},
            )


def check_ratings(
    items: Sequence[RatingInput],
    *,
    scope,
    today: datetime.date | None = None,
    confirm_changes: bool = False,
    run: ScoreRun | None = None,
) -> tuple[list[Problem], dict[int, PerformanceContract], dict[int, Suggestion]]:
    """Every problem of `items` (see the module's docstring), with the contracts and the
    suggestions they were checked against. `scope`: the agencies whose civil servants the
    user rates (None: any, the command line's administrator). A fixed number of queries."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    ids = {i.contract_id for i in items}
    contracts_qs = (
        PerformanceContract.objects.approved()
        .filter(pk__in=ids, employee__isnull=False)
        .select_related("employee", "agency")
    )
    if scope is not None:
        contracts_qs = contracts_qs.filter(agency__in=scope)
    contracts = {c.pk: c for c in contracts_qs}
    existing = {r.contract_id: r for r in StaffRating.objects.filter(contract_id__in=contracts)}
    suggested = suggestions(list(contracts.values()), run=run)
    closed = {y: year_is_closed(y, today) for y in {c.year for c in contracts.values()}}
    seen: dict[int, object] = {}
    for item in items:
        if item.contract_id in seen:
            problems.append(
                Problem(
                    item.ref,
                    "-",
                    _("this civil servant is already on %(r)s") % {"r": seen[item.contract_id]},
                )
            )
            continue
        seen[item.contract_id] = item.ref
        _check_one(
            item,
            contracts.get(item.contract_id),
            existing.get(item.contract_id),
            suggested.get(item.contract_id),
            closed=closed,
            confirm_changes=confirm_changes,
            problems=problems,
        )
    return problems, contracts, suggested


def save_ratings(
    items: Sequence[RatingInput],
    *,
    user,
    scope,
    today: datetime.date | None = None,
    confirm_changes: bool = False,
    now: datetime.datetime | None = None,
    source: str = "screen",
) -> Saved:
    """Check `items` and save them all, or raise RatingsRefused and save nothing. Each rating
    created or changed gets its history record by `user`: "Rated.", or for a changed rating
    "Changed after the year closed: <reason>". An AuditEvent sums the save up."""
    now = now or timezone.now()
    with transaction.atomic():
        # The ratings of these contracts, locked: of two approvers saving at once, the second
        # sees the first's ratings (and must confirm a change of them).
        list(
            StaffRating.objects.select_for_update()
            .filter(contract_id__in={i.contract_id for i in items})
            .values_list("pk", flat=True)
        )
        problems, contracts, suggested = check_ratings(
            items, scope=scope, today=today, confirm_changes=confirm_changes
        )
        if problems:
            raise RatingsRefused(problems)
        existing = {r.contract_id: r for r in StaffRating.objects.filter(contract_id__in=contracts)}
        saved = Saved()
        for item in items:
            contract = contracts[item.contract_id]
            suggestion = suggested.get(item.contract_id) or Suggestion(None)
            reason = (item.reason or "").strip()
            rating = existing.get(item.contract_id)
            if rating is None:
                rating = StaffRating(
                    contract=contract,
                    results=item.results,
                    behaviour=item.behaviour,
                    suggested=suggestion.rating or "",
                    annual_score=suggestion.score,
                    reason=reason,
                    notes=dict(item.notes or {}),
                    rated_by=user,
                    rated_at=now,
                    changed_at=now,
                )
                saved.created.append(rating)
                continue
            notes = rating.notes if item.notes is None else dict(item.notes)
            changed_ratings = (rating.results, rating.behaviour) != (item.results, item.behaviour)
            if not changed_ratings and (rating.reason, rating.notes) == (reason, notes):
                saved.unchanged += 1
                continue
            if changed_ratings:
                rating._change_reason = _("Changed after the year closed: %(reason)s") % {
                    "reason": reason
                }
                rating.results, rating.behaviour = item.results, item.behaviour
                rating.suggested = suggestion.rating or ""
                rating.annual_score = suggestion.score
                rating.changed_at = now
            else:
                rating._change_reason = _("Reason or notes updated.")
            rating.reason, rating.notes = reason, notes
            saved.changed.append(rating)
        if saved.created:
            bulk_create_with_history(
                saved.created,
                StaffRating,
                batch_size=500,
                default_user=user,
                default_change_reason=_("Rated."),
            )
        if saved.changed:
            bulk_update_with_history(
                saved.changed,
                StaffRating,
                [
                    "results",
                    "behaviour",
                    "suggested",
                    "annual_score",
                    "reason",
                    "notes",
                    "changed_at",
                ],
                batch_size=500,
                default_user=user,
            )
        if saved.created or saved.changed:
            agencies = {contracts[i.contract_id].agency_id for i in items}
            record(
                user,
                f"ratings:{source}",
                ", ".join(sorted({contracts[i.contract_id].agency.code for i in items}))[:300],
                agency_id=next(iter(agencies)) if len(agencies) == 1 else None,
                created=len(saved.created),
                changed=len(saved.changed),
                unchanged=saved.unchanged,
            )
    return saved


# --- ratings.csv ---------------------------------------------------------------------------

COLUMN_OF = {"results": "results_rating", "behaviour": "behaviour_rating", "reason": "reason"}


def import_ratings(
    data: bytes | str,
    *,
    user,
    scope=None,
    confirm_changes: bool = False,
    today: datetime.date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a ratings.csv (`RATING_COLUMNS`). Raises ImportFailed (nothing saved) listing
    every problem as `line N, column C: reason`. `scope`: the agencies whose civil servants
    the user rates (an approver's upload); None: the administrator's command. A file that
    gives the ratings already saved changes nothing."""
    errors: list[RowError] = []
    parsed: list[tuple[int, str, str, int, str, str, str]] = []
    agencies = {a.code: a for a in Agency.objects.all().only("pk", "code")}
    allowed = (
        None
        if scope is None
        else set(Agency.objects.filter(pk__in=scope).values_list("code", flat=True))
    )
    for raw in read_rows(data, RATING_COLUMNS):
        if err := width_error(raw, len(RATING_COLUMNS)):
            errors.append(err)
            continue
        check = RowChecker(raw, errors)
        code = check.required("agency_code")
        if code is not None and code not in agencies:
            check.fail("agency_code", _("unknown agency %(c)s") % {"c": code})
        elif code is not None and allowed is not None and code not in allowed:
            check.fail(
                "agency_code", _("you do not rate the civil servants of %(c)s") % {"c": code}
            )
        nip = check.required("nip")
        if nip is not None and (problem := nip_problem(nip)):
            check.fail("nip", problem)
        year = check.integer("year", 2000, 2100)
        results = check.choice("results_rating", scoring.RATINGS)
        behaviour = check.choice("behaviour_rating", scoring.RATINGS)
        reason = raw["reason"]
        if len(reason) > REASON_LIMIT:
            check.fail("reason", _("at most %(n)d characters") % {"n": REASON_LIMIT})
        if check.ok:
            parsed.append((raw.line, code, nip, year, results, behaviour, reason))
    nips = {p[2] for p in parsed}
    employees = {e.nip: e for e in Employee.objects.filter(nip__in=nips)}
    contracts: dict[tuple, PerformanceContract] = {}
    for c in PerformanceContract.objects.filter(
        employee__nip__in=nips, year__in={p[3] for p in parsed}
    ).select_related("employee", "agency"):
        # A year divided by a transfer has an SKP at each agency: the row's agency's first.
        contracts[(c.employee.nip, c.year, c.agency.code)] = c
        contracts.setdefault((c.employee.nip, c.year), c)
    items: list[RatingInput] = []
    for line, code, nip, year, results, behaviour, reason in parsed:
        contract = contracts.get((nip, year, code)) or contracts.get((nip, year))
        if nip not in employees:
            errors.append(RowError(line, "nip", _("no civil servant has this NIP")))
        elif contract is None:
            errors.append(
                RowError(line, "nip", _("this civil servant has no SKP for %(y)s") % {"y": year})
            )
        elif contract.agency.code != code:
            errors.append(
                RowError(
                    line,
                    "agency_code",
                    _("the SKP of this civil servant for %(y)s is held by %(c)s")
                    % {"y": year, "c": contract.agency.code},
                )
            )
        elif contract.status != PerformanceContract.Status.APPROVED:
            errors.append(
                RowError(line, "nip", _("the SKP of %(y)s is not approved") % {"y": year})
            )
        else:
            items.append(RatingInput(contract.pk, results, behaviour, reason, None, ref=line))
    problems, _contracts, _suggested = check_ratings(
        items, scope=scope, today=today, confirm_changes=confirm_changes
    )
    errors += [RowError(p.ref, COLUMN_OF.get(p.field, "-"), p.reason) for p in problems]
    if errors:
        raise ImportFailed(
            sorted(
                errors,
                key=lambda e: (
                    e.line,
                    RATING_COLUMNS.index(e.column) if e.column in RATING_COLUMNS else -1,
                ),
            )
        )
    result = ImportResult(rows=len(items))
    if dry_run:
        return result
    try:
        saved = save_ratings(
            items,
            user=user,
            scope=scope,
            today=today,
            confirm_changes=confirm_changes,
            source="import",
        )
    except RatingsRefused as exc:  # changed between the check and the lock
        raise ImportFailed(
            [RowError(p.ref, COLUMN_OF.get(p.field, "-"), p.reason) for p in exc.problems]
        ) from exc
    result.add("created", "ratings", len(saved.created))
    result.add("updated", "ratings", len(saved.changed))
    result.add("unchanged", "ratings", saved.unchanged)
    return result
