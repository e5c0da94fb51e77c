"""Forms of the HR officer's service pages: the paper batch (a formset of questionnaire
rows), the quarterly service metrics and the suggestions filter.

None of them takes a service or an agency from the POST data: the service comes from the URL
(checked by the view), and the suggestions filter's choice of services is limited to the
user's own.
"""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from agencies import services
from agencies.models import (
    ANSWER_FIELDS,
    QUARTERS,
    AgeBand,
    Education,
    Occupation,
    Service,
    ServiceMetric,
    Sex,
    SurveyResponse,
)

Kind = ServiceMetric.Kind
QUARTER_CHOICES = [(q, label) for q, label in QUARTERS]
ROW_CHOICES = [(10, "10"), (25, "25"), (50, "50")]
DEFAULT_ROWS = 25
GROUPED = re.compile(r"\d{1,3}([., ]\d{3})+")  # 1.500 / 1,500 / 1 500 / 12.345.678
MAX_ROWS = 50  # rows in one submit (14 fields each, under DATA_UPLOAD_MAX_NUMBER_FIELDS);
# a spreadsheet of thousands goes through import_survey
# The element each answer column holds (short names for the batch table's headers).
ELEMENT_LABELS = {f: SurveyResponse._meta.get_field(f).verbose_name for f in ANSWER_FIELDS}


class LocalDecimalField(forms.DecimalField):
    """A non-negative decimal typed either way: 2,5 or 2.5 (in Indonesian both already
    parse; in English a lone comma is read as the decimal point too)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal("999999999999.99"))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(localize=True, required=False, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if value.count(",") == 1 and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class CountField(LocalDecimalField):
    """A non-negative whole number (a count of applications, complaints or people). Digits
    grouped by thousands are read as one number whichever separator is typed (1.500 the
    Indonesian way, 1,500 the English way, 1 500): a count has no decimals to confuse them
    with."""

    def to_python(self, value):
        if isinstance(value, str) and GROUPED.fullmatch(value.strip()):
            value = re.sub(r"[., ]", "", value)
        return super().to_python(value)

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and value != value.to_integral_value():
            raise ValidationError(_("This is a count: enter a whole number."), code="count")

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric"}


# --- paper batch ------------------------------------------------------------------------


class PaperSetupForm(forms.Form):
    """The batch screen's GET settings: which quarter (default: the current one), and how
    many empty rows."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int, required=False, empty_value=None
    )
    rows = forms.TypedChoiceField(
        label=_("Number of rows"),
        choices=ROW_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_ROWS,
    )

    def __init__(self, *args, today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].widget.attrs.update(min=2000, max=today.year)
        now = services.quarter_of(today)
        self.fields["year"].initial, self.fields["quarter"].initial = now.year, now.quarter

    def clean(self):
        data = super().clean()
        now = services.quarter_of(self.today)
        if "year" in data and data["year"] is None:
            data["year"] = now.year
        if "quarter" in data and data["quarter"] is None:
            data["quarter"] = now.quarter
        year, quarter = data.get("year"), data.get("quarter")
        if year is not None and quarter is not None:
            problem = services.paper_period_problem(year, quarter, self.today)
            if problem == "future":
                self.add_error("quarter", _("This quarter has not started yet."))
            elif problem == "too_old":
                self.add_error(
                    "year",
                    _(
                        "Paper batches are for this year and last year; older questionnaires "
                        "are loaded with import_survey."
                    ),
                )
        return data


class PaperBatchForm(PaperSetupForm):
    """The quarter of the batch being saved (hidden fields of the batch form, checked again
    on POST: a forged or stale period is refused like a wrong answer), and the form's
    one-time token: a batch sent twice is saved once (`services.save_paper_batch`)."""

    rows = None  # the formset's management form counts the rows on POST
    token = forms.UUIDField(
        label=_("Form"),
        widget=forms.HiddenInput(),
        error_messages={
            "required": _("The form was incomplete; reload the page."),
            "invalid": _("The form was incomplete; reload the page."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("year", "quarter"):
            self.fields[name].widget = forms.HiddenInput()
            self.fields[name].required = True
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


def _answer_field(element: str) -> forms.IntegerField:
    message = _("answer 1, 2, 3 or 4")
    return forms.IntegerField(
        label=ELEMENT_LABELS[element],
        required=False,
        min_value=1,
        max_value=4,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "size": 1,
                "maxlength": 1,
                "autocomplete": "off",
                "class": "answer",
            }
        ),
    )


def _profile_field(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "–"), *choices])


