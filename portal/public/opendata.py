"""The open datasets: what each holds (the data dictionary shown on the hub) and its rows.

Every dataset is public by law or aggregated (DESIGN.md, "Privacy and openness"): agencies,
services with their service standards, agency-level scores of the published run, agency
Perjanjian Kinerja indicators with targets and realisations, IKM by service and quarter,
service figures, follow-up plans, and suppressed counts of approved decisions. Never an
individual civil servant's data: no query here touches Employee or an SKP contract.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import (
    ANSWER_FIELDS,
    STANDARD_FIELDS,
    Agency,
    FollowUpPlan,
    FollowUpUpdate,
    Service,
    ServiceMetric,
    SurveyResponse,
)
from agencies.sampling import on_time_rate, resolution_rate
from agencies.suppression import suppress
from performance import crosscheck, followup
from performance.cascade import public_support
from performance.corrections import explain
from performance.models import Correction, Edition, GoalTarget, Predikat, Score, ScoreRun
from performance.queries import ikm_of, indicator_quarter, indicator_status
from rewards.models import Decision, Outcome, Rule

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
PERIOD_ORDER = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "Y": 5}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text, integer, decimal, date, date-time, boolean
    description: Promise
    unit: Promise | str = ""
    nullable: bool = True  # False: every row has a value (the API's schema says so)


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a dataset: to some agencies (their ids; None: every public
    agency) and/or one year."""

    agencies: frozenset[int] | None = None
    year: int | None = None


NO_MATCH = "no_match"  # a well-formed filter value that matches nothing (the API: 404)


