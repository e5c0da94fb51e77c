"""Verification of the agencies' PK figures by the Inspektorat (issue 22).

`/dashboard/verification/`: the figures of the user's dashboard agencies with what the
Inspektorat found of them, filtered (by default the disputed ones: the leaders' list).
`/dashboard/verification/<pk>/`: an auditor verifies or disputes one figure. This is the only
write an auditor has; everyone else is refused (403), leaders included.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import agencies_for, has_role
from agencies.models import QUARTERS, Agency, Membership
from performance import verification
from performance.evidence import check_evidence
from performance.models import Verification

from . import queries as q
from .views import _queue_url, dashboard_view

AUDITOR = Membership.Role.AUDITOR
PAGE_SIZE = 50


class VerificationFilter(forms.Form):
    """The list's filters (GET); an invalid value is reported and ignored."""

    status = forms.ChoiceField(
        label=gettext_lazy("Verification"),
        choices=[("", gettext_lazy("All")), *Verification.choices],
        required=False,
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        required=False,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=2000, max_value=2100, required=False
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"), choices=[("", "–"), *QUARTERS], coerce=int, required=False
    )

    def __init__(self, data, *, agencies) -> None:
        data = data.copy()
        data.setdefault("status", Verification.DISPUTED)
        super().__init__(data)
        self.fields["agency"].queryset = agencies.order_by("name")


class VerifyForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Finding"),
        choices=[
            (Verification.VERIFIED, gettext_lazy("Verified: the figure holds up")),
            (Verification.DISPUTED, gettext_lazy("Disputed: the figure does not hold up")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (required when disputed)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link"), required=False, max_length=200, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Evidence file (PDF, JPG or PNG)"), required=False
    )
    seen = forms.CharField(widget=forms.HiddenInput)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            check_evidence(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("status") == Verification.DISPUTED and not data.get("note", "").strip():
            self.add_error("note", _("Say why the figure is disputed."))
        return data


@dashboard_view
def verification_list(request: HttpRequest) -> HttpResponse:
    agencies = q.dashboard_agencies(request.user)
    form = VerificationFilter(request.GET, agencies=agencies)
    found = verification.verifiable().filter(indicator__contract__agency__in=agencies)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            found = found.filter(verification=data["status"])
        if data["agency"]:
            found = found.filter(indicator__contract__agency=data["agency"])
        if data["year"]:
            found = found.filter(indicator__contract__year=data["year"])
        if data["quarter"]:
            found = found.filter(quarter=data["quarter"])
    found = found.order_by(
        "-indicator__contract__year",
        "indicator__contract__agency__name",
        "indicator__code",
        "quarter",
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/verification.html",
        {
            "form": form,
            "page": page,
            "auditor": has_role(request.user, AUDITOR),
            "queue_url": _queue_url(),
        },
    )


@dashboard_view
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """An auditor marks one PK figure verified or disputed (nobody else: 403)."""
    if not has_role(request.user, AUDITOR):
        raise PermissionDenied
    realisation = get_object_or_404(
        verification.verifiable().filter(
            indicator__contract__agency__in=agencies_for(request.user, AUDITOR)
        ),
        pk=pk,
    )
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                verification.mark(
                    realisation,
                    status=data["status"],
                    note=data["note"],
                    user=request.user,
                    seen=data["seen"],
                    evidence_url=data["evidence_url"],
                    evidence_file=data["evidence_file"],
                )
            except verification.VerificationError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Saved: the figure is %(status)s.")
                    % {"status": realisation.get_verification_display()},
                )
                return redirect("dashboard:verify", pk=realisation.pk)
    else:
        form = VerifyForm(
            initial={
                "status": realisation.verification
                if realisation.verification != Verification.UNVERIFIED
                else None,
                "note": realisation.verification_note,
                "evidence_url": realisation.verification_evidence_url,
                "seen": verification.seen_token(realisation),
            }
        )
    target = realisation.indicator.targets.filter(quarter=realisation.quarter).first()
    return render(
        request,
        "dashboard/verify.html",
        {
            "realisation": realisation,
            "indicator": realisation.indicator,
            "contract": realisation.indicator.contract,
            "target": target,
            "form": form,
            "queue_url": _queue_url(),
        },
    )
