"""Forms of the HR officer's workspace.

None of them takes an agency, a contract, a status or an employee id from the POST data as
such: the contract comes from the URL (checked by the view), an agency from a choice limited
to `agencies_for(user, ...)`, an employee from a NIP looked up inside those agencies, and the
indicator rows of the realisation screens from the server's own list.
"""

from __future__ import annotations

import os
from decimal import Decimal

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from agencies.models import QUARTERS, Agency, Membership
from performance import contracts
from performance.contracts import plain
from performance.evidence import check_evidence
from performance.models import Direction, Employee, Indicator, PerformanceContract
from performance.validators import nip_problem

QUARTER_CHOICES = [(q, label) for q, label in QUARTERS]
TARGET_FIELDS = {q: f"target_q{q}" for q in (1, 2, 3, 4)}
INDICATOR_FIELDS = ("code", "text", "unit", "direction", "weight")
HOLDER_CHOICES = [
    ("agency", _("The agency's Perjanjian Kinerja (PK)")),
    ("employee", _("A civil servant's SKP")),
]


def number_field(label: str, *, required: bool = False) -> forms.DecimalField:
    """A non-negative decimal typed the local way (88,2 in Indonesian, 88.2 in English)."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )


class VersionForm(forms.Form):
    """The contract version the page was read at (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ContractFilter(django_filters.FilterSet):
    """The contract list's filters, over the contracts the user may read."""

    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), label=_("Agency"), empty_label=_("All my agencies")
    )
    year = django_filters.NumberFilter(label=_("Year"))
    status = django_filters.ChoiceFilter(
        choices=PerformanceContract.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    holder = django_filters.ChoiceFilter(
        choices=[("agency", _("Agency (PK)")), ("employee", _("Civil servant (SKP)"))],
        label=_("Holder"),
        empty_label=_("Agency and staff"),
        method="filter_holder",
    )
    q = django_filters.CharFilter(label=_("Name or NIP"), method="filter_search")

    class Meta:
        model = PerformanceContract
        fields: list[str] = []

    def __init__(self, data, *, queryset, agencies) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["agency"].queryset = agencies
        self.form.fields["year"].widget.attrs.update(min=2000, max=2100)

    def filter_holder(self, qs, name, value):
        return qs.filter(employee__isnull=(value == "agency"))

    def filter_search(self, qs, name, value):
        return contracts.search(qs, value.strip())


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class ContractCreateForm(forms.Form):
    """Who holds the new contract, for which year. The agency is one of the officer's; an
    SKP's employee is found by NIP among that agency's staff."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    holder = forms.ChoiceField(
        choices=HOLDER_CHOICES, widget=forms.RadioSelect, label=_("Contract of"), initial="agency"
    )
    nip = forms.CharField(
        label=_("NIP of the civil servant (for an SKP)"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:  # the usual officer: one agency, chosen already
            self.fields["agency"].initial = agencies[0]
        self.fields["year"].initial = contracts.current_year()
        self.employee: Employee | None = None

    def clean(self):
        data = super().clean()
        agency, year = data.get("agency"), data.get("year")
        if agency is None or year is None:
            return data
        if data.get("holder") == "employee":
            nip = (data.get("nip") or "").strip()
            if problem := nip_problem(nip):
                self.add_error("nip", problem)
                return data
            self.employee = Employee.objects.filter(nip=nip, agency=agency).first()
            if self.employee is None:
                self.add_error(
                    "nip",
                    _("No civil servant with this NIP works at %(agency)s.") % {"agency": agency},
                )
                return data
            taken = PerformanceContract.objects.filter(employee=self.employee, year=year)
        else:
            taken = PerformanceContract.objects.filter(agency=agency, employee=None, year=year)
        if taken.exists():
            raise ValidationError(
                _(
                    "This holder already has a contract for %(year)d: open it "
                    "from the contract list."
                )
                % {"year": year}
            )
        return data


class IndicatorForm(forms.ModelForm):
    """An indicator and its four quarterly targets."""

    target_q1 = number_field(_("Target Q1"))
    target_q2 = number_field(_("Target Q2"))
    target_q3 = number_field(_("Target Q3"))
    target_q4 = number_field(_("Target Q4"))

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)  # a copy: inline formsets append their foreign key
        widgets = {
            "text": forms.TextInput(attrs={"size": 40}),
            "weight": forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weight"].localize = True
        self.fields["weight"].widget.is_localized = True
        if self.instance.pk:
            for q, value in contracts.target_values(self.instance).items():
                self.initial[TARGET_FIELDS[q]] = plain(value)
            self.initial["weight"] = plain(self.instance.weight)

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        if weight is not None and weight <= 0:
            raise ValidationError(_("The weight must be greater than 0."))
        return weight

    def targets(self) -> dict[int, Decimal | None]:
        return {q: self.cleaned_data.get(name) for q, name in TARGET_FIELDS.items()}

    def clean(self):
        data = super().clean()
        targets = self.targets()
        if all(v is None for v in targets.values()):
            raise ValidationError(_("Enter a target for at least one quarter."))
        if data.get("direction") == Direction.HIGHER:
            for q, value in targets.items():
                if value is not None and value == 0:
                    self.add_error(
                        TARGET_FIELDS[q], _("Must be greater than 0 when higher is better.")
                    )
        return data


class BaseIndicatorFormSet(BaseInlineFormSet):
    default_error_messages = {
        **BaseInlineFormSet.default_error_messages,
        "too_few_forms": _("A contract needs at least one indicator."),
    }

    def clean(self):
        seen: dict[str, int] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            code = (form.cleaned_data.get("code") or "").strip()
            if not code:
                continue
            if code.lower() in seen:
                form.add_error(
                    "code",
                    _("The code %(code)s is used by another indicator of this contract.")
                    % {"code": code},
                )
            seen[code.lower()] = 1
        # After ours, so a duplicate gets its message on the row, not Django's generic one.
        super().clean()

    def indicator_data(self) -> list[dict]:
        """The new rows as `workspace.create_contract` takes them."""
        out = []
        for form in self.forms:
            if form in self.deleted_forms or not form.has_changed():
                continue
            out.append(
                {**{f: form.cleaned_data[f] for f in INDICATOR_FIELDS}, "targets": form.targets()}
            )
        return out


def indicator_formset(extra: int):
    return inlineformset_factory(
        PerformanceContract,
        Indicator,
        form=IndicatorForm,
        formset=BaseIndicatorFormSet,
        extra=extra,
        min_num=1,
        validate_min=True,
        can_delete=True,
        max_num=100,
        validate_max=True,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why."))
        return reason


class RevisionForm(ReasonForm):
    """New targets of an approved contract's indicators, and why."""

    def __init__(self, *args, indicators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for the revision")
        self.indicators = list(indicators)
        self.rows = []
        for ind in self.indicators:
            names = []
            for q in (1, 2, 3, 4):
                name = f"i{ind.pk}_q{q}"
                self.fields[name] = number_field(
                    _("Target %(code)s Q%(q)d") % {"code": ind.code, "q": q}
                )
                self.initial[name] = plain(contracts.target_values(ind).get(q))
                names.append(name)
            self.rows.append((ind, [self[n] for n in names]))

    def clean(self):
        data = super().clean()
        for ind in self.indicators:
            values = [data.get(f"i{ind.pk}_q{q}") for q in (1, 2, 3, 4)]
            if all(v is None for v in values):
                self.add_error(f"i{ind.pk}_q1", _("Enter a target for at least one quarter."))
            if ind.direction == Direction.HIGHER:
                for q, v in enumerate(values, start=1):
                    if v is not None and v == 0:
                        self.add_error(
                            f"i{ind.pk}_q{q}", _("Must be greater than 0 when higher is better.")
                        )
        return data

    def targets(self) -> dict[int, dict[int, Decimal | None]]:
        return {
            ind.pk: {q: self.cleaned_data.get(f"i{ind.pk}_q{q}") for q in (1, 2, 3, 4)}
            for ind in self.indicators
        }


class RealisationRowForm(forms.Form):
    """One indicator's realisation in the quarter. Its prefix names the indicator, and the
    indicator is the server's, never read from the data."""

    value = number_field(_("Realisation"))
    explanation = forms.CharField(
        label=_("Explanation of variance"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"), required=False, max_length=200, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF, JPG or PNG)"),
        required=False,
        validators=[check_evidence],
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    clear_evidence = forms.BooleanField(label=_("Remove the evidence file"), required=False)

    def __init__(self, *args, indicator, existing, allow_files: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.existing = existing
        self.fields["evidence_file"].widget = forms.FileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png"}
        )
        if not allow_files:
            del self.fields["evidence_file"]
            del self.fields["clear_evidence"]
        elif not (existing and existing.evidence_file):
            del self.fields["clear_evidence"]
        if existing is not None:
            self.initial.update(
                value=plain(existing.value),
                explanation=existing.explanation,
                evidence_url=existing.evidence_url,
            )

    def clean(self):
        data = super().clean()
        if data.get("value") is None and (
            data.get("explanation") or data.get("evidence_url") or data.get("evidence_file")
        ):
            self.add_error(
                "value", _("Enter the realisation this explanation or evidence belongs to.")
            )
        return data

    def as_input(self) -> contracts.RealisationInput:
        d = self.cleaned_data
        return contracts.RealisationInput(
            indicator=self.indicator,
            value=d.get("value"),
            explanation=d.get("explanation", "").strip(),
            evidence_url=d.get("evidence_url", ""),
            evidence_file=d.get("evidence_file") or None,
            clear_evidence=bool(d.get("clear_evidence")),
            existing=self.existing,
        )


class BulkQuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTER_CHOICES, coerce=int)


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label=_("performance.csv file (or the same columns in an .xlsx workbook)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,text/csv,.xlsx,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if os.path.splitext(upload.name or "")[1].lower() not in (".csv", ".xlsx"):
            raise ValidationError(_("Upload a .csv file or an .xlsx workbook."))
        if upload.size > settings.CSV_UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(max)d MB.")
                % {"max": settings.CSV_UPLOAD_MAX_BYTES // 1_048_576}
            )
        return upload


class ConfirmUploadForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PreviewForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    include_unapproved = forms.BooleanField(
        label=_("Include contracts not approved yet"), required=False
    )

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


AUDIT_KINDS = [
    ("contract", _("Contracts")),
    ("indicator", _("Indicators")),
    ("target", _("Targets")),
    ("realisation", _("Realisations")),
    ("membership", _("Roles (memberships)")),
    ("decision", _("Reward and punishment decisions")),
]


class AuditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Records of"), choices=AUDIT_KINDS, required=False)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        label=_("Agency"),
        required=False,
        empty_label=_("All my agencies"),
    )
    user = forms.CharField(label=_("Changed by (user name)"), required=False, max_length=150)
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, agencies, auditor: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if not auditor:  # roles and decisions are the auditor's to read
            self.fields["kind"].choices = AUDIT_KINDS[:4]


ROLE_LABELS = dict(Membership.Role.choices)
