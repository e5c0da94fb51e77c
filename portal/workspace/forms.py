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
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import QUARTERS, Agency, Membership, quarter_name
from performance import cascade, contracts, late
from performance.contracts import plain
from performance.evidence import check_evidence
from performance.models import (
    Aggregation,
    Direction,
    Employee,
    Indicator,
    LateChange,
    PerformanceContract,
)
from performance.validators import nip_problem

QUARTER_CHOICES = [(q, label) for q, label in QUARTERS]
TARGET_FIELDS = {q: f"target_q{q}" for q in (1, 2, 3, 4)}
INDICATOR_FIELDS = (
    "code",
    "text",
    "unit",
    "direction",
    "weight",
    "annual_target",
    "aggregation",
    "previous_code",
)
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
            self.employee = Employee.objects.current().filter(nip=nip, agency=agency).first()
            if self.employee is None:
                self.add_error(
                    "nip",
                    _("No civil servant with this NIP works at %(agency)s.") % {"agency": agency},
                )
                return data
            taken = PerformanceContract.objects.filter(
                employee=self.employee, agency=agency, year=year
            )
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


def aggregation_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Annual aggregation"),
        choices=[("", _("none (no annual target)")), *Aggregation.choices],
        required=False,
        help_text=_("How the quarters' realisations make the annual one (with an annual target)."),
    )


def previous_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Last year's code"),
        required=False,
        max_length=30,
        help_text=_("Only when last year's same indicator had another code."),
    )


def parent_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Serves (parent code)"),
        required=False,
        max_length=30,
        help_text=_(
            "The cascade: for the agency's PK, the code of the province goal indicator it "
            "serves; for an SKP, the code of the agency's PK indicator of the same year."
        ),
    )


