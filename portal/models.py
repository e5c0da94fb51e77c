"""The nightly job's ledger. (Roles, `Membership`, live in agencies.)"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from performance.models import ScoreRun


class NightlyRun(models.Model):
    """One row per night (the WITA date the job is for): the job publishes at most one run per
    night, whatever triggers it (a second beat, a manual trigger, a redelivery, the watchdog).

    started -> published (the score run is published: recorded in the same transaction)
    -> done (the reward rules applied too). A crash before `published` leaves the night to be
    run again; a crash after it only needs the rules, never a second run."""

    class Status(models.TextChoices):
        STARTED = "started", _("started")
        PUBLISHED = "published", _("scores published")
        DONE = "done", _("done")
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
