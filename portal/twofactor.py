"""Two-factor authentication (TOTP, django-otp) for every staff role (ASVS V6.3).

With `STAFF_2FA` on (the production default), a signed-in user who holds any role or is
staff must pass a time-based one-time code before any workspace, dashboard or admin page.
The first time, they enrol an authenticator app from a QR code; after that, each login asks
for the six-digit code. Codes are throttled by django-otp (growing delays after failures).
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Membership

# Pages behind the second factor. Public pages stay open to everyone.
PROTECTED_PREFIXES = ("/workspace/", "/dashboard/", "/admin/")
ISSUER = "Kinerja NTB"


def needs_second_factor(user: object) -> bool:
    """Staff (any role, or the admin's is_staff) who have not passed TOTP in this session."""
    if not user.is_authenticated or user.is_verified():
        return False
    return user.is_staff or Membership.objects.filter(user=user).exists()


def staff_2fa_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    """Send an unverified staff user to the second-factor page before any protected page.
    Must come after django_otp's OTPMiddleware."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if (
            settings.STAFF_2FA
            and request.path.startswith(PROTECTED_PREFIXES)
            and needs_second_factor(request.user)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        return get_response(request)

    return middleware


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _unconfirmed_device(user: object) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=ISSUER, confirmed=False)


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify the code of an enrolled device, or enrol one (QR code + first code)."""
    if not needs_second_factor(request.user):  # verified already, or not staff at all
        return redirect(_next(request))
    enrolled = user_has_device(request.user, confirmed=True)
    device = None if enrolled else _unconfirmed_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if enrolled:
            matched = match_token(request.user, token)
        else:
            matched = device if device.verify_token(token) else None
        if matched is not None:
            if not matched.confirmed:
                matched.confirmed = True
                matched.save(update_fields=["confirmed"])
            otp_login(request, matched)
            request.session.cycle_key()  # a new session id once the second factor is passed
            return redirect(_next(request))
        form.add_error(
            "token", _("This code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "enrolled": enrolled, "next": _next(request)}
    if device is not None:
        # segno writes plain SVG elements with no script or style: safe to inline.
        context["qr_svg"] = mark_safe(  # noqa: S308  # nosec B308 B703
            segno.make(device.config_url, error="m").svg_inline(scale=4, title=ISSUER)
        )
        context["secret"] = _base32(device)
    return render(request, "registration/two_factor.html", context)


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
