"""What the two sets of decision pages share (the leaders' queue in portal/dashboard, the HR
officers' list in portal/workspace): their forms and filters, and reading a decision the user
may see. No form takes a decision's agency or status from
the POST data: decisions come from the URL or from a choice limited to the user's region."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from agencies.access import agencies_for, has_role
from agencies.models import Agency
from rewards.models import Decision, Objection, Outcome, Rule

ACTIONS = [("approve", _("Approve")), ("reject", _("Reject"))]
TEXT_LIMIT = 4000


def _text(label, *, required: bool, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionFilter(django_filters.FilterSet):
    """Filters of the queue and of the officers' list, over decisions the user may read."""

    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), label=_("Agency"), empty_label=_("All my agencies")
    )
    outcome = django_filters.ChoiceFilter(
        field_name="rule__outcome",
        choices=Outcome.choices,
        label=_("Outcome"),
        empty_label=_("Any outcome"),
    )
    level = django_filters.ChoiceFilter(
        field_name="rule__level",
        choices=Rule.Level.choices,
        label=_("Subject"),
        empty_label=_("Staff and agencies"),
    )
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(
        choices=Decision.Status.choices, label=_("Status"), empty_label=_("Any status")
    )

    class Meta:
        model = Decision
        fields: list[str] = []

    def __init__(self, data, *, queryset, agencies, default_status: str | None = None) -> None:
        if default_status and (data is None or "status" not in data):
            data = data.copy() if data is not None else {}
            data["status"] = default_status
        super().__init__(data, queryset=queryset)
        self.filters["agency"].queryset = agencies


class BulkDecisionForm(forms.Form):
    """Approve or reject the decisions ticked in the queue, with one reason for all."""

    decisions = forms.ModelMultipleChoiceField(
        queryset=Decision.objects.none(),
        label=_("Decisions"),
        error_messages={"required": _("Tick at least one decision.")},
    )
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    reason = _text(
        _("Reason"), required=False, help_text=_("Required for a rejection, optional otherwise.")
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, decisions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decisions"].queryset = decisions

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the rejection."))
        return data


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    reason = _text(
        _("Reason"), required=False, help_text=_("Required for a rejection, optional otherwise.")
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for the rejection."))
        return data


class DecideAllForm(DecideForm):
    """Approve or reject every recommendation matching the queue's filters: the set is the
    one the confirmation page showed, named by its fingerprint."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ReverseForm(forms.Form):
    reason = _text(_("Reason for the reversal"), required=True)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why."))
        return reason


class ObjectionForm(forms.Form):
    text = _text(
        _("Objection"),
        required=True,
        help_text=_("On behalf of the civil servant: why the penalty should be reconsidered."),
    )


class AnswerForm(forms.Form):
    answer = _text(_("Answer"), required=True)


PAGE_SIZE = 50
HISTORY_LIMIT = 100


def require_role(request: HttpRequest, *roles: str) -> None:
    if not has_role(request.user, *roles):
        raise PermissionDenied


def decision_for_user(request: HttpRequest, pk: int, *roles: str) -> Decision:
    """Decision `pk` when it is about an agency the user holds one of `roles` for; else 404."""
    decisions = Decision.objects.for_agencies(agencies_for(request.user, *roles))
    return get_object_or_404(
        decisions.with_subjects().prefetch_related(
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("lodged_by", "answered_by"),
            )
        ),
        pk=pk,
    )


def ordered(decisions: QuerySet) -> QuerySet:
    return decisions.with_subjects().order_by(
        "-year", "agency__name", "rule__order", "employee__name", "period", "pk"
    )


def history(decision: Decision) -> list:
    """The decision's audit trail, oldest first: status, who, when and why."""
    return list(
        decision.history.select_related("history_user").order_by("history_date", "history_id")[
            :HISTORY_LIMIT
        ]
    )