class FilterForm(forms.Form):
    """The files' filters: `agency` (its code, as the files write it, or its slug), and the
    directory's own (`region`, `sector`, `q`, `predikat` with `year`), so a download link
    carries the list a visitor filtered, and `edition` (a date of the `editions` dataset):
    the figures of that edition's run as first published, instead of the latest run's. A
    value that matches nothing is an error, never an empty file. After `is_valid`, `run`
    is the run to read (the edition's, else the one given)."""

    agency = forms.CharField(required=False, max_length=60)
    region = forms.CharField(required=False, max_length=10)
    sector = forms.CharField(required=False, max_length=100)
    q = forms.CharField(required=False, max_length=100)
    predikat = forms.ChoiceField(required=False, choices=Predikat.choices)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    edition = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, data: object, *, run: ScoreRun | None) -> None:
        super().__init__(data)
        self.run = run
        self.edition: Edition | None = None

    def clean_edition(self) -> Edition | None:
        day = self.cleaned_data["edition"]
        if day is None:
            return None
        edition = Edition.objects.on(day)
        if edition is None:
            raise forms.ValidationError(
                _(
                    "No edition is dated %(value)s. The editions and their dates are listed "
                    "at %(url)s."
                ),
                params={"value": day.isoformat(), "url": reverse("api:editions")},
                code=NO_MATCH,
            )
        self.edition, self.run = edition, edition.run
        return edition

    def clean_agency(self) -> Agency | None:
        value = self.cleaned_data["agency"].strip()
        if not value:
            return None
        found = Agency.objects.public().filter(Q(code__iexact=value) | Q(slug=value)).first()
        if found is None:
            raise forms.ValidationError(
                _("No public agency has the code or slug “%(value)s”."),
                params={"value": value},
                code=NO_MATCH,
            )
        return found

    def clean_region(self) -> str:
        value = self.cleaned_data["region"].strip()
        if value and not Agency.objects.public().filter(region__code=value).exists():
            raise forms.ValidationError(
                _("No public agency is in a region with the code “%(value)s”."),
                params={"value": value},
                code=NO_MATCH,
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("predikat") and not (data.get("year") and self.run):
            self.add_error(
                "predikat",
                forms.ValidationError(
                    _("A predikat filter needs a year with published scores."), code=NO_MATCH
                ),
            )
        return data

    def filters(self) -> Filters:
        """The filters asked for (call after `is_valid`)."""
        data = self.cleaned_data
        narrowed = any(data.get(k) for k in ("agency", "region", "sector", "q", "predikat"))
        if not narrowed:
            return Filters(None, data.get("year"))
        agencies = Agency.objects.public()
        if data.get("agency"):
            agencies = agencies.filter(pk=data["agency"].pk)
        if data.get("region"):
            agencies = agencies.filter(region__code=data["region"])
        if data.get("sector"):
            agencies = agencies.filter(sector=data["sector"])
        if data.get("q"):
            agencies = agencies.search(data["q"].strip())
        if data.get("predikat"):
            agencies = agencies.filter(
                scores__run=self.run,
                scores__contract__isnull=True,
                scores__year=data["year"],
                scores__period="Y",
                scores__predikat=data["predikat"],
            )
        return Filters(frozenset(agencies.values_list("pk", flat=True)), data.get("year"))


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    columns: tuple[Column, ...]
    rows: Callable[[ScoreRun | None, Filters], Iterator[list]]
    keywords: tuple[Promise | str, ...] = ()  # for catalogues (DCAT), beside the portal's own

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def _agencies(filters: Filters):
    agencies = Agency.objects.public()
    return agencies if filters.agencies is None else agencies.filter(pk__in=filters.agencies)


def agency_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    for a in _agencies(filters).select_related("region", "parent").order_by("code"):
        yield [
            a.code,
            a.slug,
            a.name,
            a.acronym,
            a.region.code,
            a.region.name,
            a.sector,
            a.parent.code if a.parent else None,
        ]


def service_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    services = Service.objects.public().select_related("agency").order_by("agency__code", "code")
    if filters.agencies is not None:
        services = services.filter(agency__in=filters.agencies)
    for s in services:
        yield [
            s.agency.code,
            s.code,
            s.name,
            *[getattr(s, name) for name in STANDARD_FIELDS],
            s.standard_updated_at,
        ]


def service_figure_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """One row per public service and quarter with any figure reported: the seven figures
    and the two rates the service page shows. One query."""
    metrics = ServiceMetric.objects.filter(service__agency__is_public=True)
    if filters.agencies is not None:
        metrics = metrics.filter(service__agency__in=filters.agencies)
    if filters.year:
        metrics = metrics.filter(year=filters.year)
    quarters: dict[tuple, dict[str, Decimal]] = {}
    for code, service, year, quarter, kind, value in metrics.values_list(
        "service__agency__code", "service__code", "year", "quarter", "kind", "value"
    ).iterator():
        quarters.setdefault((code, service, year, quarter), {})[kind] = value
    for key in sorted(quarters):
        figures = quarters[key]
        yield [
            *key,
            *[figures.get(kind) for kind in ServiceMetric.Kind.values],
            on_time_rate(
                figures.get(ServiceMetric.Kind.COMPLETED_ON_TIME),
                figures.get(ServiceMetric.Kind.COMPLETED_LATE),
            ),
            resolution_rate(
                figures.get(ServiceMetric.Kind.COMPLAINTS_RESOLVED),
                figures.get(ServiceMetric.Kind.COMPLAINTS_RECEIVED),
            ),
        ]


def follow_up_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """One row per follow-up plan of a public service, with its updates as dated lines.
    Overdue is judged on the day of the published run (`followup.as_of`). Two queries."""
    plans = FollowUpPlan.objects.public().select_related("service__agency")
    if filters.agencies is not None:
        plans = plans.filter(service__agency__in=filters.agencies)
    if filters.year:
        plans = plans.filter(year=filters.year)
    plans = plans.prefetch_related(
        Prefetch("updates", queryset=FollowUpUpdate.objects.order_by("on", "pk"))
    )
    day = followup.as_of(run)
    rows = []
    for p in plans:
        updates = list(p.updates.all())
        rows.append(
            [
                p.service.agency.code,
                p.service.code,
                p.year,
                p.quarter,
                p.action,
                p.unit,
                p.due_date,
                p.status,
                p.is_overdue(day),
                p.completed_on,
                len(updates),
                updates[-1].on if updates else None,
                "\n".join(f"{u.on.isoformat()} ({u.status}): {u.text}" for u in updates),
            ]
        )
    # In code point order, whatever the database's collation.
    yield from sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3], r[6]))


