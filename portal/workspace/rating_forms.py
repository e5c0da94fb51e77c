"""The forms of the ratings screen (PermenPAN-RB 6/2022): one civil servant's ratings with a
note per core value, one row of the bulk form, and the upload of ratings.csv. The contract a
form rates comes from the URL or from the page's own rows, never from the posted data."""

from __future__ import annotations

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from performance import scoring
from performance.models import Expectation
from performance.ratings import NOTE_LIMIT, REASON_LIMIT

BLANK = [("", _("not rated"))]
CONFIRM_LABEL = _(
    "Confirm: I change ratings already given, after the year closed (each change needs a "
    "reason and is recorded)."
)


def _reason() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when the results rating differs from the suggested one, when there is "
            "no suggestion, and when ratings already given change."
        ),
    )


class RatingForm(forms.Form):
    """One civil servant's ratings, the reason and a note per BerAKHLAK core value."""

    results = forms.ChoiceField(
        label=_("Results rating (rating hasil kerja)"),
        choices=Expectation.choices,
        widget=forms.RadioSelect,
    )
    behaviour = forms.ChoiceField(
        label=_("Behaviour rating (rating perilaku kerja)"),
        choices=Expectation.choices,
        widget=forms.RadioSelect,
    )
    reason = _reason()
    confirm_changes = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for code, name in scoring.BERAKHLAK:
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note on %(value)s") % {"value": name},
                required=False,
                max_length=NOTE_LIMIT,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def notes(self) -> dict[str, str]:
        """The notes given, by core value (empty ones left out)."""
        return {
            code: self.cleaned_data[f"note_{code}"].strip()
            for code, _name in scoring.BERAKHLAK
            if self.cleaned_data.get(f"note_{code}", "").strip()
        }


class RatingRowForm(forms.Form):
    """One row of the bulk form: its prefix names the contract (the page's own row)."""

    results = forms.ChoiceField(
        label=_("Results rating"), choices=BLANK + Expectation.choices, required=False
    )
    behaviour = forms.ChoiceField(
        label=_("Behaviour rating"), choices=BLANK + Expectation.choices, required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.TextInput(attrs={"size": 24}),
    )

    def __init__(self, *args, contract, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract

    def clean(self):
        data = super().clean()
        if data.get("behaviour") and not data.get("results"):
            raise ValidationError(_("Give the results rating too."))
        return data

    @property
    def filled(self) -> bool:
        """A row is saved once its behaviour rating is given (the results rating comes
        pre-filled with the suggestion; a row left without behaviour is left alone)."""
        return bool(self.cleaned_data.get("behaviour"))


class BulkConfirmForm(forms.Form):
    confirm_changes = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class RatingsUploadForm(forms.Form):
    """ratings.csv, or the same columns in an .xlsx workbook (the imports read both)."""

    file = forms.FileField(
        label=_("ratings.csv file (or the same columns in an .xlsx workbook)"),
        widget=forms.FileInput(
            attrs={
                "accept": ".csv,text/csv,.xlsx,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    confirm_changes = forms.BooleanField(label=CONFIRM_LABEL, required=False)

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


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Objection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("On behalf of the civil servant: why their predikat should be reconsidered."),
    )
