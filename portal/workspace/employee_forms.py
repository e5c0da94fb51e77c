"""Forms of the civil servants' pages (issue 23): the list's filters, a new hire, an edit, a
transfer and an end of employment. The rules behind them are `performance.employees`."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from performance.models import Employee


def date_field(label, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class EmployeeFilter(django_filters.FilterSet):
    """The list's filters, over the civil servants the user may read."""

    q = django_filters.CharFilter(label=_("Name or NIP"), method="filter_search")
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.none(), label=_("Agency"), empty_label=_("All my agencies")
    )
    status = django_filters.ChoiceFilter(
        choices=[("current", _("working now")), ("ended", _("employment ended"))],
        label=_("Employment"),
        empty_label=_("Working now and ended"),
        method="filter_status",
    )

    class Meta:
        model = Employee
        fields: list[str] = []

    def __init__(self, data, *, queryset, agencies) -> None:
        super().__init__(data, queryset=queryset)
        self.filters["agency"].queryset = agencies

    def filter_search(self, qs, name, value):
        text = value.strip()
        return qs.filter(Q(name__icontains=text) | Q(nip__startswith=text)) if text else qs

    def filter_status(self, qs, name, value):
        return qs.filter(ended_on__isnull=(value == "current"))


class EmployeeForm(forms.ModelForm):
    """A civil servant's own details. The NIP is checked by the model's validator
    (`performance.validators.validate_nip`) and must be unique."""

    class Meta:
        model = Employee
        fields = ["nip", "name", "position", "leads_unit"]
        widgets = {
            "nip": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }


class EmployeeCreateForm(EmployeeForm):
    """A new hire: their details, the agency (one of the officer's) and their first day."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    start = date_field(
        _("First day at the agency"),
        required=False,
        help_text=_("Leave empty when it is not known."),
    )

    class Meta(EmployeeForm.Meta):
        fields = ["agency", "nip", "name", "position", "leads_unit"]

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
        self.order_fields(["agency", "nip", "name", "position", "leads_unit", "start"])


class TransferForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("New agency"))
    on = date_field(
        _("First day at the new agency"),
        help_text=_(
            "Quarters that start on or after this day move to the new agency, with their "
            "targets and realisations, as a draft SKP there."
        ),
    )

    def __init__(self, *args, employee: Employee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(pk=employee.agency_id).order_by(
            "name"
        )


class EndForm(forms.Form):
    on = date_field(
        _("Last day of employment"),
        help_text=_("Targets of the quarters that start after this day are removed."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example retirement, resignation, death or dismissal."),
    )