class PaperRowForm(forms.Form):
    """One paper questionnaire: the nine answers (1-4), the optional profile and suggestion.
    An empty row is skipped; a row with anything in it needs all nine answers."""

    u1 = _answer_field("u1")
    u2 = _answer_field("u2")
    u3 = _answer_field("u3")
    u4 = _answer_field("u4")
    u5 = _answer_field("u5")
    u6 = _answer_field("u6")
    u7 = _answer_field("u7")
    u8 = _answer_field("u8")
    u9 = _answer_field("u9")
    age_band = _profile_field(_("Age"), AgeBand.choices)
    sex = _profile_field(_("Sex"), Sex.choices)
    education = _profile_field(_("Education"), Education.choices)
    occupation = _profile_field(_("Occupation"), Occupation.choices)
    suggestion = forms.CharField(label=_("Suggestion"), required=False, max_length=2000)

    def cells(self) -> list[tuple[forms.BoundField, str]]:
        """Each control with the name its row's labels and error messages use."""
        return [(self[name], _field_name(name, field.label)) for name, field in self.fields.items()]

    def clean(self):
        data = super().clean()
        for f in ANSWER_FIELDS:
            if data.get(f) is None and f not in self.errors:
                self.add_error(f, _("missing: answer 1, 2, 3 or 4"))
        return data


class BasePaperFormSet(forms.BaseFormSet):
    def filled(self) -> list[dict]:
        """The cleaned data of the rows that have anything in them (valid formset only)."""
        return [f.cleaned_data for f in self.forms if f.has_changed()]

    def row_errors(self) -> list[tuple[int, str, str, str]]:
        """(row number from 1, field label, message, field id) for every error, in order."""
        out = []
        for number, form in enumerate(self.forms, start=1):
            for name, errors in form.errors.items():
                field = form[name]
                for message in errors:
                    out.append((number, _field_name(name, field.label), message, field.auto_id))
        return out

    def clean(self):
        if any(self.errors):
            return
        if not any(f.has_changed() for f in self.forms):
            raise ValidationError(_("Nothing to save: every row is empty."), code="empty")


def _field_name(name: str, label) -> str:
    """ "U4 (cost / fee)" for an answer, the label for the others."""
    if name in ANSWER_FIELDS:
        return f"{name.upper()} ({label})"
    return str(label)


def paper_formset(extra: int) -> type[BasePaperFormSet]:
    return formset_factory(
        PaperRowForm,
        formset=BasePaperFormSet,
        extra=extra,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    )


# --- service metrics --------------------------------------------------------------------


class MetricsForm(forms.Form):
    """The seven quarterly figures of a service. An empty field means "not reported"; a
    stored figure that is emptied is deleted."""

    applications = CountField(label=Kind.APPLICATIONS.label)
    completed_on_time = CountField(label=Kind.COMPLETED_ON_TIME.label)
    completed_late = CountField(label=Kind.COMPLETED_LATE.label)
    avg_processing_days = LocalDecimalField(label=Kind.AVG_PROCESSING_DAYS.label)
    complaints_received = CountField(label=Kind.COMPLAINTS_RECEIVED.label)
    complaints_resolved = CountField(label=Kind.COMPLAINTS_RESOLVED.label)
    users = CountField(
        label=Kind.USERS.label,
        help_text=_("Sets the survey sample the regulation expects for this quarter."),
    )

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if service.standard_days is not None:
            self.fields["avg_processing_days"].help_text = _(
                "The service standard is %(days)d days."
            ) % {"days": service.standard_days}

    def clean(self):
        data = super().clean()
        applications = data.get("applications")
        on_time, late = data.get("completed_on_time"), data.get("completed_late")
        completed = (on_time or 0) + (late or 0)
        if applications is not None and completed > applications:
            message = _(
                "Completed on time plus completed late (%(done)s) is more than the "
                "applications received (%(apps)s)."
            ) % {"done": _plain(completed), "apps": _plain(applications)}
            for name in ("completed_on_time", "completed_late"):
                if data.get(name) is not None:
                    self.add_error(name, message)
        received, resolved = data.get("complaints_received"), data.get("complaints_resolved")
        if received is not None and resolved is not None and resolved > received:
            self.add_error(
                "complaints_resolved",
                _("More complaints resolved (%(res)s) than received (%(rec)s).")
                % {"res": _plain(resolved), "rec": _plain(received)},
            )
        return data

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the fieldsets of the page: (legend, fields)."""
        return [
            (
                _("Applications and completion"),
                [self[n] for n in ("applications", "completed_on_time", "completed_late")]
                + [self["avg_processing_days"]],
            ),
            (_("Complaints"), [self["complaints_received"], self["complaints_resolved"]]),
            (_("People served"), [self["users"]]),
        ]

    def values(self) -> dict[str, Decimal | None]:
        return {name: self.cleaned_data.get(name) for name in Kind.values}


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- suggestions ------------------------------------------------------------------------


class SuggestionFilter(django_filters.FilterSet):
    """Filters of the suggestions list, over the suggestions the user may read."""

    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.none(), label=_("Service"), empty_label=_("All services")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    quarter = django_filters.ChoiceFilter(
        choices=QUARTER_CHOICES, label=_("Quarter"), empty_label=_("Any quarter")
    )
    channel = django_filters.ChoiceFilter(
        choices=SurveyResponse.Channel.choices, label=_("Channel"), empty_label=_("Any channel")
    )

    class Meta:
        model = SurveyResponse
        fields: list[str] = []

    def __init__(self, data, *, queryset, services_qs) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["service"].queryset = services_qs
        self.form.fields["year"].widget.attrs.update(min=2000, max=2100)
