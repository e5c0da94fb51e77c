"""The rules behind the HR officer's service pages (`/workspace/services/`): paper survey
batches, quarterly service metrics, the citizens' suggestions, the service standard and the
follow-up plans. Views stay thin; tests call these directly.

Every function takes objects the caller has already checked (a service of an agency the user
may write to); none of them looks at the request.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import audit
from .models import (
    ANSWER_FIELDS,
    STANDARD_FIELDS,
    Agency,
    FollowUpPlan,
    FollowUpUpdate,
    PaperBatch,
    Service,
    ServiceMetric,
    SurveyResponse,
)

Kind = ServiceMetric.Kind
METRIC_KINDS: list[str] = list(Kind.values)
# Paper batches are for the current and the previous year: older questionnaires go through
# `import_survey` (which an administrator runs), so a late batch cannot quietly rewrite an IKM
# that has long been published.
PAPER_YEARS_BACK = 1
PROFILE_FIELDS = ("age_band", "sex", "education", "occupation")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def previous(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)


def quarter_of(day: datetime.date) -> Quarter:
    """The quarter `day` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def paper_period_problem(year: int, quarter: int, today: datetime.date) -> str | None:
    """Why a paper batch cannot be entered for `year`/`quarter` on `today`, or None.
    A quarter that has not started yet cannot have questionnaires; older than the previous
    year goes through `import_survey`. Returns a key the form turns into a message."""
    now = quarter_of(today)
    if Quarter(year, quarter) > now:
        return "future"
    if year < now.year - PAPER_YEARS_BACK:
        return "too_old"
    return None


def metrics_period_allowed(year: int, quarter: int, today: datetime.date) -> bool:
    """Figures can be entered for any quarter from 2000 up to the current one."""
    return 1 <= quarter <= 4 and year >= 2000 and Quarter(year, quarter) <= quarter_of(today)


# --- reads ------------------------------------------------------------------------------


