"""Reading the audit trail (django-simple-history rows) as before/after entries: a contract's
own history for its page, and the filtered trail the auditor browses."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Membership
from performance.contracts import plain
from performance.models import Indicator, PerformanceContract, Realisation, Target

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}
# The fields an entry compares, per model.
TRACKED = {
    "performancecontract": ["status", "return_reason"],
    "indicator": [
        "code",
        "text",
        "unit",
        "direction",
        "weight",
        "annual_target",
        "aggregation",
        "previous_code",
    ],
    "target": ["value"],
    "realisation": ["value", "explanation", "evidence_url", "evidence_name", "late_entered_at"],
    "membership": ["role", "user_id", "agency_id", "region_id"],
    "decision": ["status", "reason"],
}


@dataclass
class Entry:
    """One recorded change: who, when, what, the values before and after, and why."""

    when: datetime.datetime
    who: str
    kind: str
    subject: str
    action: str
    changes: list[tuple[str, str, str]]  # (field, before, after)
    reason: str
    history_id: int


def _text(record: Model, name: str) -> str:
    value = getattr(record, name)
    if value is None or value == "":
        return "–"
    if isinstance(value, Decimal):
        return str(plain(value))
    display = getattr(record, f"get_{name}_display", None)
    return str(display()) if display else str(value)


def _label(model_name: str, name: str, record: Model) -> str:
    field_name = name.removesuffix("_id")
    return str(record._meta.get_field(field_name).verbose_name)


def entry(record: Model, previous: Model | None, kind: str, subject: str) -> Entry | None:
    """The entry of `record` compared with the record before it of the same object (None for
    a change that changed none of the tracked fields)."""
    model_name = record.instance_type._meta.model_name
    fields = TRACKED[model_name]
    changes = []
    for name in fields:
        after = _text(record, name) if record.history_type != "-" else "–"
        before = _text(previous, name) if previous is not None else "–"
        if record.history_type == "-":
            before = _text(record, name)
        if before != after:
            changes.append((_label(model_name, name, record), before, after))
    if record.history_type == "~" and not changes and not record.history_change_reason:
        return None
    user = record.history_user
    return Entry(
        when=record.history_date,
        who=user.get_username() if user else _("import or script"),
        kind=kind,
        subject=subject,
        action=str(ACTIONS[record.history_type]),
        changes=changes,
        reason=record.history_change_reason or "",
        history_id=record.history_id,
    )


def _walk(records: Iterable[Model], kind: str, subject) -> list[Entry]:
    """Entries of records of several objects: each compared with the one before it."""
    by_object: dict[int, list[Model]] = defaultdict(list)
    for r in records:
        by_object[r.id].append(r)
    out = []
    for rows in by_object.values():
        rows.sort(key=lambda r: r.history_id)
        previous = None
        for r in rows:
            if (e := entry(r, previous, kind, subject(r))) is not None:
                out.append(e)
            previous = r
    return out


def contract_history(contract: PerformanceContract) -> list[Entry]:
    """Every recorded change of the contract, its indicators, targets and realisations
    (deleted ones too), newest first. Four queries."""
    indicators = list(
        Indicator.history.filter(contract_id=contract.pk).select_related("history_user")
    )
    codes = {r.id: r.code for r in sorted(indicators, key=lambda r: r.history_id)}
    indicator_ids = list(codes)
    contract_rows = PerformanceContract.history.filter(id=contract.pk).select_related(
        "history_user"
    )
    targets = Target.history.filter(indicator_id__in=indicator_ids).select_related("history_user")
    realisations = Realisation.history.filter(indicator_id__in=indicator_ids).select_related(
        "history_user"
    )
    entries = (
        _walk(contract_rows, _("contract"), lambda r: _("contract"))
        + _walk(indicators, _("indicator"), lambda r: r.code)
        + _walk(targets, _("target"), lambda r: f"{codes.get(r.indicator_id, '?')} Q{r.quarter}")
        + _walk(
            realisations,
            _("realisation"),
            lambda r: f"{codes.get(r.indicator_id, '?')} Q{r.quarter}",
        )
    )
    entries.sort(key=lambda e: (e.when, e.history_id), reverse=True)
    return entries


def target_revisions(entries: Sequence[Entry]) -> list[Entry]:
    """The target changes that carry a reason: the revisions of an approved contract."""
    return [e for e in entries if e.kind == _("target") and e.reason]


# --- the auditor's trail ---------------------------------------------------------------


def _holder(contract) -> str:
    if contract is None:
        return _("(deleted)")
    if contract.employee_id:
        return (
            f"{contract.employee.name if contract.employee else contract.employee_id} "
            f"{contract.year}"
        )
    return f"{contract.agency.name if contract.agency else contract.agency_id} {contract.year}"


def _subject_membership(r) -> str:
    scope = r.agency or r.region or _("province")
    return f"{r.user.get_username() if r.user else r.user_id} · {scope}"


def _subject_decision(r) -> str:
    return (
        f"{r.rule.shown_label if r.rule else r.rule_id} · {r.agency or r.agency_id} "
        f"{r.year} {r.period}"
    )


def trail_kinds() -> dict[str, tuple]:
    """kind -> (history manager, select_related, agency lookup, subject, label)."""
    from rewards.models import Decision

    return {
        "contract": (
            PerformanceContract.history,
            ["agency", "employee"],
            "agency",
            lambda r: _holder(r),
            _("contract"),
        ),
        "indicator": (
            Indicator.history,
            ["contract__agency", "contract__employee"],
            "contract__agency",
            lambda r: f"{r.code} · {_holder(r.contract)}",
            _("indicator"),
        ),
        "target": (
            Target.history,
            ["indicator__contract__agency", "indicator__contract__employee"],
            "indicator__contract__agency",
            _subject_quarter,
            _("target"),
        ),
        "realisation": (
            Realisation.history,
            ["indicator__contract__agency", "indicator__contract__employee"],
            "indicator__contract__agency",
            _subject_quarter,
            _("realisation"),
        ),
        "membership": (
            Membership.history,
            ["user", "agency", "region"],
            "agency",
            _subject_membership,
            _("role"),
        ),
        "decision": (
            Decision.history,
            ["agency", "rule"],
            "agency",
            _subject_decision,
            _("decision"),
        ),
    }


def _subject_quarter(r) -> str:
    ind = r.indicator
    code = ind.code if ind else r.indicator_id
    return f"{code} Q{r.quarter} · {_holder(ind.contract if ind else None)}"


def trail_of(data: dict, *, agencies: QuerySet, auditor: bool) -> tuple[str, QuerySet]:
    """The audit page's kind and rows for its form's cleaned `data`: the user's agencies (an
    auditor's: all), or the one agency chosen."""
    kind = data["kind"] or "contract"
    scope = None if auditor else agencies
    if data["agency"]:
        scope = agencies.model.objects.filter(pk=data["agency"].pk)
    rows = trail(
        kind, agencies=scope, user=data["user"].strip(), since=data["since"], until=data["until"]
    )
    return kind, rows


