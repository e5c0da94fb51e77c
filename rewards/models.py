"""Reward and punishment rules and the decisions they lead to.

Only the place to grow for now: the rules engine and the review pages come with the rewards
issue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from performance.models import Employee, ScoreRun, ScoringScheme


class Outcome(models.TextChoices):
    REWARD = "reward", _("reward")
    COACHING = "coaching", _("coaching")
    PENALTY = "penalty", _("penalty")
    REVIEW = "review", _("review")


class Rule(models.Model):
    """A reward or punishment rule of a year's scoring scheme."""

    class Level(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        AGENCY = "agency", _("agency")

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("scheme")
    )
    label = models.CharField(_("label"), max_length=200)
    level = models.CharField(_("subject level"), max_length=10, choices=Level.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    tpp_adjustment = models.DecimalField(
        _("TPP adjustment (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["scheme", "label"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.label


class Decision(models.Model):
    """A recommended, approved or rejected outcome for an employee or an agency."""

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("recommended")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="decisions")
    run = models.ForeignKey(ScoreRun, on_delete=models.SET_NULL, null=True, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="decisions")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECOMMENDED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "agency"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.rule} {self.year} {self.period}"
