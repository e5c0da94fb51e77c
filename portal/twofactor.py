"""Two-factor authentication (TOTP, django-otp) for every staff role (ASVS V6.3).

With `STAFF_2FA` on (the production default), a signed-in user who holds any role or is
staff must pass a time-based one-time code before any workspace, dashboard or admin page,
and before changing their password or enrolling another authenticator: a session past the
password step only can do none of these. The first time, they type the one-time enrolment
code an administrator gave them (portal/accounts.py), then enrol an authenticator app from a
QR code; after that, each login asks for the six-digit code. A password alone never enrols a
device, and the user gets a mail whenever one is. Codes are throttled by django-otp (growing
delays after failures); the page's posts by the login form's rate limit.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
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

from . import accounts

# Pages behind the second factor: the staff's pages, the password change and the enrolment
# of another authenticator. Public pages stay open to everyone.
PROTECTED_PREFIXES = (
    "/workspace/",
    "/dashboard/",
    "/admin/",
    "/accounts/password/",
    "/accounts/two-factor/add/",
)
ISSUER = "Kinerja NTB"
# The session's note that its user typed a valid enrolment code (the code's id).
ENROLMENT_KEY = "_otp_enrolment_code"


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


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
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
    """Verify the code of an enrolled device; or, for a first device, take the enrolment code
    an administrator issued, then enrol (QR code + first code)."""
    if not needs_second_factor(request.user):  # verified already, or not staff at all
        return redirect(_next(request))
    enrolled = user_has_device(request.user, confirmed=True)
    if not enrolled and not accounts.still_valid(request.user, request.session.get(ENROLMENT_KEY)):
        return _enrolment_code(request)
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
                with transaction.atomic():
                    if not accounts.use_code(request.user, request.session[ENROLMENT_KEY]):
                        # Used by another session, revoked or expired since it was typed.
                        del request.session[ENROLMENT_KEY]
                        return redirect(f"{reverse('two_factor')}?next={_next(request)}")
                    _confirm(matched)
                del request.session[ENROLMENT_KEY]
            otp_login(request, matched)
            request.session.cycle_key()  # a new session id once the second factor is passed
            return redirect(_next(request))
        form.add_error(
            "token", _("This code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "enrolled": enrolled, "next": _next(request)}
    if device is not None:
        context.update(_qr(device))
    return render(request, "registration/two_factor.html", context)


def _enrolment_code(request: HttpRequest) -> HttpResponse:
    """The first step of a first enrolment: the one-time code from an administrator."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = accounts.valid_code(request.user, form.cleaned_data["code"])
        if code is not None:
            request.session[ENROLMENT_KEY] = code.pk
            # A fresh key: none shown before the code was typed is ever confirmed.
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            return redirect(f"{reverse('two_factor')}?next={_next(request)}")
        form.add_error(
            "code",
            _(
                "This enrolment code is not valid, or has been used or has expired. Ask your "
                "administrator for a new one."
            ),
        )
    return render(
        request,
        "registration/two_factor.html",
        {"code_form": form, "next": _next(request)},
    )


@never_cache
@login_required
def add_device(request: HttpRequest) -> HttpResponse:
    """Enrol another authenticator (a new phone). Behind the second factor
    (`PROTECTED_PREFIXES`): a session past the password step only is sent to verify first."""
    if settings.STAFF_2FA and needs_second_factor(request.user):  # the middleware's rule
        return redirect(f"{reverse('two_factor')}?next={request.path}")
    if request.method != "POST":  # a fresh key each time the page is shown
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    device = _unconfirmed_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            _confirm(device)
            messages.success(request, _("The new authenticator is enrolled."))
            return redirect(reverse(settings.LOGIN_REDIRECT_URL))
        form.add_error(
            "token", _("This code is not valid. Check your device's clock and try again.")
        )
    context = {"form": form, "enrolled": False, "adding": True, "next": ""}
    context.update(_qr(device))
    return render(request, "registration/two_factor.html", context)


def _confirm(device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    accounts.notify_device_enrolled(device.user)


def _qr(device: TOTPDevice) -> dict:
    """The QR code and the key of a device being enrolled, shown to its owner only, and
    only until it is confirmed."""
    return {
        # segno writes plain SVG elements with no script or style: safe to inline.
        "qr_svg": mark_safe(  # noqa: S308  # nosec B308 B703
            segno.make(device.config_url, error="m").svg_inline(scale=4, title=ISSUER)
        ),
        "secret": _base32(device),
    }


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
