"""Generation of the sample data from its tables (`tables.py`), pure: no database. Everything
comes from `random.Random` instances seeded from `SEED` and names, never from the clock or the
global generator: the same arguments give the same rows.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from agencies.models import (
    ServiceMetric,
)
from performance.scoring import achievement, quarter_last_day

from .tables import (
    ABOVE_TARGET,
    ADMIN_ROLES,
    AGENCIES,
    BALI_FEMALE,
    BALI_FEMALE_ORDER,
    BALI_MALE,
    BALI_MALE_ORDER,
    BELOW_TARGET,
    BIMA,
    GENERIC_INDICATORS,
    HIGHER,
    LEADER_TITLES,
    LEADERS,
    MBOJO_FEMALE,
    MBOJO_MALE,
    ORIGINS,
    OTHER_FEMALE,
    OTHER_MALE,
    REFERENCE_DAY,
    REGION_NAMES,
    SASAK_FEMALE,
    SASAK_MALE,
    SEED,
    SENIOR_DEGREES,
    SERVICE_CULTURE,
    SKP_BY_ROLE,
    SKP_GENERIC,
    SKP_LEADERS,
    SPECIALIST_DEGREES,
    STAFF_BELOW,
    STAFF_DEGREES,
    YEARS,
    AgencySpec,
    IndicatorSpec,
    SkpTemplate,
)

# --- Generation (pure: no database) -------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A civil servant as the generator makes one (the fields of performance.csv)."""

    nip: str
    name: str
    position: str
    agency_code: str
    supervisor_nip: str | None