def score_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    if run is None:
        return
    scores = Score.objects.public_for_run(run.pk).select_related("agency")
    if filters.agencies is not None:
        scores = scores.filter(agency__in=filters.agencies)
    if filters.year:
        scores = scores.filter(year=filters.year)
    for s in sorted(scores, key=lambda s: (s.agency.code, s.year, PERIOD_ORDER[s.period])):
        yield [
            s.agency.code,
            s.year,
            s.period,
            s.k,
            s.e,
            s.s,
            s.ikm,
            s.respondents,
            s.score,
            s.predikat,
            "yes" if s.final else "no",
            "yes" if s.complete else "no",
        ]


def indicator_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """One row per PK indicator and quarter with a target. One query, however many."""
    if run is None:
        return
    indicators = indicator_quarter(
        run.pk, [1, 2, 3, 4], agency_ids=filters.agencies, year=filters.year or None
    )
    schemes: dict[int, object] = {}
    crosscheck.attach(indicators, run.scheme)
    rows = []
    for i in indicators:
        if i.target is None:
            continue
        if i.year not in schemes:
            schemes[i.year] = run.scheme(i.year)
        rows.append(
            [
                i.agency_code,
                i.year,
                i.code,
                i.text,
                i.unit,
                i.direction,
                i.weight,
                i.quarter,
                i.target,
                i.realisation,
                i.achievement,
                indicator_status(i.achievement, i.overdue, schemes[i.year]),
                bool(i.overdue),
                i.last_year_realisation,
                i.explanation or "",
                i.updated_at,
                i.late_entered_at,
                # A verification is about a reported figure: none without one.
                i.verification if i.realisation is not None else "",
                i.verified_at if i.realisation is not None else None,
                *_cross_check_cells(i),
            ]
        )
    # In code point order, whatever the database's collation.
    yield from sorted(rows, key=lambda r: (r[0], r[1], r[2], r[7]))


def goal_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """The province's goals, their indicators and targets, one row per indicator and year
    (public plans; not narrowed by agency). One query."""
    targets = GoalTarget.objects.select_related("indicator__goal")
    if filters.year:
        targets = targets.filter(year=filters.year)
    for t in targets.order_by("indicator__goal__code", "indicator__code", "year"):
        goal, indicator = t.indicator.goal, t.indicator
        yield [
            goal.code,
            goal.text,
            goal.plan,
            indicator.code,
            indicator.text,
            indicator.unit,
            indicator.direction,
            t.year,
            t.value,
        ]


def support_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """Per PK indicator of a year of the run: the goal indicator it serves and its support by
    staff indicators, suppressed below the minimum group size. Two queries."""
    if run is None:
        return
    for row in public_support(run, agency_ids=filters.agencies, year=filters.year):
        indicator = row.indicator
        yield [
            indicator.contract.agency.code,
            indicator.contract.year,
            indicator.code,
            indicator.goal_indicator.code if indicator.goal_indicator else None,
            row.indicators,
            row.mean,
            row.suppressed,
        ]


def _cross_check_cells(i) -> list:
    """source, service code, value, basis, gap and flag of an indicator's cross-check
    (empty cells when it is not linked; value empty when the source has none)."""
    check = i.cross_check_result
    if check is None:
        return ["", "", None, None, None, None]
    return [
        check.source,
        i.cross_check_service_code or "",
        check.value,
        check.basis,
        check.gap,
        check.flagged if check.gap is not None else None,
    ]


