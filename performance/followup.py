"""Which public services call for a follow-up plan (rencana tindak lanjut), and which of those
have none yet: read by the HR officers' service list, the leaders' dashboard and the service's
public page, so all three apply the one rule.

The rule (the scheme's parameters, `scoring.follow_up_call`): a service calls for a plan
when, in the latest closed quarter of the last `LOOKBACK_QUARTERS` in which it has a grade
(enough respondents), its grade is C or D or one of the nine elements' mean answers is below
the scheme's `follow_up_nrr_below`. A later quarter with a good grade clears the call; a
quarter with too few respondents neither makes nor clears one. The call is *answered* by a
plan made for that quarter or a later one, or by a plan of the service that is not done yet
(the agency is still working on the service).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from agencies.models import ANSWER_FIELDS, FollowUpPlan, FollowUpUpdate, Service, SurveyResponse

from . import scoring
from .models import ScoreRun, ScoringScheme
from .queries import Ikm, ikm_of

# How far back a grade counts: a year of quarters (the regulation asks for a survey at least
# once a year).
LOOKBACK_QUARTERS = 4
SchemeFor = Callable[[int], scoring.Scheme]


@dataclass(frozen=True)
class Finding:
    """A service whose survey results of `year`/`quarter` call for a follow-up plan: the
    quarter's IKM, why (`call`: the grade, the weak elements), and whether a plan answers
    it (`answered`)."""

    service: Service
    year: int
    quarter: int
    ikm: Ikm
    call: scoring.FollowUpCall
    answered: bool

    @property
    def weak_elements(self) -> list[tuple[str, str, object]]:
        """("U3", the element's name, its mean answer) of each weak element, in order."""
        return [
            (
                f"U{i}",
                SurveyResponse._meta.get_field(ANSWER_FIELDS[i - 1]).verbose_name,
                self.ikm.nrr[i - 1],
            )
            for i in self.call.weak
        ]


def as_of(run: ScoreRun | None) -> datetime.date:
    """The day public pages and open data judge plans on (overdue or not, and the survey
    quarters closed): the day the published run was computed, so a page says the same all
    day; today (WITA) without one."""
    return (run.as_of if run is not None else None) or timezone.localdate()


def scheme_reader(run: ScoreRun | None) -> SchemeFor:
    """The scheme of a year as the published run recorded it, else as stored (read once per
    year), else the defaults."""
    stored: dict[int, scoring.Scheme] = {}

    def scheme_for(year: int) -> scoring.Scheme:
        if run is not None and str(year) in run.schemes:
            return run.scheme(year)
        if year not in stored:
            row = ScoringScheme.objects.filter(year=year).first()
            stored[year] = row.as_scheme() if row else scoring.DEFAULT_SCHEME
        return stored[year]

    return scheme_for


def recent_closed_quarters(
    today: datetime.date, grace_days: int, n: int = LOOKBACK_QUARTERS
) -> list[tuple[int, int]]:
    """The `n` latest quarters closed on `today`, newest first, as (year, quarter)."""
    year, quarter = scoring.last_closed_quarter(today, grace_days)
    out = []
    for _ in range(n):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out


def latest_closed(today: datetime.date) -> tuple[int, int]:
    """(year, quarter) of the latest quarter closed on `today`, by the stored scheme."""
    return recent_closed_quarters(today, scheme_reader(None)(today.year).entry_grace_days, 1)[0]


def _calls(
    services: QuerySet[Service], today: datetime.date, scheme_for: SchemeFor
) -> dict[int, tuple[dict, scoring.FollowUpCall, scoring.Scheme]]:
    """{service id: (the sums of its latest graded quarter, the call, that year's scheme)}
    for each of `services` whose survey results call for a plan. One query."""
    periods = recent_closed_quarters(today, scheme_for(today.year).entry_grace_days)
    in_periods = reduce(or_, (Q(year=y, quarter=q) for y, q in periods))
    rows = (
        SurveyResponse.objects.filter(in_periods, service__in=services)
        .sums_by_quarter("service_id")
        .order_by()
    )
    latest: dict[int, dict] = {}  # service id -> its latest graded quarter's sums
    for row in rows:
        if row["respondents"] < scheme_for(row["year"]).survey_min_responses:
            continue
        known = latest.get(row["service_id"])
        if known is None or (row["year"], row["quarter"]) > (known["year"], known["quarter"]):
            latest[row["service_id"]] = row
    calls = {}
    for service_id, row in latest.items():
        scheme = scheme_for(row["year"])
        sums = [row[f"sum_{f}"] for f in ANSWER_FIELDS]
        call = scoring.follow_up_call(sums, row["respondents"], scheme)
        if call is not None:
            calls[service_id] = (row, call, scheme)
    return calls


def _answers(year: int, quarter: int, status: str, row: dict) -> bool:
    """Whether a plan (of `year`/`quarter`, in `status`) answers the call of `row`'s
    quarter: made for that quarter or a later one, or not done yet."""
    return status != FollowUpPlan.Status.DONE or (year, quarter) >= (row["year"], row["quarter"])


def _finding(service: Service, call: tuple, answered: bool) -> Finding:
    row, why, scheme = call
    return Finding(
        service=service,
        year=row["year"],
        quarter=row["quarter"],
        ikm=ikm_of(row, scheme.survey_min_responses),
        call=why,
        answered=answered,
    )


def findings(
    services: QuerySet[Service], *, today: datetime.date, scheme_for: SchemeFor
) -> dict[int, Finding]:
    """{service id: Finding} for each of `services` whose survey results call for a plan
    (the module's rule), answered or not. Three queries, however many services: the answer
    sums per service and quarter, the services that call for a plan (with their agency and
    region), and their plans."""
    calls = _calls(services, today, scheme_for)
    if not calls:
        return {}
    answered = {
        service_id
        for service_id, year, quarter, status in FollowUpPlan.objects.filter(
            service__in=list(calls)
        ).values_list("service_id", "year", "quarter", "status")
        if _answers(year, quarter, status, calls[service_id][0])
    }
    return {
        service.pk: _finding(service, calls[service.pk], service.pk in answered)
        for service in Service.objects.filter(pk__in=list(calls)).select_related("agency__region")
    }


def finding_for(
    service: Service,
    *,
    today: datetime.date,
    run: ScoreRun | None,
    plans: Iterable[FollowUpPlan] | None = None,
) -> Finding | None:
    """`findings` of one service, by the schemes `run` recorded (a public page's) or the
    stored ones (None). With the service's `plans` already read (a page shows them), one
    query; else two."""
    call = _calls(Service.objects.filter(pk=service.pk), today, scheme_reader(run)).get(service.pk)
    if call is None:
        return None
    if plans is None:
        plans = service.plans.all()
    answered = any(_answers(p.year, p.quarter, p.status, call[0]) for p in plans)
    return _finding(service, call, answered)


def unanswered(found: Iterable[Finding]) -> list[Finding]:
    """The findings no plan answers, by agency and service name."""
    return sorted(
        (f for f in found if not f.answered),
        key=lambda f: (f.service.agency.name, f.service.name, f.service.pk),
    )


def overdue_plans(services: QuerySet[Service], today: datetime.date) -> QuerySet[FollowUpPlan]:
    """The plans of `services` not done whose due date has passed on `today`, the longest
    overdue first, with their service, agency and region."""
    return (
        FollowUpPlan.objects.filter(service__in=services)
        .overdue(today)
        .select_related("service__agency__region")
        .order_by("due_date", "service__agency__name", "service__name", "pk")
    )


def plans_of(service: Service) -> list[FollowUpPlan]:
    """The service's plans, the newest survey quarter first, each with its updates newest
    first (`plan.updates.all()`). Two queries."""
    return list(
        service.plans.prefetch_related(
            Prefetch("updates", queryset=FollowUpUpdate.objects.order_by("-on", "-pk"))
        ).order_by("-year", "-quarter", "due_date", "pk")
    )
