from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.audit import system_actor
from portal.accounts import issue_code


class Command(BaseCommand):
    help = (
        "Issue a one-time code with which USERNAME enrols their first authenticator app (the "
        "code is shown once; give it to the user yourself). --reset first removes the user's "
        "devices: a lost or replaced phone."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--hours", type=int, default=None, help="valid for (default 72)")
        parser.add_argument("--reset", action="store_true", help="remove the user's devices")

    @transaction.atomic
    def handle(self, *args, username, hours, reset, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        if hours is not None and not 1 <= hours <= 24 * 14:
            raise CommandError("--hours must be between 1 and 336 (two weeks).")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.filter(confirmed=True).exists() and not reset:
            raise CommandError(
                f"{username} has an authenticator already; --reset removes it (a lost phone)."
            )
        removed, _ = devices.delete() if reset else (0, None)
        code, issued = issue_code(user, by=system_actor("cli"), hours=hours)
        until = timezone.localtime(issued.expires_at).strftime("%Y-%m-%d %H:%M")
        if removed:
            self.stdout.write(f"Removed {removed} device(s) of {username}.")
        self.stdout.write(self.style.SUCCESS(f"Enrolment code for {username}: {code}"))
        self.stdout.write(f"Valid once, until {until} WITA. It is not stored: note it now.")