def correction_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """Every correction of a published figure of public agencies (DESIGN.md, Integrity),
    oldest first, with its reason in the request's language. One query."""
    found = Correction.objects.public().select_related("agency")
    if run is not None and run.published_at is not None:
        # An edition's file lists the corrections published by then.
        found = found.filter(published_at__lte=run.published_at)
    if filters.agencies is not None:
        found = found.filter(agency__in=filters.agencies)
    if filters.year:
        found = found.filter(year=filters.year)
    for c in found.order_by("published_at", "agency__code", "year", "period", "figure", "pk"):
        yield [
            c.agency.code,
            c.year,
            c.period,
            c.figure,
            c.indicator_code,
            c.old_value,
            c.new_value,
            c.previous_run_id,
            c.run_id,
            c.published_at,
            explain(c),
        ]


def ikm_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    responses = SurveyResponse.objects.filter(service__agency__is_public=True)
    if filters.agencies is not None:
        responses = responses.filter(service__agency__in=filters.agencies)
    if filters.year:
        responses = responses.filter(year=filters.year)
    groups = responses.sums_by_quarter("service__agency__code", "service__code")
    for row in groups:
        minimum = run.scheme(row["year"]).survey_min_responses if run else 10
        ikm = ikm_of(row, minimum)
        yield [
            row["service__agency__code"],
            row["service__code"],
            row["year"],
            row["quarter"],
            ikm.respondents,
            *[round(v, 4) for v in ikm.nrr],
            ikm.value,
            ikm.grade,
            ikm.sufficient,
        ]


def decision_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """Per public agency, year of the run and level: how many decisions of each outcome kind
    were approved by the time the run was published (so the file is the same all day).
    Staff counts are about people: below the scheme's minimum group size they are hidden,
    with complementary suppression (DESIGN.md); `suppressed` says so. Counts only: never a
    name, a NIP or a single decision. Two queries."""
    if run is None or run.published_at is None:
        return
    years = [y for y in sorted(run.years) if not filters.year or y == filters.year]
    agencies = list(_agencies(filters).order_by("code").values_list("pk", "code"))
    counts: dict[tuple, int] = {}
    for row in (
        Decision.objects.filter(
            agency_id__in=[pk for pk, _code in agencies],
            year__in=years,
            decided_at__lte=run.published_at,
        )
        .approved_counts()
        .iterator()
    ):
        counts[(row["agency_id"], row["year"], row["level"], row["outcome"])] = row["n"]
    for pk, code in agencies:
        for year in years:
            for level, label in ((Rule.Level.EMPLOYEE, "staff"), (Rule.Level.AGENCY, "agency")):
                cells = {o: counts.get((pk, year, level, o), 0) for o in Outcome.values}
                if level == Rule.Level.EMPLOYEE:
                    published = suppress(cells, run.scheme(year).min_group_size)
                    values = [c.value for c in published.cells]
                    total, hidden = published.total, published.any_suppressed
                else:  # decisions about the agency itself, public like its score
                    values, total, hidden = list(cells.values()), sum(cells.values()), False
                yield [code, year, label, *values, total, hidden]


def edition_rows(run: ScoreRun | None, filters: Filters) -> Iterator[list]:
    """Every edition, oldest first (one query): the dates `?edition=` takes. `year` keeps
    the editions dated in that year; the agency filters do not apply."""
    editions = Edition.objects.select_related("run").order_by("date")
    if filters.year:
        editions = editions.filter(date__year=filters.year)
    for e in editions:
        yield [
            e.date,
            e.run_id,
            e.run.published_at,
            " ".join(e.quarters),
            e.corrections,
        ]


