"""Reward and punishment rules (data of a year's scoring scheme), the decisions they lead to,
and objections (keberatan) against penalties.

A rule is evaluated by `rewards.rules.apply_rules` on a published score run and creates
*recommended* decisions; leaders approve or reject them (`rewards.services`). Every change
of a decision or an objection is recorded (django-simple-history, with a reason).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from performance.models import (
    Employee,
    Predikat,
    ScoreRun,
    ScoringScheme,
    StaffPredikat,
    StaffRating,
)

# An approved penalty, or a civil servant's predikat, can be objected to up to 14 days after
# the decision (the rating). Calendar days: DOMAIN.md does not say working days, and counting
# working days needs the national holidays and collective leave of each year, which the
# portal does not hold (docs/decisions/0010-civil-servants-ratings-and-authority.md).
OBJECTION_DAYS = 14


def objection_last_day(moment: datetime.datetime) -> datetime.date:
    """The last day (WITA) an objection can be lodged against what happened at `moment`."""
    return timezone.localdate(moment) + datetime.timedelta(days=OBJECTION_DAYS)


def _number(value) -> str:
    """A rule's number in the active language's format, without trailing zeros ("70", "7,5")."""
    return number_format(format(value.normalize(), "f"))


class Outcome(models.TextChoices):
    REWARD = "reward", _("reward")
    COACHING = "coaching", _("coaching")
    PENALTY = "penalty", _("penalty")
    REVIEW = "review", _("review")


class Rule(models.Model):
    """A reward or punishment rule of a year's scoring scheme: when a subject's score (of the
    year, or of a quarter) meets `condition` for `consecutive` periods running, recommend
    `outcome`. Saving or deleting a rule in the admin moves the scheme's version on."""

    class Level(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        AGENCY = "agency", _("agency")

    class Period(models.TextChoices):
        YEAR = "year", _("year")
        QUARTER = "quarter", _("quarter")

    class Condition(models.TextChoices):
        PREDIKAT_IN = "predikat_in", _("predikat is one of")
        SCORE_BELOW = "score_below", _("score below")
        SCORE_AT_LEAST = "score_at_least", _("score at least")

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("scheme")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("Identifies a rule of the default set; empty for rules added by hand."),
    )
    label = models.CharField(
        _("label (Bahasa Indonesia)"),
        max_length=200,
        help_text=_("Shown on the Indonesian pages, and on English ones without an English label."),
    )
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    level = models.CharField(_("subject level"), max_length=10, choices=Level.choices)
    period = models.CharField(
        _("period"), max_length=7, choices=Period.choices, default=Period.YEAR
    )
    condition = models.CharField(
        _("condition"), max_length=15, choices=Condition.choices, default=Condition.PREDIKAT_IN
    )
    predikats = models.JSONField(
        _("predikat values"),
        default=list,
        blank=True,
        help_text=_("For the condition 'predikat is one of': a list such as [\"Kurang\"]."),
    )
    value = models.DecimalField(
        _("score value"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For the score conditions: below is strictly below, at least includes it."),
    )
    consecutive = models.PositiveSmallIntegerField(
        _("consecutive periods"),
        default=1,
        help_text=_("How many periods running the condition must hold (1: only this one)."),
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    tpp_adjustment = models.DecimalField(
        _("TPP adjustment (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    for_leader_review = models.BooleanField(
        _("escalated to the leader"),
        default=False,
        help_text=_("An escalated outcome the leader decides personally (e.g. PP 30/2019)."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scheme", "order", "pk"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"], condition=~Q(code=""), name="rule_code_per_scheme"
            ),
            models.CheckConstraint(condition=Q(consecutive__gte=1), name="rule_consecutive_1"),
            models.CheckConstraint(
                condition=Q(condition="predikat_in") | Q(value__isnull=False),
                name="rule_score_condition_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_label

    @property
    def shown_label(self) -> str:
        """The label in the active language: rules' labels are data, stored per language."""
        if self.label_en and (get_language() or "").startswith("en"):
            return self.label_en
        return self.label

    def in_words(self) -> str:
        """The rule as a sentence in the active language, for the methodology page: who, on
        what figure, for how many periods, and what is recommended."""
        who = (
            gettext("An agency") if self.level == self.Level.AGENCY else gettext("A civil servant")
        )
        period = gettext("year") if self.period == self.Period.YEAR else gettext("quarter")
        if self.condition == self.Condition.PREDIKAT_IN:
            what = gettext("whose predikat of the %(period)s is %(values)s") % {
                "period": period,
                "values": gettext(" or ").join(gettext(v) for v in self.predikats),
            }
        elif self.condition == self.Condition.SCORE_BELOW:
            what = gettext("whose score of the %(period)s is below %(value)s") % {
                "period": period,
                "value": _number(self.value),
            }
        else:
            what = gettext("whose score of the %(period)s is at least %(value)s") % {
                "period": period,
                "value": _number(self.value),
            }
        if self.consecutive > 1:
            what += " " + (
                gettext("for %(n)d years running")
                if self.period == self.Period.YEAR
                else gettext("for %(n)d quarters running")
            ) % {"n": self.consecutive}
        outcome = self.get_outcome_display()
        if self.tpp_adjustment:
            outcome += " " + gettext("(TPP %(sign)s%(value)s%%)") % {
                "sign": "+" if self.tpp_adjustment > 0 else "−",
                "value": _number(abs(self.tpp_adjustment)),
            }
        sentence = gettext("%(who)s %(what)s: %(outcome)s recommended") % {
            "who": who,
            "what": what,
            "outcome": outcome,
        }
        if self.for_leader_review:
            sentence += gettext(", decided by the leader personally")
        return sentence + "."

    def predikat_values(self) -> list[str]:
        """The predikat a rule of this level can name: an agency's organisation scale
        (Istimewa ...), a civil servant's matrix predikat of PermenPAN-RB 6/2022 (Sangat
        Baik ...)."""
        return Predikat.values if self.level == self.Level.AGENCY else StaffPredikat.values

    def clean(self) -> None:
        if self.level == self.Level.EMPLOYEE and self.period != self.Period.YEAR:
            raise ValidationError(
                {
                    "period": _(
                        "Civil servants are rated per year: an employee rule judges the year."
                    )
                }
            )
        if self.condition == self.Condition.PREDIKAT_IN:
            values = self.predikats if isinstance(self.predikats, list) else None
            allowed = self.predikat_values()
            if not values or any(v not in allowed for v in values):
                raise ValidationError(
                    {
                        "predikats": _("A list of predikat values: %(values)s.")
                        % {"values": ", ".join(allowed)}
                    }
                )
        elif self.value is None:
            raise ValidationError({"value": _("A score condition needs a value.")})


class DecisionQuerySet(models.QuerySet):
    def for_agencies(self, agencies) -> DecisionQuerySet:
        """Decisions about `agencies` (a queryset from `agencies.access.agencies_for`)."""
        return self.filter(agency__in=agencies)

    def with_subjects(self) -> DecisionQuerySet:
        """With the rule, agency and employee joined (one query for a page of them)."""
        return self.select_related("rule", "agency", "employee", "decided_by")

    def approved_counts(self) -> DecisionQuerySet:
        """Dicts of `agency_id`, `year`, `level`, `outcome` and `n`: how many approved
        decisions of each kind there are. Counts only; the caller suppresses small counts."""
        return (
            self.filter(status=Decision.Status.APPROVED)
            .values(
                "agency_id",
                "year",
                level=models.F("rule__level"),
                outcome=models.F("rule__outcome"),
            )
            .annotate(n=models.Count("id"))
            .order_by()
        )


class Decision(models.Model):
    """A recommended, approved or rejected outcome for an employee or an agency.

    Created as *recommended* by the rules; a recommendation whose condition no longer holds
    is *withdrawn* by the next evaluation (and recommended again if it holds once more). A
    leader approves or rejects it; a decided decision changes only through
    `rewards.services.reverse_decision`, which puts it back to recommended with a reason.
    """

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", _("recommended")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("rule")
    )
    run = models.ForeignKey(ScoreRun, on_delete=models.SET_NULL, null=True, related_name="+")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("agency")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("civil servant"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECOMMENDED
    )
    # The scores that made the rule fire: {"scores": [{"year", "period", "score",
    # "predikat"}, ...], "scheme_version": n, "run": id}.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recommended at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = DecisionQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "agency", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            # Idempotence of the rules: one decision per rule, subject and period.
            models.UniqueConstraint(
                fields=["rule", "employee", "year", "period"],
                condition=Q(employee__isnull=False),
                name="decision_once_per_employee",
            ),
            models.UniqueConstraint(
                fields=["rule", "agency", "year", "period"],
                condition=Q(employee__isnull=True),
                name="decision_once_per_agency",
            ),
        ]
        indexes = [models.Index(fields=["status", "agency"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.year} {self.period}"

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)

    @property
    def period_label(self) -> str:
        return str(self.year) if self.period == "Y" else f"{self.period} {self.year}"

    def objection_deadline(self) -> datetime.date | None:
        """The last day (WITA) an objection can be lodged: 14 days after the decision."""
        if self.decided_at is None:
            return None
        return objection_last_day(self.decided_at)


class Objection(models.Model):
    """An objection (keberatan) an HR officer lodges on behalf of the civil servant against an
    approved penalty (`decision`) or against their predikat (`rating`, the ratings it comes
    from), and the leader's answer. Both are kept."""

    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("decision"),
    )
    rating = models.ForeignKey(
        StaffRating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("staff rating"),
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lodged by"),
    )
    text = models.TextField(_("objection"))
    lodged_at = models.DateTimeField(_("lodged at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["lodged_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.UniqueConstraint(fields=["decision"], name="one_objection_per_decision"),
            models.UniqueConstraint(fields=["rating"], name="one_objection_per_rating"),
            models.CheckConstraint(
                condition=Q(decision__isnull=False, rating__isnull=True)
                | Q(decision__isnull=True, rating__isnull=False),
                name="objection_to_a_decision_or_a_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision or self.rating} ({self.lodged_at:%Y-%m-%d})"

    @property
    def agency_id(self) -> int:
        """The agency of the civil servant (or of the decision) objected for."""
        if self.decision_id is not None:
            return self.decision.agency_id
        return self.rating.contract.agency_id