def _rng(*parts: object) -> random.Random:
    """A generator of its own for each named stream, so one part of the data does not shift
    when another grows (more employees leave the agencies' contracts as they were). A string
    seed is hashed with SHA-512, the same on every run and machine."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311 (sample data, not secrets)


@functools.cache
def reported_quarters(year: int) -> tuple[int, ...]:
    """Quarters of `year` whose realisations and metrics are in: those over by REFERENCE_DAY."""
    return tuple(q for q in range(1, 5) if quarter_last_day(year, q) < REFERENCE_DAY)


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


def staff_counts(total: int) -> dict[str, int]:
    """Employees per agency code for `total` employees: small agencies keep their fixed
    count (so the small-group privacy rule shows at any size); the rest share the remainder
    by their `staff` weight (largest remainders), at least one each."""
    counts = {a.code: a.fixed_staff for a in AGENCIES if a.fixed_staff}
    shared = [a for a in AGENCIES if not a.fixed_staff]
    rest = max(total - sum(counts.values()), len(shared))
    weight = sum(a.staff for a in shared)
    exact = {a.code: max(1.0, rest * a.staff / weight) for a in shared}
    floors = {code: int(x) for code, x in exact.items()}
    left = rest - sum(floors.values())
    by_remainder = sorted(shared, key=lambda a: (floors[a.code] - exact[a.code], a.code))
    for a in by_remainder[: max(left, 0)]:
        floors[a.code] += 1
    counts.update(floors)
    return counts


def _pick_origin(rng: random.Random, region: str) -> str:
    options = ORIGINS["bima" if region == BIMA else "lombok"]
    return rng.choices([o for o, _w in options], [w for _o, w in options])[0]


def _given_name(rng: random.Random, origin: str, female: bool) -> str:
    if origin == "bali":
        order = rng.choice(BALI_FEMALE_ORDER if female else BALI_MALE_ORDER)
        given = rng.choice(BALI_FEMALE if female else BALI_MALE)
        return f"{'Ni' if female else 'I'} {order} {given}"
    if origin == "other":
        given, family = OTHER_FEMALE if female else OTHER_MALE
        return f"{rng.choice(given)} {rng.choice(family)}"
    pool = {
        "sasak": (SASAK_FEMALE, SASAK_MALE),
        "mbojo": (MBOJO_FEMALE, MBOJO_MALE),
        "samawa": (MBOJO_FEMALE + SASAK_FEMALE, MBOJO_MALE + SASAK_MALE),
    }[origin][0 if female else 1]
    first, second = rng.sample(pool, 2)
    name = f"{first} {second}"
    if origin == "sasak" and rng.random() < 0.2:
        name = f"{'Baiq' if female else 'Lalu'} {name}"
    return name


def _degrees(rng: random.Random, position: str, senior: bool) -> tuple[str, str]:
    """(prefix, suffix) academic titles, as written on Indonesian staff lists."""
    if _has_word(position, ["Dokter Spesialis"]):
        return "dr. ", rng.choice(SPECIALIST_DEGREES)
    if _has_word(position, ["Dokter"]) or (position == "Direktur" and rng.random() < 0.7):
        return "dr. ", rng.choice(("", "", ", M.Kes.", ", MPH"))
    if _has_word(position, ["Perawat"]):
        return "", rng.choice((", S.Kep., Ns.", ", A.Md.Kep.", ", S.Kep., Ns."))
    if _has_word(position, ["Bidan"]):
        return "", rng.choice((", A.Md.Keb.", ", S.Tr.Keb."))
    if _has_word(position, ["Apoteker"]):
        return "", ", S.Farm., Apt."
    if _has_word(position, ["Guru", "Pengawas Sekolah"]):
        return "", rng.choice((", S.Pd.", ", S.Pd.", ", M.Pd."))
    if _has_word(position, ["Auditor"]):
        return "", rng.choice((", S.E., Ak.", ", S.E.", ", S.H."))
    if _has_word(position, ["Pranata Komputer"]):
        return "", rng.choice((", S.Kom.", ", A.Md.Kom.", ", S.T."))
    if senior:
        return "", rng.choice(SENIOR_DEGREES)
    if _has_word(position, ["Terampil", "Operator", "Pengadministrasi"]):
        return "", rng.choice(("", "", ", A.Md.", ", S.E."))
    return "", rng.choice(STAFF_DEGREES)


def _nip(rng: random.Random, female: bool, senior: bool, taken: set[str]) -> str:
    """A valid NIP (see performance/validators.py), not in `taken`: born 1968-1999 (those
    with leading positions 1968-1980), appointed at 22-35 and no later than 2024."""
    born_year = rng.randint(1968, 1980) if senior else rng.randint(1970, 1999)
    born = datetime.date(born_year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    appointed = min(born.year + rng.randint(22, 35), 2024)
    month = rng.choice((1, 1, 3, 3, 4, 12))
    serial = rng.randint(1, 999)
    while True:
        nip = f"{born:%Y%m%d}{appointed}{month:02d}{'2' if female else '1'}{serial:03d}"
        if nip not in taken:
            taken.add(nip)
            return nip
        serial = serial % 999 + 1


MAX_LEADERS = 7


def _leaders(spec: AgencySpec, n: int) -> list[str]:
    """Titles of the leaders of an agency of n employees: head, second, up to five heads of
    units."""
    head, second, unit = LEADERS[spec.kind]
    units = min(MAX_LEADERS - 2, max(0, (n - 2) // 15))
    return [head, second, *[unit] * units][:n]


def generate_people(total: int, *, seed: int = SEED) -> list[Person]:
    """`total` employees (about; small agencies keep their size) with unique valid NIPs,
    names matching their sex digit, positions and supervisors within their agency: the head
    has none, the second and the heads of units report to the head, staff to a unit head
    (or the second) in turn. Each person comes from a generator of their own, so a larger
    total keeps the people of a smaller one (their positions and supervisors may change)."""
    taken: set[str] = set()
    people: list[Person] = []
    counts = staff_counts(total)
    for spec in AGENCIES:
        leaders = _leaders(spec, counts[spec.code])
        roles = spec.roles * 3 + ADMIN_ROLES
        nips: list[str] = []
        for i in range(counts[spec.code]):
            rng = _rng(seed, "staff", spec.code, i)
            # The NIP and name come from draws that depend on the index only, not on the
            # agency's size (the first seven are older, like leaders): the same person at
            # any size. Midwives are women; otherwise half the staff, a third of leaders.
            role = rng.choice(roles)
            older = i < MAX_LEADERS
            female = rng.random() < (0.35 if older else 0.52) or _has_word(role, ["Bidan"])
            origin = _pick_origin(rng, spec.region)
            name = _given_name(rng, origin, female)
            nip = _nip(rng, female, older, taken)
            senior = i < len(leaders)
            position = leaders[i] if senior else role
            prefix, suffix = _degrees(rng, position, senior)
            if origin != "bali" and int(nip[:4]) < 1982 and rng.random() < 0.3:
                prefix += "Hj. " if female else "H. "
            if i == 0:
                supervisor = None
            elif senior:
                supervisor = nips[0]
            else:
                bosses = nips[2 : len(leaders)] or nips[1:2] or nips[:1]
                supervisor = bosses[(i - len(leaders)) % len(bosses)]
            nips.append(nip)
            people.append(Person(nip, f"{prefix}{name}{suffix}", position, spec.code, supervisor))
    return people


WEIGHT_PATTERNS: dict[int, tuple[tuple[int, ...], ...]] = {
    # Some sum to 100, some do not (the score divides by their sum), some are plain 1s.
    2: ((60, 40), (50, 50), (1, 1), (70, 40)),
    3: ((40, 30, 30), (35, 35, 30), (1, 1, 1), (50, 30, 25)),
    4: ((25, 25, 25, 25), (30, 30, 20, 20), (30, 25, 25, 15), (1, 1, 1, 1), (20, 20, 20, 20)),
    5: ((20, 20, 20, 20, 20), (30, 20, 20, 15, 15), (25, 25, 20, 20, 15), (2, 2, 1, 1, 1)),
    6: (
        (20, 20, 15, 15, 15, 15),
        (25, 20, 15, 15, 15, 10),
        (1, 1, 1, 1, 1, 1),
        (20, 20, 20, 15, 15, 15),
    ),
}
BUDGET_SHARES = (0.2, 0.45, 0.7, 1.0)
# Realisation key: (holder, year, indicator code, quarter); holder is an agency code or NIP.
Key = tuple[str, int, str, int]


@dataclass
class Rows:
    """performance.csv rows and the explanations to attach to their realisations."""

    rows: list[list[str]] = field(default_factory=list)
    explanations: dict[Key, str] = field(default_factory=dict)

    @classmethod
    def combine(cls, parts: Iterable[Rows]) -> Rows:
        out = cls()
        for part in parts:
            out.rows += part.rows
            out.explanations.update(part.explanations)
        return out


def _quarter_target(
    annual: float, profile: str, quarter: int, direction: str, decimals: int
) -> str:
    share = {"flat": 1.0, "linear": quarter / 4, "budget": BUDGET_SHARES[quarter - 1]}[profile]
    value = round(annual * share, decimals)
    if direction == HIGHER and value <= 0:
        value = 10.0**-decimals
    return _fmt(value, decimals)


def _realisation(
    rng: random.Random,
    direction: str,
    target: str,
    decimals: int,
    factor: float,
    maximum: float | None,
) -> str:
    """A realisation whose achievement is about `factor` (1.0 = on target), never above the
    top of its scale."""
    t = float(target)
    if direction == HIGHER:
        value = t * factor
        if maximum is not None:
            value = min(value, maximum)
    elif t == 0:
        value = 0.0 if rng.random() < 0.65 else float(rng.randint(1, 3))
    else:
        value = max(0.0, t * (2 - factor))
    return _fmt(value, decimals)


LATEST_REPORTED = (YEARS[-1], max(reported_quarters(YEARS[-1])))


def _is_missing(rng: random.Random, year: int, quarter: int, usual: float) -> bool:
    """Missing in a closed quarter: rare, except in the quarter that has just closed, where
    late reporting is common."""
    chance = usual * 4 if (year, quarter) == LATEST_REPORTED else usual
    return rng.random() < chance


# performance.csv's optional columns the agency contracts use (an annual target and how its
# year is measured), after the required ones.
PK_EXTRA_COLUMNS = ("annual_target", "aggregation")


def _annual_target(ind: IndicatorSpec, annual: float) -> str:
    """The annual target of an indicator judged on its year (empty for the others): the
    year's value for a level or a cumulative indicator, four quarters' for a `sum`."""
    if not ind.aggregation:
        return ""
    if ind.aggregation == "sum":
        quarter = float(_quarter_target(annual, ind.profile, 1, ind.direction, ind.decimals))
        return _fmt(quarter * 4, ind.decimals)
    return _fmt(annual, ind.decimals)


def agency_contract_rows(spec: AgencySpec, *, seed: int = SEED) -> Rows:
    """The agency's Perjanjian Kinerja for every year in YEARS: 4-6 indicators (its own and
    one or more common ones), quarterly targets, realisations near target in the reported
    quarters with some well below, a few missing, and explanations for most large
    variances."""
    rng = _rng(seed, "pk", spec.code)
    total = rng.randint(4, 6)
    n_generic = max(1, total - len(spec.indicators))
    indicators = [*spec.indicators[: total - n_generic], *rng.sample(GENERIC_INDICATORS, n_generic)]
    weights = rng.choice(WEIGHT_PATTERNS[len(indicators)])
    # Agencies differ: some deliver, some struggle.
    tendency = min(max(rng.gauss(1.0, 0.12), 0.65), 1.2)
    growth = [rng.uniform(0.01, 0.05) for _ in indicators]
    bias = [rng.gauss(0, 0.05) for _ in indicators]
    holder = (spec.code, "agency", "", "")
    out = Rows()
    for year in YEARS:
        year_tendency = tendency + rng.gauss(0, 0.04)
        reported = reported_quarters(year)
        for i, (ind, weight) in enumerate(zip(indicators, weights, strict=True), start=1):
            step = growth[i - 1] * (year - YEARS[0])
            annual = ind.target * (1 + step if ind.direction == HIGHER else 1 - step)
            if ind.maximum is not None:
                annual = min(annual, ind.maximum)
            for quarter in range(1, 5):
                target = _quarter_target(annual, ind.profile, quarter, ind.direction, ind.decimals)
                factor = year_tendency + bias[i - 1] + rng.gauss(0, 0.04)
                if rng.random() < 0.07:
                    factor *= rng.uniform(0.5, 0.8)
                value = _realisation(rng, ind.direction, target, ind.decimals, factor, ind.maximum)
                if quarter not in reported or _is_missing(rng, year, quarter, 0.03):
                    value = ""
                code = f"IKU{i}"
                about = (code, ind.text, ind.unit, ind.direction, str(weight))
                annual_target = _annual_target(ind, annual)
                out.rows.append(
                    [
                        *holder,
                        str(year),
                        str(quarter),
                        *about,
                        target,
                        value,
                        annual_target,
                        ind.aggregation if annual_target else "",
                    ]
                )
                if value:
                    explanation = _explain(rng, ind.direction, target, value, PK_TEXTS, below=90)
                    if explanation:
                        out.explanations[(spec.code, year, code, quarter)] = explanation
    return out


@dataclass(frozen=True)
class Explanations:
    """Which variances get a written explanation, and the texts to pick from."""

    below: Sequence[str]
    above: Sequence[str]
    chance_below: float
    chance_above: float


PK_TEXTS = Explanations(BELOW_TARGET, ABOVE_TARGET, chance_below=0.75, chance_above=0.45)
SKP_TEXTS = Explanations(STAFF_BELOW, (), chance_below=0.5, chance_above=0)


def _explain(
    rng: random.Random, direction: str, target: str, value: str, texts: Explanations, *, below: int
) -> str | None:
    """An explanation for a variance, or None: some achievements under `below` get one, and
    some over 110."""
    score = achievement(direction, Decimal(target), Decimal(value))
    if score < below and rng.random() < texts.chance_below:
        return rng.choice(texts.below)
    if score > 110 and texts.above and rng.random() < texts.chance_above:
        return rng.choice(texts.above)
    return None


def _has_word(position: str, words: Iterable[str]) -> bool:
    """Whether `position` contains one of `words` as whole words ("Bidan" is not in "Kepala
    Bidang")."""
    padded = f" {position} "
    return any(f" {w} " in padded for w in words)


def _skp_templates(position: str) -> tuple[SkpTemplate, ...]:
    if position in LEADER_TITLES:
        return SKP_LEADERS
    for keywords, templates in SKP_BY_ROLE:
        if _has_word(position, keywords):
            return templates
    return ()


@functools.cache
def _staff_level(seed: int, agency_code: str) -> float:
    """How well an agency's staff do on average (1.0 = on target): the staff mean differs
    between agencies, as it does in life."""
    return _rng(seed, "staff-level", agency_code).gauss(1.0, 0.08)


def employee_contract_rows(person: Person, *, seed: int = SEED) -> Rows:
    """The person's SKP for every year in YEARS: 2-4 indicators fitting the position (the
    same ones each year, as usual), quarterly targets, realisations around the person's own
    level, a few missing, and explanations for some large shortfalls."""
    rng = _rng(seed, "skp", person.nip)
    own = _skp_templates(person.position)
    k = rng.randint(2, 4)
    chosen = rng.sample(own, min(len(own), rng.randint(1, k))) if own else []
    chosen += rng.sample(SKP_GENERIC, k - len(chosen))
    weights = rng.choice(WEIGHT_PATTERNS[k])
    base = [round(rng.uniform(lo, hi), d) for _t, _u, _dir, lo, hi, d in chosen]
    tendency = min(max(_staff_level(seed, person.agency_code) + rng.gauss(0, 0.08), 0.6), 1.15)
    holder = (person.agency_code, person.nip, person.name, person.position)
    out = Rows()
    for year in YEARS:
        year_tendency = tendency + rng.gauss(0, 0.03)
        reported = reported_quarters(year)
        for i, ((text, unit, direction, _lo, _hi, decimals), weight) in enumerate(
            zip(chosen, weights, strict=True), start=1
        ):
            annual = base[i - 1]
            if year != YEARS[0]:
                annual *= rng.uniform(1.0, 1.05) if direction == HIGHER else rng.uniform(0.9, 1)
            if unit == "%":
                annual = min(annual, 100.0)
            code = f"RHK{i}"
            for quarter in range(1, 5):
                target = _quarter_target(annual, "flat", quarter, direction, decimals)
                factor = year_tendency + rng.gauss(0, 0.06)
                if rng.random() < 0.04:
                    factor *= rng.uniform(0.4, 0.75)
                value = _realisation(
                    rng, direction, target, decimals, factor, 100.0 if unit == "%" else None
                )
                if quarter not in reported or _is_missing(rng, year, quarter, 0.04):
                    value = ""
                about = (code, text, unit, direction, str(weight))
                out.rows.append([*holder, str(year), str(quarter), *about, target, value])
                if value:
                    explanation = _explain(rng, direction, target, value, SKP_TEXTS, below=70)
                    if explanation:
                        out.explanations[(person.nip, year, code, quarter)] = explanation
    return out


def survey_quarters() -> list[tuple[int, int, float]]:
    """(year, quarter, share of the quarter elapsed by REFERENCE_DAY) of every quarter that
    had begun by then: the current quarter's survey is still running."""
    out = []
    for year in YEARS:
        for quarter in range(1, 5):
            start = _quarter_start(year, quarter)
            if start > REFERENCE_DAY:
                continue
            end = quarter_last_day(year, quarter)
            elapsed = min((REFERENCE_DAY - start).days / ((end - start).days + 1), 1.0)
            out.append((year, quarter, elapsed))
    return out


# Typical gap from the mean answer per SKM element: fees and behaviour score well, speed,
# facilities and complaint handling less so.
UNSUR_OFFSETS = (0.05, 0.0, -0.15, None, 0.05, 0.05, 0.1, -0.1, -0.2)


@functools.cache
def _service_culture(seed: int, agency_code: str) -> float:
    """The mean answer (1-4) an agency's services tend to get: some agencies serve well."""
    usual = _rng(seed, "service-culture", agency_code).uniform(2.8, 3.5)
    return SERVICE_CULTURE.get(agency_code, usual)


def survey_rows(*, seed: int = SEED) -> list[list[str]]:
    """survey.csv rows: per service and quarter a number of respondents around the
    service's usual (under 10 for the quiet ones), answers around a service's own level with
    realistic gaps between the nine elements. Every service has a response in its first
    quarter, so the survey import creates every service."""
    rows = []
    quarters = survey_quarters()
    for spec in AGENCIES:
        for svc in spec.services:
            rng = _rng(seed, "survey", spec.code, svc.code)
            level = _service_culture(seed, spec.code) + rng.uniform(-0.3, 0.3)
            fee_offset = 0.3 if svc.fee == 0 else -0.1
            offsets = [fee_offset if o is None else o for o in UNSUR_OFFSETS]
            for year, quarter, elapsed in quarters:
                drift = rng.gauss(0, 0.1)
                n = round(svc.respondents * max(rng.gauss(1, 0.2), 0.2) * elapsed)
                if (year, quarter) == quarters[0][:2]:
                    n = max(n, 1)
                for _ in range(n):
                    person = rng.gauss(0, 0.3)
                    answers = [
                        min(4, max(1, round(level + drift + o + person + rng.gauss(0, 0.45))))
                        for o in offsets
                    ]
                    rows.append(
                        [spec.code, svc.code, svc.name, str(year), str(quarter), *map(str, answers)]
                    )
    return rows


def metric_rows(*, seed: int = SEED) -> list[list[str]]:
    """service_metrics.csv rows: every kind for every service in every reported quarter,
    consistent with each other (completions within applications, resolved complaints within
    received ones, processing days near the standard, later when fewer are on time)."""
    rows = []
    for spec in AGENCIES:
        for svc in spec.services:
            rng = _rng(seed, "metrics", spec.code, svc.code)
            punctuality = rng.uniform(0.72, 0.99)
            for year in YEARS:
                for quarter in reported_quarters(year):
                    users = max(1, round(svc.volume * rng.gauss(1, 0.12)))
                    applications = round(users * rng.uniform(0.97, 1.12))
                    completed = round(applications * rng.uniform(0.9, 1.0))
                    on_time_share = min(max(punctuality + rng.gauss(0, 0.04), 0.4), 1.0)
                    on_time = round(completed * on_time_share)
                    days = svc.standard_days * (0.65 + (1 - on_time_share) * 2.2)
                    days *= rng.uniform(0.9, 1.1)
                    received = round(users * rng.uniform(0.0005, 0.006))
                    received += int(rng.random() < 0.3)
                    resolved = round(received * rng.uniform(0.6, 1.0))
                    values = {
                        ServiceMetric.Kind.APPLICATIONS: str(applications),
                        ServiceMetric.Kind.COMPLETED_ON_TIME: str(on_time),
                        ServiceMetric.Kind.COMPLETED_LATE: str(completed - on_time),
                        ServiceMetric.Kind.AVG_PROCESSING_DAYS: _fmt(days, 2),
                        ServiceMetric.Kind.COMPLAINTS_RECEIVED: str(received),
                        ServiceMetric.Kind.COMPLAINTS_RESOLVED: str(resolved),
                        ServiceMetric.Kind.USERS: str(users),
                    }
                    rows.extend(
                        [spec.code, svc.code, str(year), str(quarter), kind.value, v]
                        for kind, v in values.items()
                    )
    return rows


def agency_rows() -> list[list[str]]:
    return [
        [a.code, a.name, a.acronym, a.region, REGION_NAMES[a.region], a.sector] for a in AGENCIES
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