AGENCY_CODE = Column("agency_code", "text", _("Code of the agency"), nullable=False)
YEAR = Column("year", "integer", _("Year"), nullable=False)
PERIOD = Column("period", "text", _("Q1 to Q4 for a quarter, Y for the whole year"), nullable=False)
DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "agencies",
            _("Agencies"),
            _("Every public agency (Perangkat Daerah) with its region (BPS code) and sector."),
            (
                Column("code", "text", _("Code of the agency"), nullable=False),
                Column("slug", "text", _("Identifier in the portal's addresses"), nullable=False),
                Column("name", "text", _("Name"), nullable=False),
                Column("acronym", "text", _("Acronym")),
                Column("region_code", "text", _("BPS code of the region")),
                Column("region_name", "text", _("Name of the region")),
                Column("sector", "text", _("Sector")),
                Column("parent_code", "text", _("Code of the parent agency, for a unit")),
            ),
            agency_rows,
            keywords=(_("agencies"), "Perangkat Daerah", "OPD"),
        ),
        Dataset(
            "services",
            _("Public services"),
            _("The public services of each agency with their service standard."),
            (
                AGENCY_CODE,
                Column(
                    "service_code",
                    "text",
                    _("Code of the service (unique per agency)"),
                    nullable=False,
                ),
                Column("service_name", "text", _("Name of the service")),
                Column("standard_days", "integer", _("Standard processing time"), _("days")),
                Column("fee", "decimal", _("Fee; 0 when free of charge"), "Rp"),
                Column("fee_note", "text", _("The fee's legal basis, or how it varies")),
                Column("requirements", "text", _("Requirements, one per line")),
                Column("procedure", "text", _("Procedure, one step per line")),
                Column("location", "text", _("Where the service is delivered")),
                Column("opening_hours", "text", _("Opening hours")),
                Column("complaint_url", "text", _("Link for complaints (SP4N-LAPOR!)")),
                Column("complaint_contact", "text", _("Other complaint channels")),
                Column(
                    "standard_updated_at", "date-time", _("When the service standard last changed")
                ),
            ),
            service_rows,
            keywords=(_("public services"), _("service standard")),
        ),
        Dataset(
            "agency-scores",
            _("Agency scores"),
            _(
                "Agency scores per quarter and year with their three components, from the "
                "published score run."
            ),
            (
                AGENCY_CODE,
                YEAR,
                PERIOD,
                Column(
                    "contract_component",
                    "decimal",
                    _("K: score of the agency's Perjanjian Kinerja"),
                    _("points"),
                ),
                Column(
                    "staff_component",
                    "decimal",
                    _(
                        "E: mean SKP score of the staff, only when at least the minimum "
                        "group size have one"
                    ),
                    _("points"),
                ),
                Column(
                    "service_component",
                    "decimal",
                    _(
                        "S: the IKM against the scheme's IKM target (100 x IKM / target, "
                        "capped), only with enough respondents"
                    ),
                    _("points"),
                ),
                Column(
                    "ikm",
                    "decimal",
                    _("The IKM S came from (PermenPAN-RB 14/2017), only with enough respondents"),
                    _("index 25-100"),
                ),
                Column("respondents", "integer", _("Number of survey respondents"), _("people")),
                Column("score", "decimal", _("Agency score"), _("points")),
                Column(
                    "predikat",
                    "text",
                    _(
                        "Rating band of the score on the organisation scale of PermenPAN-RB "
                        "6/2022; empty while the period is provisional"
                    ),
                ),
                Column(
                    "final",
                    "text",
                    _(
                        "yes when the period is closed; no while it is provisional (the figure "
                        "may change, carries no predikat and is not ranked)"
                    ),
                ),
                Column(
                    "complete",
                    "text",
                    _(
                        "yes when the score has K and, for an agency with public services, S; "
                        "an incomplete score is not ranked"
                    ),
                ),
            ),
            score_rows,
            keywords=(_("performance scores"), "predikat", "SAKIP"),
        ),
        Dataset(
            "agency-indicators",
            _("Agency performance indicators"),
            _(
                "The indicators of each agency's Perjanjian Kinerja with their targets, "
                "realisations and achievements per quarter."
            ),
            (
                AGENCY_CODE,
                YEAR,
                Column("indicator_code", "text", _("Code of the indicator"), nullable=False),
                Column("indicator", "text", _("Indicator")),
                Column("unit", "text", _("Unit of the target and realisation")),
                Column("direction", "text", _("higher or lower: which way is better")),
                Column("weight", "decimal", _("Weight of the indicator in the contract")),
                Column("quarter", "integer", _("Quarter, 1 to 4"), nullable=False),
                Column("target", "decimal", _("Target"), _("see unit")),
                Column(
                    "realisation",
                    "decimal",
                    _("Realisation; empty when not reported"),
                    _("see unit"),
                ),
                Column("achievement", "decimal", _("Achievement from the published run"), "%"),
                Column("status", "text", _("met, near, below, overdue or pending")),
                Column(
                    "overdue", "boolean", _("The quarter is closed and no realisation was reported")
                ),
                Column(
                    "last_year_realisation",
                    "decimal",
                    _("Realisation of the same indicator code a year earlier"),
                    _("see unit"),
                ),
                Column("explanation", "text", _("The agency's explanation of a variance")),
                Column("updated_at", "date-time", _("When the realisation was last saved")),
                Column(
                    "late_entered_at",
                    "date-time",
                    _(
                        "When a realisation entered after its quarter closed was entered (it "
                        "counts once an approver confirmed it); empty when entered in time"
                    ),
                ),
                Column(
                    "verification",
                    "text",
                    _(
                        "What the Inspektorat (APIP) found of the realisation: unverified "
                        "(self-reported by the agency), verified or disputed; empty when not "
                        "reported. A changed realisation is unverified again"
                    ),
                ),
                Column(
                    "verified_at",
                    "date-time",
                    _("When the Inspektorat verified or disputed the realisation"),
                ),
                Column(
                    "cross_check_source",
                    "text",
                    _(
                        "The independent source the indicator is checked against: ikm (the "
                        "satisfaction survey), on_time (the share of a service's applications "
                        "finished within its time) or complaints_resolved (the share of its "
                        "complaints settled); empty when not linked"
                    ),
                ),
                Column(
                    "cross_check_service_code",
                    "text",
                    _("The service of the independent source; empty: the whole agency"),
                ),
                Column(
                    "cross_check_value",
                    "decimal",
                    _("The independent value of the same quarter; empty when there is none"),
                ),
                Column(
                    "cross_check_basis",
                    "integer",
                    _(
                        "What the independent value rests on: survey respondents, "
                        "applications completed or complaints received"
                    ),
                ),
                Column(
                    "cross_check_gap",
                    "decimal",
                    _(
                        "The difference between the realisation and the independent value, "
                        "when both exist (and the survey minimum is reached)"
                    ),
                    _("points"),
                ),
                Column(
                    "cross_check_flagged",
                    "boolean",
                    _("The gap is above the threshold of the year's scoring scheme"),
                ),
            ),
            indicator_rows,
            keywords=("Perjanjian Kinerja", "IKU", _("targets"), _("realisations")),
        ),
        Dataset(
            "ikm",
            _("Service satisfaction (IKM)"),
            _(
                "Citizen satisfaction survey results per service and quarter "
                "(PermenPAN-RB 14/2017)."
            ),
            (
                AGENCY_CODE,
                Column("service_code", "text", _("Code of the service"), nullable=False),
                YEAR,
                Column("quarter", "integer", _("Quarter, 1 to 4"), nullable=False),
                Column("respondents", "integer", _("Number of respondents"), _("people")),
                *[
                    Column(
                        f"nrr_{f}",
                        "decimal",
                        format_lazy(
                            "{} {}: {}",
                            _("Mean answer to element"),
                            f,
                            SurveyResponse._meta.get_field(f).verbose_name,
                        ),
                        _("1-4"),
                    )
                    for f in ANSWER_FIELDS
                ],
                Column(
                    "ikm",
                    "decimal",
                    _("IKM: 25 times the mean of the nine means"),
                    _("index 25-100"),
                ),
                Column("grade", "text", _("Service quality A-D; empty with too few respondents")),
                Column(
                    "sufficient",
                    "boolean",
                    _("Enough respondents for a grade (the scheme's minimum)"),
                ),
            ),
            ikm_rows,
            keywords=("IKM", "SKM", _("citizen satisfaction survey")),
        ),
        Dataset(
            "service-figures",
            _("Service figures"),
            _(
                "The figures each agency reports per public service and quarter: applications, "
                "completions on time and late, processing days, complaints and people served."
            ),
            (
                AGENCY_CODE,
                Column("service_code", "text", _("Code of the service")),
                YEAR,
                Column("quarter", "integer", _("Quarter, 1 to 4")),
                *[
                    Column(kind, "decimal" if kind == "avg_processing_days" else "integer", label)
                    for kind, label in ServiceMetric.Kind.choices
                ],
                Column(
                    "on_time_percent",
                    "decimal",
                    _("Completed on time, as a share of those completed"),
                    "%",
                ),
                Column(
                    "complaints_resolved_percent",
                    "decimal",
                    _("Complaints resolved, as a share of those received"),
                    "%",
                ),
            ),
            service_figure_rows,
        ),
        Dataset(
            "follow-up-plans",
            _("Follow-up plans"),
            _(
                "What each agency does about a service whose survey results call for it "
                "(graded C or D, or an element answered poorly): the action, the unit "
                "responsible, the due date, the status and dated updates."
            ),
            (
                AGENCY_CODE,
                Column("service_code", "text", _("Code of the service")),
                Column("survey_year", "integer", _("Year of the survey the plan answers")),
                Column("survey_quarter", "integer", _("Quarter of the survey the plan answers")),
                Column("action", "text", _("What the agency will do")),
                Column("unit_responsible", "text", _("The unit or position responsible")),
                Column("due_date", "date", _("When the action is due")),
                Column("status", "text", _("planned, in_progress or done")),
                Column(
                    "overdue",
                    "boolean",
                    _("Not done and past its due date, on the day of the published run"),
                ),
                Column("completed_on", "date", _("When it was done")),
                Column("updates", "integer", _("Number of dated updates")),
                Column("last_update_on", "date", _("Date of the latest update")),
                Column(
                    "update_log",
                    "text",
                    _("Every update, oldest first, one per line: date (status): text"),
                ),
            ),
            follow_up_rows,
        ),
        Dataset(
            "decisions",
            _("Reward and penalty decisions"),
            _(
                "Per agency and year, how many reward and penalty decisions were approved, by "
                "kind: about its staff (counts below the minimum group size hidden) and about "
                "the agency itself. Never a name or a single decision."
            ),
            (
                AGENCY_CODE,
                YEAR,
                Column(
                    "level",
                    "text",
                    _("staff: about civil servants; agency: about the agency"),
                    nullable=False,
                ),
                *[
                    Column(
                        outcome,
                        "integer",
                        format_lazy("{}: {}", _("Approved decisions of the kind"), label),
                        _("decisions"),
                    )
                    for outcome, label in Outcome.choices
                ],
                Column("total", "integer", _("All approved decisions"), _("decisions")),
                Column(
                    "suppressed",
                    "boolean",
                    _(
                        "Some counts are empty: fewer than the minimum group size, or hidden "
                        "so that a small count cannot be worked out"
                    ),
                ),
            ),
            decision_rows,
            keywords=(_("rewards and penalties"), "TPP"),
        ),
        Dataset(
            "corrections",
            _("Corrections"),
            _(
                "Figures of closed periods that changed after they were published: agency "
                "scores, their components and PK indicator achievements, with the old and new "
                "value, the score runs, the date and the reason from the audit trail."
            ),
            (
                AGENCY_CODE,
                YEAR,
                PERIOD,
                Column(
                    "figure",
                    "text",
                    _("score, k, e, s, ikm, achievement or annual_achievement"),
                    nullable=False,
                ),
                Column("indicator_code", "text", _("Code of the PK indicator, for achievements")),
                Column("old_value", "decimal", _("The value published before")),
                Column("new_value", "decimal", _("The value published now")),
                Column(
                    "previous_run",
                    "integer",
                    _("The score run that published the old value"),
                    nullable=False,
                ),
                Column(
                    "run",
                    "integer",
                    _("The score run that published the new value"),
                    nullable=False,
                ),
                Column(
                    "published_at",
                    "date-time",
                    _("When the new value was published"),
                    nullable=False,
                ),
                Column("reason", "text", _("Why it changed, from the audit trail"), nullable=False),
            ),
            correction_rows,
            keywords=(_("corrections"), _("audit trail"), "Perjanjian Kinerja"),
        ),
        Dataset(
            "goals",
            _("Province goals"),
            _(
                "The goals of the province's development plans (RPJMD, RKPD), their "
                "indicators and the target of each year."
            ),
            (
                Column("goal_code", "text", _("Code of the goal"), nullable=False),
                Column("goal", "text", _("The goal"), nullable=False),
                Column("plan", "text", _("rpjmd (five-year plan) or rkpd (annual plan)")),
                Column("indicator_code", "text", _("Code of the goal indicator"), nullable=False),
                Column("indicator", "text", _("The goal indicator"), nullable=False),
                Column("unit", "text", _("Unit")),
                Column("direction", "text", _("higher or lower: which way is better")),
                YEAR,
                Column("target", "decimal", _("Target of the year"), nullable=False),
            ),
            goal_rows,
            keywords=(_("goals"), "RPJMD", "RKPD"),
        ),
        Dataset(
            "indicator-support",
            _("Cascade: what serves each agency indicator"),
            _(
                "Per indicator of an agency's performance agreement: the province goal "
                "indicator it serves, how many indicators of the staff's performance "
                "contracts (SKP) support it and their mean achievement over the year's "
                "closed quarters, from the published score run. Empty below the minimum "
                "group size of civil servants."
            ),
            (
                AGENCY_CODE,
                YEAR,
                Column("indicator_code", "text", _("Code of the PK indicator"), nullable=False),
                Column("goal_indicator_code", "text", _("Code of the goal indicator it serves")),
                Column(
                    "staff_indicators",
                    "integer",
                    _("SKP indicators supporting it; empty when suppressed"),
                    _("indicators"),
                ),
                Column(
                    "staff_mean_achievement",
                    "decimal",
                    _("Their mean achievement; empty when suppressed or no quarter closed"),
                    "%",
                ),
                Column(
                    "suppressed",
                    "boolean",
                    _("Fewer civil servants than the minimum group size contribute"),
                    nullable=False,
                ),
            ),
            support_rows,
            keywords=(_("goals"), _("cascade"), "Perjanjian Kinerja", "SKP"),
        ),
        Dataset(
            "editions",
            _("Editions"),
            _(
                "The dated editions of the figures: the first score run published after each "
                "quarter closed or after a correction of a closed period, kept for good. Give "
                "a date to any dataset as ?edition=YYYY-MM-DD to read it as first published "
                "that day."
            ),
            (
                Column(
                    "edition",
                    "date",
                    _("The edition's date (WITA), the value of ?edition="),
                    nullable=False,
                ),
                Column("run", "integer", _("The score run of the edition"), nullable=False),
                Column(
                    "published_at", "date-time", _("When the run was published"), nullable=False
                ),
                Column(
                    "quarters_closed",
                    "text",
                    _("The quarters (2026-Q3) first published as closed in this edition"),
                    nullable=False,
                ),
                Column(
                    "corrections",
                    "integer",
                    _("Number of published figures this edition corrected"),
                    nullable=False,
                ),
            ),
            edition_rows,
            keywords=(_("editions"), _("history")),
        ),
    )
}


def _iso(value: datetime.date) -> str:
    """ISO 8601; a time of day in WITA with its offset (+08:00)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return value.isoformat()


def json_value(value: object) -> object:
    """A cell as JSON: decimals as numbers, dates as ISO 8601 text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return _iso(value)
    return value


def csv_value(value: object) -> object:
    """A cell as CSV text: decimals with a dot and no trailing zeros, booleans as
    true/false, dates as ISO 8601."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return _iso(value)
    return value
