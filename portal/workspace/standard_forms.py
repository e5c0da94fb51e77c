"""Forms of the service standard and of the follow-up plans (HR officers' service pages).

None takes a service, a plan or an agency from the POST data: the object comes from the URL,
checked by the view. A form read earlier carries the object's last-saved time (`loaded`), so
a save over somebody else's newer change is refused (`agencies.services.StaleEdit`)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agencies import services
from agencies.imports import MAX_STANDARD_DAYS
from agencies.models import (
    PLAN_TEXT,
    QUARTERS,
    STANDARD_FIELDS,
    STANDARD_LONG,
    STANDARD_SHORT,
    FollowUpPlan,
    FollowUpUpdate,
    Service,
)

from .service_forms import LocalDecimalField


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _text(model, name: str, limit: int, rows: int, help_text=None, required=False):
    return forms.CharField(
        label=_label(model, name),
        max_length=limit,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _one_line_breaks(value: str) -> str:
    """Line breaks as newlines (a browser sends CRLF), so a text typed here equals the same
    text imported."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _loaded(value: str) -> datetime.datetime | None:
    return parse_datetime(value) if value else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class StandardForm(forms.Form):
    """The components of a service standard a citizen needs (PermenPAN-RB 15/2014). Every
    field may be empty: the public page then says "not provided yet"."""

    loaded = forms.CharField(widget=forms.HiddenInput, required=False)
    requirements = _text(
        Service,
        "requirements",
        STANDARD_LONG,
        8,
        _("What a citizen brings or fills in, one requirement per line."),
    )
    procedure = _text(
        Service, "procedure", STANDARD_LONG, 8, _("The steps in order, one step per line.")
    )
    standard_days = forms.IntegerField(
        label=_label(Service, "standard_days"),
        required=False,
        min_value=0,
        max_value=MAX_STANDARD_DAYS,
        help_text=_("Working days from a complete application to the result; 0: the same day."),
    )
    fee = LocalDecimalField(
        label=_label(Service, "fee"),
        help_text=_("0 when the service is free of charge."),
    )
    fee_note = _text(
        Service,
        "fee_note",
        STANDARD_SHORT,
        2,
        _("The regulation that sets the fee, or how it varies (a tariff per class...)."),
    )
    location = _text(
        Service, "location", STANDARD_SHORT, 3, _("The office and counter, with the address.")
    )
    opening_hours = _text(Service, "opening_hours", STANDARD_SHORT, 3)
    complaint_url = forms.URLField(
        label=_label(Service, "complaint_url"),
        max_length=STANDARD_SHORT,
        required=False,
        assume_scheme="https",
        help_text=_("The agency's page on SP4N-LAPOR! (https://www.lapor.go.id) or its own."),
    )
    complaint_contact = _text(
        Service,
        "complaint_contact",
        STANDARD_SHORT,
        3,
        _("A telephone or WhatsApp number, an e-mail address, a complaint desk."),
    )

    def clean(self) -> dict:
        data = super().clean()
        for name, value in data.items():
            if isinstance(value, str) and name != "loaded":
                data[name] = _one_line_breaks(value)
        return data

    def values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in STANDARD_FIELDS}

    def loaded_at(self) -> datetime.datetime | None:
        return _loaded(self.cleaned_data["loaded"])

    @staticmethod
    def initial_for(service: Service) -> dict:
        initial = {name: getattr(service, name) for name in STANDARD_FIELDS}
        if service.fee is not None:
            initial["fee"] = service.fee.normalize()
        initial["loaded"] = (
            service.standard_updated_at.isoformat() if service.standard_updated_at else ""
        )
        return initial


class PlanForm(forms.Form):
    """A new follow-up plan: the survey quarter it answers, what will be done, by which unit,
    by when."""

    year = forms.IntegerField(label=_("Survey year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Survey quarter"), choices=QUARTERS, coerce=int)
    action = _text(
        FollowUpPlan,
        "action",
        PLAN_TEXT,
        4,
        _("What the agency will do about what the survey showed."),
        required=True,
    )
    unit = forms.CharField(
        label=_label(FollowUpPlan, "unit"),
        max_length=200,
        help_text=_(
            "A unit or a position (Bidang Pelayanan, Kepala Seksi Pendaftaran), never a "
            "person's name: the plan is public."
        ),
    )
    due_date = forms.DateField(label=_label(FollowUpPlan, "due_date"), widget=DateInput())

    def __init__(self, *args, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_due_date(self) -> datetime.date:
        due = self.cleaned_data["due_date"]
        if due < self.today:
            raise ValidationError(_("The due date has passed already."), code="past")
        return due

    def clean(self) -> dict:
        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        if year and quarter and not services.metrics_period_allowed(year, quarter, self.today):
            self.add_error("quarter", _("This quarter has not started yet."))
        if "action" in data:
            data["action"] = _one_line_breaks(data["action"])
        return data


class PlanEditForm(forms.Form):
    """A plan's action, unit and due date. Moving the due date needs a reason, published
    with the plan's updates."""

    loaded = forms.CharField(widget=forms.HiddenInput)
    action = PlanForm.base_fields["action"]
    unit = PlanForm.base_fields["unit"]
    due_date = forms.DateField(label=_label(FollowUpPlan, "due_date"), widget=DateInput())
    reason = forms.CharField(
        label=_("Why the due date moves"),
        required=False,
        max_length=PLAN_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the due date changes; published with the plan's updates."),
    )

    def __init__(self, *args, plan: FollowUpPlan, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.today = plan, today

    def clean(self) -> dict:
        data = super().clean()
        due = data.get("due_date")
        if due is not None and due != self.plan.due_date:
            if due < self.today:
                self.add_error("due_date", _("The due date has passed already."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the due date moves."))
        for name in ("action", "reason"):
            if name in data:
                data[name] = _one_line_breaks(data[name])
        return data

    def loaded_at(self) -> datetime.datetime | None:
        return _loaded(self.cleaned_data["loaded"])

    @staticmethod
    def initial_for(plan: FollowUpPlan) -> dict:
        return {
            "action": plan.action,
            "unit": plan.unit,
            "due_date": plan.due_date,
            "loaded": plan.updated_at.isoformat(),
        }


class PlanUpdateForm(forms.Form):
    """A dated update of a plan and the status it leaves the plan in."""

    on = forms.DateField(label=_("Date"), widget=DateInput())
    text = _text(
        FollowUpUpdate,
        "text",
        PLAN_TEXT,
        4,
        _("What was done since the last update."),
        required=True,
    )
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpPlan.Status.choices)

    def __init__(self, *args, plan: FollowUpPlan, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.today = plan, today
        self.fields["on"].widget.attrs["max"] = today.isoformat()

    def clean_on(self) -> datetime.date:
        on = self.cleaned_data["on"]
        if on > self.today:
            raise ValidationError(_("This date has not come yet."), code="future")
        if on < timezone.localdate(self.plan.created_at):
            raise ValidationError(_("The plan was made after this date."), code="early")
        return on

    def clean_text(self) -> str:
        return _one_line_breaks(self.cleaned_data["text"])
