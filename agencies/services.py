"""The rules behind the HR officer's service pages (`/workspace/services/`): paper survey
batches, quarterly service metrics and the citizens' suggestions. Views stay thin; tests call
these directly.

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

from . import audit
from .models import ANSWER_FIELDS, Agency, PaperBatch, Service, ServiceMetric, SurveyResponse

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
    channels), `paper_now` (of those, on paper) and `metrics_closed` (how many of the seven
    metrics are entered for the `closed` quarter): one query with three correlated counts,
    whatever the number of services."""

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