class IndicatorForm(forms.ModelForm):
    """An indicator, its four quarterly targets and, optionally, its annual target with its
    aggregation, last year's code (checked against the holder's contract of the year
    before: `previous_codes`, None when unknown yet) and the code of what it serves in the
    cascade (`parent_scope`: (agency-held, agency id, year), None when unknown yet;
    `performance.cascade.resolve`)."""

    target_q1 = number_field(_("Target Q1"))
    target_q2 = number_field(_("Target Q2"))
    target_q3 = number_field(_("Target Q3"))
    target_q4 = number_field(_("Target Q4"))
    annual_target = number_field(_("Annual target (optional)"))
    aggregation = aggregation_field()
    previous_code = previous_code_field()
    parent_code = parent_code_field()

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)  # a copy: inline formsets append their foreign key
        widgets = {
            "text": forms.TextInput(attrs={"size": 40}),
            "weight": forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        }

    def __init__(
        self, *args, holder: tuple | None = None, parent_scope: tuple | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parent_scope = parent_scope
        # (year, the codes of the holder's contract of the year before): see
        # `contracts.previous_year_codes`; None when the holder is not known yet.
        self.holder = holder
        self.fields["weight"].localize = True
        self.fields["weight"].widget.is_localized = True
        if self.instance.pk:
            for q, value in contracts.target_values(self.instance).items():
                self.initial[TARGET_FIELDS[q]] = plain(value)
            self.initial["weight"] = plain(self.instance.weight)
            self.initial["annual_target"] = plain(self.instance.annual_target)
            self.initial["parent_code"] = cascade.parent_code_of(self.instance)

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
        year, codes = self.holder if self.holder is not None else (None, None)
        previous_code = (data.get("previous_code") or "").strip()
        for name, problem in contracts.indicator_problems(
            direction=data.get("direction"),
            annual_target=data.get("annual_target"),
            aggregation=data.get("aggregation") or "",
            previous_code=previous_code,
            previous_codes=codes,
            # A code kept as it was stored is not checked again.
            year=year if previous_code != self.instance.previous_code else None,
        ).items():
            if name not in self.errors:  # a value already refused (not a number...) is enough
                self.add_error(name, problem)
        if "previous_code" in data:
            data["previous_code"] = (data["previous_code"] or "").strip()
        self._clean_parent(data)
        return data

    def _clean_parent(self, data: dict) -> None:
        """Resolve `parent_code` to the goal indicator or PK indicator it names in the
        holder's agency and year, onto the instance (and `data`), or refuse it."""
        code = (data.get("parent_code") or "").strip()
        data["parent_code"] = code
        if self.parent_scope is None or "parent_code" in self.errors:
            return
        agency_held, agency, year = self.parent_scope
        if not agency_held and code and code == (data.get("code") or "").strip():
            self.add_error("parent_code", _("An SKP indicator serves a PK indicator."))
            return
        found = cascade.resolve(agency_held=agency_held, agency_id=agency.pk, year=year, code=code)
        if found is None:
            self.add_error(
                "parent_code",
                cascade.parent_problem(
                    agency_held=agency_held, code=code, agency_name=agency.code, year=year
                ),
            )
            return
        data["goal_indicator"], data["parent"] = found
        self.instance.goal_indicator, self.instance.parent = found


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
                {
                    **{f: form.cleaned_data[f] for f in INDICATOR_FIELDS},
                    "goal_indicator": form.cleaned_data.get("goal_indicator"),
                    "parent": form.cleaned_data.get("parent"),
                    "targets": form.targets(),
                }
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
    """New targets of an approved contract's indicators (their annual target, aggregation
    and last year's code too), and why. `holder`: as `IndicatorForm`'s."""

    def __init__(self, *args, indicators, holder: tuple | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Reason for the revision")
        self.indicators = list(indicators)
        self.holder = holder
        self.rows = []
        for ind in self.indicators:
            names = []
            for q in (1, 2, 3, 4):
                name = f"i{ind.pk}_q{q}"
                self.fields[name] = number_field(
                    _("Target %(code)s %(q)s") % {"code": ind.code, "q": quarter_name(q)}
                )
                self.initial[name] = plain(contracts.target_values(ind).get(q))
                names.append(name)
            self.fields[f"i{ind.pk}_annual_target"] = number_field(_("Annual target (optional)"))
            self.fields[f"i{ind.pk}_aggregation"] = aggregation_field()
            self.fields[f"i{ind.pk}_previous_code"] = previous_code_field()
            self.initial.update(
                {
                    f"i{ind.pk}_annual_target": plain(ind.annual_target),
                    f"i{ind.pk}_aggregation": ind.aggregation,
                    f"i{ind.pk}_previous_code": ind.previous_code,
                }
            )
            annual = [self[f"i{ind.pk}_{name}"] for name in contracts.ANNUAL_FIELDS]
            self.rows.append((ind, [self[n] for n in names], annual))

    def clean(self):
        data = super().clean()
        year, codes = self.holder if self.holder is not None else (None, None)
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
            previous_code = (data.get(f"i{ind.pk}_previous_code") or "").strip()
            for name, problem in contracts.indicator_problems(
                direction=ind.direction,
                annual_target=data.get(f"i{ind.pk}_annual_target"),
                aggregation=data.get(f"i{ind.pk}_aggregation") or "",
                previous_code=previous_code,
                previous_codes=codes,
                year=year if previous_code != ind.previous_code else None,
            ).items():
                if f"i{ind.pk}_{name}" not in self.errors:
                    self.add_error(f"i{ind.pk}_{name}", problem)
        return data

    def targets(self) -> dict[int, dict[int, Decimal | None]]:
        return {
            ind.pk: {q: self.cleaned_data.get(f"i{ind.pk}_q{q}") for q in (1, 2, 3, 4)}
            for ind in self.indicators
        }

    def annual(self) -> dict[int, dict[str, object]]:
        """{indicator id: {annual_target, aggregation, previous_code}} as entered."""
        d = self.cleaned_data
        return {
            ind.pk: {
                "annual_target": d.get(f"i{ind.pk}_annual_target"),
                "aggregation": d.get(f"i{ind.pk}_aggregation") or "",
                "previous_code": (d.get(f"i{ind.pk}_previous_code") or "").strip(),
            }
            for ind in self.indicators
        }


class LateReasonForm(forms.Form):
    """Why realisations of a closed quarter change: required when one does (a late change
    waits for an approver with this reason)."""

    late_reason = forms.CharField(
        label=_("Reason for the late change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "This quarter has closed. A new or changed value counts only once an approver "
            "of the agency confirms it; say why it comes late."
        ),
    )


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

    def clean(self):
        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        if (
            year
            and quarter
            and (problem := late.not_started_problem(year, quarter, timezone.localdate()))
        ):
            raise ValidationError(problem)
        return data


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
    late_reason = forms.CharField(
        label=_("Reason for late realisations (if any)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "A realisation of a closed quarter that the file adds or changes is a late change: "
            "it counts only once an approver of the agency confirms it, and needs this reason. "
            "Without one such rows are refused."
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


class LateDecisionForm(forms.Form):
    """Confirm or reject the late changes ticked in the approvers' queue (only those of the
    queue: another agency's id is refused), with one note for all; required for a
    rejection."""

    changes = forms.ModelMultipleChoiceField(
        queryset=LateChange.objects.none(),
        label=_("Late changes"),
        error_messages={"required": _("Tick at least one late change.")},
    )
    action = forms.ChoiceField(
        choices=[("confirm", _("Confirm")), ("reject", _("Reject"))], label=_("Action")
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a rejection: the officer reads it."),
    )

    def __init__(self, *args, changes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["changes"].queryset = changes

    def clean(self):
        data = super().clean()
        data["note"] = (data.get("note") or "").strip()
        if data.get("action") == "reject" and not data["note"]:
            self.add_error("note", _("Say why the late change is rejected."))
        return data


class OwnObjectionForm(forms.Form):
    """A civil servant's own objection (keberatan), to a penalty or to their predikat."""

    text = forms.CharField(
        label=_("Objection"),
        max_length=4000,
        help_text=_("Why it should be reconsidered, in your own words."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AccountFilter(django_filters.FilterSet):
    """The civil servants' accounts page: one of the officer's agencies, with or without an
    account, by name or NIP."""

    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), label=_("Agency"), empty_label=_("All my agencies")
    )
    account = django_filters.ChoiceFilter(
        choices=[("yes", _("With an account")), ("no", _("Without an account"))],
        label=_("Own account"),
        empty_label=_("With and without"),
        method="filter_account",
    )
    q = django_filters.CharFilter(label=_("Name or NIP"), method="filter_search")

    class Meta:
        model = Employee
        fields: list[str] = []

    def __init__(self, data, *, queryset, agencies) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["agency"].queryset = agencies

    def filter_account(self, qs, name, value):
        return qs.filter(user__isnull=(value == "no"))

    def filter_search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(nip__startswith=value)) if value else qs
