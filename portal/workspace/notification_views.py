"""The user's own notification settings (`/workspace/notifications/`): a mail for each
event or one a day, and the mail's language. Only the signed-in user's own preference is
read or written; there is no id in the URL."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies import notify
from agencies.models import Notification, NotificationPreference
from portal.common.decorators import staff_view


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["delivery", "language"]
        widgets = {"delivery": forms.RadioSelect}


@staff_view
def preferences(request: HttpRequest) -> HttpResponse:
    current = notify.preference_of(request.user)
    form = PreferenceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        notify.set_preference(
            request.user,
            delivery=form.cleaned_data["delivery"],
            language=form.cleaned_data["language"],
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("workspace:notifications")
    pending = Notification.objects.pending().filter(user=request.user).count()
    return render(
        request,
        "workspace/notifications.html",
        {"form": form, "pending": pending, "has_email": bool(request.user.email)},
    )