def trail(
    kind: str,
    *,
    agencies: QuerySet | None,
    user: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet:
    """The history rows of one kind, newest first, with `prev_id` (the row before, of the
    same object). `agencies` None: no agency restriction (the auditor's whole trail)."""
    manager, related, agency_path, _subject, _label = trail_kinds()[kind]
    qs = manager.select_related("history_user", *related)
    if agencies is not None:
        qs = qs.filter(**{f"{agency_path}__in": agencies})
    if user:
        qs = qs.filter(history_user__username__iexact=user)
    if since:
        qs = qs.filter(history_date__date__gte=since)
    if until:
        qs = qs.filter(history_date__date__lte=until)
    previous = manager.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    return qs.annotate(
        prev_id=Subquery(previous.order_by("-history_id").values("history_id")[:1])
    ).order_by("-history_id")


def trail_entries(kind: str, records: Sequence[Model]) -> list[Entry]:
    """Entries of one page of `trail` rows (one more query for the rows before them)."""
    manager, _related, _path, subject, label = trail_kinds()[kind]
    prev_ids = [r.prev_id for r in records if r.prev_id]
    previous = {r.history_id: r for r in manager.filter(history_id__in=prev_ids)}
    out = []
    for r in records:
        e = entry(r, previous.get(r.prev_id), label, subject(r))
        if e is None:  # saved without a change: still listed, as such
            e = Entry(
                when=r.history_date,
                who=r.history_user.get_username() if r.history_user else _("import or script"),
                kind=label,
                subject=subject(r),
                action=str(ACTIONS[r.history_type]),
                changes=[],
                reason="",
                history_id=r.history_id,
            )
        out.append(e)
    return out
