"""The nightly job's ledger, and the one-time codes of a first authenticator enrolment.
(Roles, `Membership`, live in agencies.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from performance.models import ScoreRun


class NightlyRun(models.Model):
    """One row per night (the WITA date the job is for): the job publishes at most one run per
    night, whatever triggers it (a second beat, a manual trigger, a redelivery, the watchdog).

    started -> published (the score run is published: recorded in the same transaction)
    -> done (the reward rules applied too). A crash before `published` leaves the night to be
    run again; a crash after it only needs the rules, never a second run. A night whose
    inputs did not change since the latest published run publishes none: started ->
    unchanged (the rules applied to that run, `run` naming it), as final as done."""

    class Status(models.TextChoices):
        STARTED = "started", _("started")
        PUBLISHED = "published", _("scores published")
        DONE = "done", _("done")
        UNCHANGED = "unchanged", _("unchanged: no new run")
        FAILED = "failed", _("failed")

    night = models.DateField(_("night"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    run = models.ForeignKey(
        ScoreRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("score run"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    trigger = models.CharField(_("last trigger"), max_length=20, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-night"]
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")

    def __str__(self) -> str:
        return f"{self.night} {self.status}"


class EnrolmentCode(models.Model):
    """A one-time code an administrator issues so that a user can enrol their first
    authenticator (portal/accounts.py): stored as a keyed hash only, valid until
    `expires_at`, used once (`used_at`). A password alone never enrols a device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        verbose_name=_("user"),
    )
    digest = models.CharField(_("code (keyed hash)"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