def services_overview(services: QuerySet, *, current: Quarter, closed: Quarter) -> QuerySet:
    """`services` with `responses_now` (SKM responses in the `current` quarter, all
    channels), `paper_now` (of those, on paper), `metrics_closed` (how many of the seven
    metrics are entered for the `closed` quarter) and `plans_open` (follow-up plans not done):
    one query with four correlated counts, whatever the number of services."""

    def count(model, **where) -> Coalesce:
        rows = (
            model.objects.filter(service=OuterRef("pk"), **where)
            .order_by()
            .values("service")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    now = {"year": current.year, "quarter": current.quarter}
    return services.select_related("agency").annotate(
        responses_now=count(SurveyResponse, **now),
        paper_now=count(SurveyResponse, channel=SurveyResponse.Channel.PAPER, **now),
        metrics_closed=count(ServiceMetric, year=closed.year, quarter=closed.quarter),
        plans_open=count(
            FollowUpPlan,
            status__in=[FollowUpPlan.Status.PLANNED, FollowUpPlan.Status.IN_PROGRESS],
        ),
    )


def metrics_by_quarter(
    service: Service, *, today: datetime.date, years_shown: int = 2
) -> list[tuple[Quarter, dict[str, Decimal]]]:
    """[(quarter, {kind: value})], newest first: every quarter of the last `years_shown`
    years up to the current one (so a missing quarter shows as a row to fill), and every older
    quarter that has figures. One query."""
    values: dict[Quarter, dict[str, Decimal]] = {}
    for m in ServiceMetric.objects.filter(service=service).order_by():
        values.setdefault(Quarter(m.year, m.quarter), {})[m.kind] = m.value
    now = quarter_of(today)
    q, quarters = now, set(values)
    while q.year > now.year - years_shown:
        quarters.add(q)
        q = q.previous()
    return [(q, values.get(q, {})) for q in sorted(quarters, reverse=True) if q <= now]


def metric_values(service: Service, year: int, quarter: int) -> dict[str, Decimal]:
    """{kind: value} of the metrics stored for one service and quarter."""
    return dict(
        ServiceMetric.objects.filter(service=service, year=year, quarter=quarter).values_list(
            "kind", "value"
        )
    )


def suggestions(agencies: QuerySet[Agency]) -> QuerySet[SurveyResponse]:
    """The non-empty suggestions of the services of `agencies`, newest first."""
    return (
        SurveyResponse.objects.filter(service__agency__in=agencies)
        .exclude(suggestion="")
        .select_related("service", "service__agency")
        .only(
            "pk",
            "year",
            "quarter",
            "channel",
            "submitted_at",
            "suggestion",
            "service__code",
            "service__name",
            "service__agency__name",
            "service__agency__acronym",
        )
        .order_by("-submitted_at", "-pk")
    )


# --- writes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperSaved:
    """What `save_paper_batch` did: `responses` stored now, or, when the form's batch had
    been saved before (`again`), the number that batch stored then and nothing new."""

    responses: int
    again: bool = False


def save_paper_batch(
    *,
    service: Service,
    year: int,
    quarter: int,
    rows: Iterable[Mapping],
    user,
    token: uuid.UUID,
) -> PaperSaved:
    """Store paper questionnaires as SKM responses (channel `paper`, `entered_by` = `user`)
    in one INSERT per 1,000 rows, in one transaction: all rows or none. Each row maps
    `u1`..`u9` (1-4, already validated) and optionally the profile fields and `suggestion`.

    `token` is the one-time token of the form the rows were typed into: a second batch with
    the same token stores nothing (a double click or a resent form would double the
    quarter's respondents). Two sends at the same moment are told apart by the token's
    primary key: the second waits for the first's transaction, then finds its batch."""
    rows = list(rows)
    try:
        with transaction.atomic():
            PaperBatch.objects.create(
                token=token,
                service=service,
                year=year,
                quarter=quarter,
                responses=len(rows),
                entered_by=user,
            )
            _insert_paper_rows(service, year, quarter, rows, user)
    except IntegrityError:
        saved = PaperBatch.objects.filter(token=token).first()
        if saved is None:
            raise
        return PaperSaved(saved.responses, again=True)
    return PaperSaved(len(rows))


def _insert_paper_rows(
    service: Service, year: int, quarter: int, rows: list[Mapping], user
) -> None:
    responses = [
        SurveyResponse(
            service=service,
            year=year,
            quarter=quarter,
            channel=SurveyResponse.Channel.PAPER,
            entered_by=user,
            suggestion=(row.get("suggestion") or "").strip(),
            **{f: row[f] for f in ANSWER_FIELDS},
            **{f: row.get(f) or "" for f in PROFILE_FIELDS},
        )
        for row in rows
    ]
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    audit.record(
        user,
        "survey:paper",
        f"{service.agency.code}/{service.code} {year} Q{quarter}",
        agency_id=service.agency_id,
        responses=len(responses),
    )


@dataclass(frozen=True)
class MetricsSaved:
    created: list[str]
    updated: list[str]
    deleted: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def save_metrics(
    *, service: Service, year: int, quarter: int, values: Mapping[str, Decimal | None], user
) -> MetricsSaved:
    """Make the stored metrics of one service and quarter equal `values` ({kind: value or
    None}): a new value is inserted, a changed one updated, a None deletes the stored figure
    (the officer emptied it). One transaction; the insert and update are one upsert on the
    natural key, so two officers saving at once cannot collide on the unique constraint."""
    with transaction.atomic():
        stored = dict(
            ServiceMetric.objects.select_for_update()
            .filter(service=service, year=year, quarter=quarter)
            .values_list("kind", "value")
        )
        upsert = {k: v for k, v in values.items() if v is not None and stored.get(k) != v}
        gone = [k for k, v in values.items() if v is None and k in stored]
        if upsert:
            ServiceMetric.objects.bulk_create(
                [
                    ServiceMetric(service=service, year=year, quarter=quarter, kind=k, value=v)
                    for k, v in upsert.items()
                ],
                update_conflicts=True,
                unique_fields=["service", "year", "quarter", "kind"],
                update_fields=["value"],
            )
        if gone:
            ServiceMetric.objects.filter(
                service=service, year=year, quarter=quarter, kind__in=gone
            ).delete()
        if upsert or gone:  # before and after, for the audit trail
            audit.record(
                user,
                "service:metrics",
                f"{service.agency.code}/{service.code} {year} Q{quarter}",
                agency_id=service.agency_id,
                before={k: str(stored[k]) for k in [*upsert, *gone] if k in stored},
                after={k: str(v) for k, v in upsert.items()},
            )
    return MetricsSaved(
        created=[k for k in upsert if k not in stored],
        updated=[k for k in upsert if k in stored],
        deleted=gone,
    )


# --- the service standard -----------------------------------------------------------------


class StaleEdit(Exception):
    """The object was saved by someone else since the form was read; nothing was written.
    `current` is the object as it is now."""

    def __init__(self, current: object) -> None:
        super().__init__("saved by someone else since the form was read")
        self.current = current


def _subject(service: Service) -> str:
    return f"{service.agency.code}/{service.code}"


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def save_standard(
    *,
    service: Service,
    values: Mapping[str, object],
    loaded: datetime.datetime | None,
    user,
) -> list[str]:
    """Set the service standard of `service` (`STANDARD_FIELDS`, all of them in `values`) and
    return the names of the fields that changed. One transaction with the row locked:
    `loaded` is the standard's `standard_updated_at` when the form was read, and when the
    standard was saved since (by another officer, or an import), StaleEdit is raised and
    nothing is written, so nobody overwrites a change they never saw. A change moves
    `standard_updated_at` on and is recorded in the audit trail with before and after."""
    with transaction.atomic():
        current = Service.objects.select_for_update().select_related("agency").get(pk=service.pk)
        if current.standard_updated_at != loaded:
            raise StaleEdit(current)
        changed = [f for f in STANDARD_FIELDS if getattr(current, f) != values[f]]
        if not changed:
            return []
        before = {f: _as_text(getattr(current, f)) for f in changed}
        for f in changed:
            setattr(current, f, values[f])
        current.standard_updated_at = timezone.now()
        current.save(update_fields=[*changed, "standard_updated_at"])
        audit.record(
            user,
            "service:standard",
            _subject(current),
            agency_id=current.agency_id,
            before=before,
            after={f: _as_text(values[f]) for f in changed},
        )
    service.refresh_from_db()
    return changed


# --- follow-up plans ------------------------------------------------------------------------

PLAN_FIELDS = ("action", "unit", "due_date")


def _plan_values(plan: FollowUpPlan, names: Iterable[str]) -> dict[str, str | None]:
    return {f: _as_text(getattr(plan, f)) for f in names}


def create_plan(
    *,
    service: Service,
    year: int,
    quarter: int,
    action: str,
    unit: str,
    due_date: datetime.date,
    user,
) -> FollowUpPlan:
    """A new follow-up plan of `service` answering its survey results of `year`/`quarter`,
    status planned, recorded in the audit trail."""
    with transaction.atomic():
        plan = FollowUpPlan.objects.create(
            service=service,
            year=year,
            quarter=quarter,
            action=action,
            unit=unit,
            due_date=due_date,
            created_by=user,
        )
        audit.record(
            user,
            "service:plan",
            f"{_subject(service)} {year} Q{quarter}",
            agency_id=service.agency_id,
            plan=plan.pk,
            after=_plan_values(plan, ("year", "quarter", *PLAN_FIELDS, "status")),
        )
    return plan


def edit_plan(
    *,
    plan: FollowUpPlan,
    action: str,
    unit: str,
    due_date: datetime.date,
    reason: str,
    loaded: datetime.datetime,
    on: datetime.date,
    user,
) -> list[str]:
    """Change a plan's action, unit or due date and return the names of the fields that
    changed. A moved due date is also a dated update of the plan (`on`, the `reason`, old
    and new date), public like the others, so a plan cannot quietly stop being overdue.
    `loaded` is the plan's `updated_at` when the form was read: StaleEdit when it was
    changed since, and nothing is written. Recorded in the audit trail."""
    wanted = {"action": action, "unit": unit, "due_date": due_date}
    with transaction.atomic():
        current = (
            FollowUpPlan.objects.select_for_update()
            .select_related("service__agency")
            .get(pk=plan.pk)
        )
        if current.updated_at != loaded:
            raise StaleEdit(current)
        changed = [f for f, v in wanted.items() if getattr(current, f) != v]
        if not changed:
            return []
        before = _plan_values(current, changed)
        if "due_date" in changed:
            FollowUpUpdate.objects.create(
                plan=current,
                on=on,
                text=reason,
                status=current.status,
                previous_due_date=current.due_date,
                due_date=due_date,
                entered_by=user,
            )
        for f in changed:
            setattr(current, f, wanted[f])
        current.save(update_fields=[*changed, "updated_at"])
        audit.record(
            user,
            "service:plan",
            f"{_subject(current.service)} {current.year} Q{current.quarter}",
            agency_id=current.service.agency_id,
            plan=current.pk,
            before=before,
            after=_plan_values(current, changed),
            reason=reason,
        )
    plan.refresh_from_db()
    return changed


def add_plan_update(
    *, plan: FollowUpPlan, on: datetime.date, text: str, status: str, user
) -> FollowUpUpdate:
    """A dated update of a plan, which sets the plan's status: done records the update's
    date as the day it was completed; any other status (a plan reopened) clears it. One
    transaction with the plan locked; recorded in the audit trail."""
    with transaction.atomic():
        current = (
            FollowUpPlan.objects.select_for_update()
            .select_related("service__agency")
            .get(pk=plan.pk)
        )
        before = current.status
        update = FollowUpUpdate.objects.create(
            plan=current, on=on, text=text, status=status, entered_by=user
        )
        current.status = status
        current.completed_on = on if status == FollowUpPlan.Status.DONE else None
        current.save(update_fields=["status", "completed_on", "updated_at"])
        audit.record(
            user,
            "service:plan_update",
            f"{_subject(current.service)} {current.year} Q{current.quarter}",
            agency_id=current.service.agency_id,
            plan=current.pk,
            before={"status": before},
            after={"status": status, "on": on.isoformat()},
        )
    plan.refresh_from_db()
    return update
