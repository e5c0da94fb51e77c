"""Civil servants, performance contracts (agency PK and individual SKP), their indicators,
quarterly targets and realisations, the scoring scheme of each year, and score runs."""

import dataclasses
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import QUARTER_CHECK, QUARTERS, Agency, user_who

from . import scoring
from .evidence import evidence_upload_to, get_private_storage
from .validators import validate_nip


class EmployeeQuerySet(models.QuerySet):
    def for_agencies(self, agencies) -> "EmployeeQuerySet":
        """The civil servants whose agency (now, or when their employment ended) is one of
        `agencies` (a queryset from `agencies.access.agencies_for`)."""
        return self.filter(agency__in=agencies)

    def current(self) -> "EmployeeQuerySet":
        """Those still employed (no end of employment recorded)."""
        return self.filter(ended_on__isnull=True)


class Employee(models.Model):
    """A civil servant (ASN). Personal data: never shown on a public page.

    `agency` is where they work now (or worked last, once `ended_on` is set); where they
    worked before is in their postings (`EmployeePosting`, `performance.employees`)."""

    nip = models.CharField(_("NIP"), max_length=18, unique=True, validators=[validate_nip])
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="employees", verbose_name=_("agency")
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("supervisor"),
    )
    # PermenPAN-RB 6/2022: when the person rated leads their unit (the agency or unit they
    # belong to), the unit's achievement is their results rating.
    leads_unit = models.BooleanField(
        _("leads their unit"),
        default=False,
        help_text=_("The head of the agency or unit: their results rating is the unit's."),
    )
    # Self-service (issue 23): the civil servant's own account, which reads only this
    # person's records (`agencies.access.civil_servant_of`). Created by an HR officer of the
    # agency (`performance.selfservice`); empty for most.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="civil_servant",
        verbose_name=_("own account"),
    )
    # The last day of employment (retirement, resignation, death, dismissal): the row and
    # its records are kept, never deleted.
    ended_on = models.DateField(_("employment ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason the employment ended"), max_length=200, blank=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("civil servant")
        verbose_name_plural = _("civil servants")

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class EmployeePosting(models.Model):
    """A period a civil servant worked at an agency: `start` (empty: before the portal kept
    postings, e.g. an employee first imported from CSV) to `end` (the last day; empty: the
    posting they hold now). A transfer closes one and opens the next; an end of employment
    closes the last. Written by `performance.employees` only."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("civil servant"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("to"), null=True, blank=True)
    recorded_by = user_who(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["employee", "start"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(
                fields=["employee"], condition=Q(end__isnull=True), name="one_open_posting"
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=F("start")),
                name="posting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.agency_id} {self.start}..{self.end}"


class Predikat(models.TextChoices):
    """An agency's predikat: the organisation scale of PermenPAN-RB 6/2022 (`scoring.
    ORGANISATION_SCALE`). The values are the regulation's own words."""

    ISTIMEWA = "Istimewa", _("Istimewa")
    BAIK = "Baik", _("Baik")
    BUTUH_PERBAIKAN = "Butuh Perbaikan", _("Butuh Perbaikan")
    KURANG = "Kurang", _("Kurang")
    SANGAT_KURANG = "Sangat Kurang", _("Sangat Kurang")


class StaffPredikat(models.TextChoices):
    """A civil servant's predikat: the cell of the PermenPAN-RB 6/2022 matrix of their results
    and behaviour ratings (`scoring.STAFF_PREDIKAT`; the matrix's "Kurang/Misconduct" is
    Kurang). Runs before version 2 wrote the band of the SKP score under the same names."""

    SANGAT_BAIK = "Sangat Baik", _("Sangat Baik")
    BAIK = "Baik", _("Baik")
    BUTUH_PERBAIKAN = "Butuh Perbaikan", _("Butuh Perbaikan")
    KURANG = "Kurang", _("Kurang")
    SANGAT_KURANG = "Sangat Kurang", _("Sangat Kurang")


# What a score row's predikat may hold: an agency's (and its own contract's) on the
# organisation scale, a civil servant's band, or nothing (a provisional period).
SCORE_PREDIKAT_CHOICES = Predikat.choices + [StaffPredikat.choices[0]]


def default_staff_matrix() -> list[list[str]]:
    """The predikat matrix of PermenPAN-RB 6/2022, as stored (JSON)."""
    return [list(cell) for cell in scoring.DEFAULT_STAFF_MATRIX]


def default_distribution() -> list[dict]:
    """The staff distribution pattern of PermenPAN-RB 6/2022 (DOMAIN.md 3.1), as stored."""
    return [rule.as_json() for rule in scoring.DEFAULT_DISTRIBUTION]


class ScoringScheme(models.Model):
    """The scoring parameters of one year: a change of regulation is data, not code.

    `version` goes up on every change, and each score run records the version it used.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    cap = models.DecimalField(
        _("achievement cap (%)"), max_digits=6, decimal_places=2, default=Decimal("120")
    )
    weight_contract = models.DecimalField(
        _("weight of the agency contract (K)"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.5"),
    )
    weight_staff = models.DecimalField(
        _("weight of the staff mean (E)"), max_digits=5, decimal_places=3, default=Decimal("0.3")
    )
    weight_survey = models.DecimalField(
        _("weight of the IKM (S)"), max_digits=5, decimal_places=3, default=Decimal("0.2")
    )
    threshold_istimewa = models.DecimalField(
        _("Istimewa from"), max_digits=6, decimal_places=2, default=Decimal("110")
    )
    threshold_baik = models.DecimalField(
        _("Baik from"), max_digits=6, decimal_places=2, default=Decimal("90")
    )
    threshold_butuh_perbaikan = models.DecimalField(
        _("Butuh Perbaikan from"), max_digits=6, decimal_places=2, default=Decimal("70")
    )
    threshold_kurang = models.DecimalField(
        _("Kurang from"), max_digits=6, decimal_places=2, default=Decimal("50")
    )
    entry_grace_days = models.PositiveSmallIntegerField(_("entry grace days"), default=15)
    survey_min_responses = models.PositiveIntegerField(_("survey minimum respondents"), default=10)
    min_group_size = models.PositiveIntegerField(_("minimum group size"), default=10)
    ikm_target = models.DecimalField(
        _("IKM target (S = 100%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("88.31"),
        help_text=_("The IKM at which the survey component S is 100; 88.31 starts grade A."),
    )
    follow_up_nrr_below = models.DecimalField(
        _("follow-up plan when an element's mean answer is below"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("2.75"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(4))],
        help_text=_(
            "A service graded C or D in a quarter calls for a follow-up plan, and so does one "
            "with an element whose mean answer (1 to 4) is below this."
        ),
    )
    # Not a scoring parameter (no score depends on it, so runs do not record it): the
    # leaders' dashboard lists an agency as below target when its score is under the Baik
    # threshold or fell by more than this many points since the period before.
    alert_fall_points = models.DecimalField(
        _("below target when the score falls by more than (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "The leaders' dashboard lists an agency as below target when its score is under "
            "the Baik threshold, or when it fell by more than this since the period before."
        ),
    )
    # Not a scoring parameter either: how many days before a quarter closes (its last day
    # plus the grace days) the beat reminds HR officers of missing realisations and
    # approvers of what waits for them (`performance.notifications.send_reminders`).
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before a quarter closes"),
        default=7,
        help_text=_(
            "HR officers are reminded of missing realisations, and approvers of what waits "
            "for them, this many days before a quarter's entry deadline."
        ),
    )
    # Civil servants (PermenPAN-RB 6/2022): the thresholds of the suggested results rating
    # (the province's policy), the predikat matrix and the expected distribution of the
    # staff's predikat for each organisation predikat (the regulation's, as data).
    rating_above_from = models.DecimalField(
        _("results rating above expectation from (annual score)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("110"),
    )
    rating_below_under = models.DecimalField(
        _("results rating below expectation under (annual score)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("90"),
    )
    staff_matrix = models.JSONField(
        _("predikat matrix"),
        default=default_staff_matrix,
        help_text=_(
            "Nine cells [results rating, behaviour rating, predikat]; ratings are above, "
            "as_expected or below."
        ),
    )
    distribution = models.JSONField(
        _("expected distribution of the staff's predikat"),
        default=default_distribution,
        help_text=_(
            'Rules {"organisation": agency predikat, "staff": [staff predikat...], "bound": '
            'max, min or some, "percent": 0-100}.'
        ),
    )
    # Not a scoring parameter either: an agency indicator linked to an independent source
    # (`Indicator.cross_check`) is flagged on the scorecard and in open data when the two
    # values of a quarter differ by more than this.
    cross_check_gap_points = models.DecimalField(
        _("cross-check gap flagged above (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "An indicator linked to an independent source (the survey's IKM, a service "
            "figure) is flagged when its realisation and the independent value differ by more "
            "than this."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        constraints = [
            models.CheckConstraint(condition=Q(cap__gt=0), name="scheme_cap_positive"),
            models.CheckConstraint(
                condition=Q(weight_contract__gte=0)
                & Q(weight_staff__gte=0)
                & Q(weight_survey__gte=0),
                name="scheme_weights_not_negative",
            ),
            # Privacy: a figure over fewer than five people is never published.
            models.CheckConstraint(
                condition=Q(min_group_size__gte=5), name="scheme_min_group_size_at_least_5"
            ),
            models.CheckConstraint(
                condition=Q(threshold_istimewa__gt=models.F("threshold_baik"))
                & Q(threshold_baik__gt=models.F("threshold_butuh_perbaikan"))
                & Q(threshold_butuh_perbaikan__gt=models.F("threshold_kurang")),
                name="scheme_thresholds_descending",
            ),
            models.CheckConstraint(
                condition=Q(ikm_target__gt=0) & Q(ikm_target__lte=100),
                name="scheme_ikm_target_0_100",
            ),
            models.CheckConstraint(
                condition=Q(follow_up_nrr_below__gte=1) & Q(follow_up_nrr_below__lte=4),
                name="scheme_follow_up_nrr_1_4",
            ),
            models.CheckConstraint(
                condition=Q(alert_fall_points__gte=0), name="scheme_alert_fall_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cross_check_gap_points__gte=0),
                name="scheme_cross_check_gap_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(rating_below_under__lte=models.F("rating_above_from")),
                name="scheme_rating_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    def clean(self) -> None:
        errors = {}
        for name, read in (
            ("staff_matrix", scoring.matrix_from_json),
            ("distribution", scoring.distribution_from_json),
        ):
            try:
                read(getattr(self, name))
            except scoring.InvalidSchemeData as exc:
                errors[name] = str(exc)
        if errors:
            raise ValidationError(errors)

    def as_scheme(self) -> scoring.Scheme:
        """The parameters the scoring rules take (the one conversion from this model)."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(scoring.Scheme)}
        values["staff_matrix"] = scoring.matrix_from_json(self.staff_matrix)
        values["distribution"] = scoring.distribution_from_json(self.distribution)
        return scoring.Scheme(**values)

    def snapshot(self) -> dict:
        """What a score run records of this scheme: its version and every parameter as
        text (`scoring.Scheme.from_snapshot` reads it back)."""
        return {"version": self.version, **self.as_scheme().snapshot()}


class PerformanceContractQuerySet(models.QuerySet):
    def agency_held(self) -> "PerformanceContractQuerySet":
        """Agency Perjanjian Kinerja contracts (public by law)."""
        return self.filter(employee__isnull=True)

    def approved(self) -> "PerformanceContractQuerySet":
        return self.filter(status=PerformanceContract.Status.APPROVED)


class PerformanceContract(models.Model):
    """A year's performance contract: the agency's own Perjanjian Kinerja when `employee` is
    empty, else an employee's SKP. `agency` is always set (the employee's agency for an SKP)
    so every access check and aggregate filters on one column."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for revision")

    year = models.PositiveSmallIntegerField(_("year"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("agency")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("civil servant"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic locking: every workspace save of the contract, its indicators, targets or
    # realisations moves it on by one, only if it still has the version the form was read
    # at (`performance.workspace.bump_version`).
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_by = user_who(_("submitted by"))
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PerformanceContractQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "agency__name"]
        verbose_name = _("performance contract")
        verbose_name_plural = _("performance contracts")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                condition=Q(employee__isnull=True),
                name="one_agency_contract_per_year",
            ),
            # A civil servant transferred mid-year has one SKP per agency of that year, each
            # holding the quarters they worked there (`performance.employees`).
            models.UniqueConstraint(
                fields=["employee", "agency", "year"],
                condition=Q(employee__isnull=False),
                name="one_employee_contract_per_agency_year",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        holder = self.employee.name if self.employee_id else self.agency.name
        return f"{holder} {self.year}"

    @property
    def is_agency_contract(self) -> bool:
        return self.employee_id is None


class Expectation(models.TextChoices):
    """The three levels of a civil servant's results rating and behaviour rating
    (PermenPAN-RB 6/2022)."""

    ABOVE = scoring.ABOVE, _("above expectation")
    AS_EXPECTED = scoring.AS_EXPECTED, _("as expected")
    BELOW = scoring.BELOW, _("below expectation")


RATING_CHECK = ["above", "as_expected", "below"]


class StaffRatingQuerySet(models.QuerySet):
    def for_agencies(self, agencies) -> "StaffRatingQuerySet":
        return self.filter(contract__agency__in=agencies)


class StaffRating(models.Model):
    """The pejabat penilai's ratings of a civil servant's closed year (PermenPAN-RB 6/2022),
    on their approved SKP `contract`: the results rating (`results`; `suggested` is what the
    annual contract score, or for a unit's leader the unit's predikat, suggested when it was
    given, `reason` why it differs), and the behaviour rating with an optional note per
    BerAKHLAK value (`notes`). The predikat is the scheme's matrix cell of the two, written
    into the next score run. Every change is kept (history, with its reason). Personal data:
    never on a public page."""

    contract = models.OneToOneField(
        PerformanceContract,
        on_delete=models.CASCADE,
        related_name="rating",
        verbose_name=_("performance contract"),
    )
    results = models.CharField(_("results rating"), max_length=11, choices=Expectation.choices)
    suggested = models.CharField(
        _("suggested results rating"), max_length=11, choices=Expectation.choices, blank=True
    )
    annual_score = models.DecimalField(
        _("annual score the suggestion came from"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason for another results rating"), blank=True)
    behaviour = models.CharField(_("behaviour rating"), max_length=11, choices=Expectation.choices)
    notes = models.JSONField(_("notes per core value"), default=dict, blank=True)
    rated_by = user_who(_("rated by"))
    rated_at = models.DateTimeField(_("rated at"))
    # When either rating last changed (the first rating, or a confirmed change): an objection
    # to the predikat counts its days from here.
    changed_at = models.DateTimeField(_("ratings last changed at"))

    objects = StaffRatingQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["contract"]
        verbose_name = _("staff rating")
        verbose_name_plural = _("staff ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(results__in=RATING_CHECK) & Q(behaviour__in=RATING_CHECK),
                name="staff_rating_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.results}/{self.behaviour}"

    def predikat(self, scheme: scoring.Scheme) -> str:
        """The matrix cell of the two ratings, on `scheme`."""
        return scoring.matrix_predikat(self.results, self.behaviour, scheme)


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Goal(models.Model):
    """A goal (sasaran) of the province's plans: the five-year RPJMD or the yearly RKPD.
    Public: the plans are public documents. Imported from goals.csv (`performance.goals`)
    and edited by an administrator."""

    class Plan(models.TextChoices):
        RPJMD = "rpjmd", _("RPJMD (five-year plan)")
        RKPD = "rkpd", _("RKPD (annual plan)")

    code = models.CharField(_("code"), max_length=30, unique=True)
    text = models.CharField(_("goal"), max_length=500)
    plan = models.CharField(_("plan"), max_length=5, choices=Plan.choices, default=Plan.RPJMD)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["code"]
        verbose_name = _("province goal")
        verbose_name_plural = _("province goals")
        constraints = [
            models.CheckConstraint(condition=Q(plan__in=["rpjmd", "rkpd"]), name="goal_plan_valid")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class GoalIndicator(models.Model):
    """An indicator of a province goal, with a target per year (`GoalTarget`). Its code is
    unique across goals: agency indicators name it in performance.csv's `parent_code`."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    text = models.CharField(_("indicator"), max_length=500)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["goal", "code"]
        verbose_name = _("goal indicator")
        verbose_name_plural = _("goal indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="goal_indicator_direction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class GoalTarget(models.Model):
    """A goal indicator's target for one year. A goal indicator serves the agency
    indicators of the years it has a target in."""

    indicator = models.ForeignKey(
        GoalIndicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=4)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("goal target")
        verbose_name_plural = _("goal targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="goal_target_per_year"),
            models.CheckConstraint(condition=Q(value__gte=0), name="goal_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"


class IndicatorQuerySet(models.QuerySet):
    def public(self) -> "IndicatorQuerySet":
        """Indicators of approved agency Perjanjian Kinerja contracts of public agencies (public
        by law); SKP indicators never match."""
        return self.filter(
            contract__employee__isnull=True,
            contract__agency__is_public=True,
            contract__status=PerformanceContract.Status.APPROVED,
        )


class Aggregation(models.TextChoices):
    """How an indicator's annual realisation comes from its quarterly ones (SAKIP)."""

    SUM = "sum", _("sum of the quarters")
    LAST = "last", _("latest reported")
    AVERAGE = "average", _("average of the quarters")


class CrossCheck(models.TextChoices):
    """An independent source the portal holds that an agency indicator may be checked
    against, quarter by quarter (`performance.crosscheck`)."""

    IKM = "ikm", _("IKM from the satisfaction survey")
    ON_TIME = "on_time", _("share of applications finished on time (%)")
    COMPLAINTS_RESOLVED = "complaints_resolved", _("share of complaints resolved (%)")


class Indicator(models.Model):
    """A key indicator of a contract (IKU of a PK, or RHK indicator of an SKP).

    With an `annual_target` (and its `aggregation`) the year is judged on the annual
    realisation against that target, as SAKIP judges level indicators (stunting prevalence,
    maternal mortality); without one, on its quarters (DESIGN.md, "Annual contract score").
    `previous_code` names last year's indicator this one continues when its code changed.
    """

    contract = models.ForeignKey(
        PerformanceContract,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("contract"),
    )
    code = models.CharField(_("code"), max_length=30)
    text = models.CharField(_("indicator"), max_length=500)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2)
    annual_target = models.DecimalField(
        _("annual target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    aggregation = models.CharField(
        _("annual aggregation"),
        max_length=7,
        choices=Aggregation.choices,
        blank=True,
        help_text=_("How the quarters' realisations make the annual one (with an annual target)."),
    )
    previous_code = models.CharField(
        _("last year's code"),
        max_length=30,
        blank=True,
        help_text=_("The code of last year's same indicator, when it had another code."),
    )
    # An agency (PK) indicator may be checked against an independent figure the portal holds:
    # the IKM of the agency (no service) or of one of its services, or a service's on-time or
    # complaints-resolved share (`performance.crosscheck`).
    cross_check = models.CharField(
        _("independent source"),
        max_length=20,
        choices=CrossCheck.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_("Agency indicators only: the independent figure shown beside it."),
    )
    cross_check_service = models.ForeignKey(
        "agencies.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service of the independent source"),
        help_text=_("Required for a service figure; for the IKM, empty means the whole agency."),
    )

    # The cascade (pohon kinerja): an agency PK indicator may serve a province goal's
    # indicator (`goal_indicator`), a civil servant's SKP indicator the PK indicator of
    # its agency and year it serves (`parent`). Checked where they are set
    # (`performance.cascade`), never both on one indicator.
    goal_indicator = models.ForeignKey(
        "GoalIndicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="serving_indicators",
        verbose_name=_("goal indicator served"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporting_indicators",
        verbose_name=_("agency indicator served"),
    )

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["contract", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "code"], name="indicator_code_per_contract"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="indicator_direction_valid"
            ),
            # An annual target comes with its aggregation, and an achievement can come from
            # it: > 0 when higher is better, >= 0 when lower is.
            models.CheckConstraint(
                condition=Q(goal_indicator__isnull=True) | Q(parent__isnull=True),
                name="indicator_serves_one_parent",
            ),
            models.CheckConstraint(
                condition=(Q(annual_target__isnull=True) & Q(aggregation=""))
                | (
                    Q(aggregation__in=["sum", "last", "average"])
                    & (Q(annual_target__gt=0) | Q(direction="lower", annual_target__gte=0))
                ),
                name="indicator_annual_target_valid",
            ),
        ]
        indexes = [
            # The few contracts judged on annual targets, found by the recompute without
            # reading every indicator of the year.
            models.Index(
                fields=["contract"],
                condition=Q(annual_target__isnull=False),
                name="indicator_with_annual_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    def clean(self) -> None:
        """A cross-check is of an agency (PK) indicator, against a service of that agency;
        a service figure names its service."""
        if not self.cross_check:
            if self.cross_check_service_id:
                raise ValidationError(
                    {"cross_check_service": _("Choose the independent source first.")}
                )
            return
        contract = self.contract if self.contract_id else None
        if contract is not None and contract.employee_id is not None:
            raise ValidationError(
                {"cross_check": _("Only an agency's own indicators are checked this way.")}
            )
        service = self.cross_check_service
        if self.cross_check != CrossCheck.IKM and service is None:
            raise ValidationError({"cross_check_service": _("A service figure needs its service.")})
        if service is not None and contract is not None and service.agency_id != contract.agency_id:
            raise ValidationError(
                {"cross_check_service": _("The service must be one of the agency's own.")}
            )


class Target(models.Model):
    """The target of an indicator for one quarter."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=4)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["indicator", "quarter"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "quarter"], name="target_per_quarter"),
            models.CheckConstraint(condition=QUARTER_CHECK, name="target_quarter_1_4"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} Q{self.quarter}: {self.value}"


class Verification(models.TextChoices):
    """What the Inspektorat (an auditor) found of a realisation: until then it is the
    agency's own report."""

    UNVERIFIED = "unverified", _("self-reported")
    VERIFIED = "verified", _("verified")
    DISPUTED = "disputed", _("disputed")


class Realisation(models.Model):
    """The measured value of an indicator in one quarter, with its explanation and evidence,
    and what an auditor found of it (`verification`, `performance.verification`): any change
    to a verified or disputed realisation makes it unverified again."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="realisations",
        verbose_name=_("indicator"),
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    value = models.DecimalField(_("realisation"), max_digits=16, decimal_places=4)
    explanation = models.TextField(_("explanation of variance"), blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"),
        upload_to=evidence_upload_to,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    entered_by = user_who(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    # Set when the value counts as a late change (entered or changed after its quarter
    # closed, DESIGN.md, Integrity): when it was entered, shown on the scorecard and in
    # open data. Empty for a value entered in time.
    late_entered_at = models.DateTimeField(_("entered late at"), null=True, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        db_default=Verification.UNVERIFIED,
    )
    verification_note = models.TextField(_("auditor's note"), blank=True)
    verification_evidence_url = models.URLField(_("auditor's evidence link"), blank=True)
    verification_evidence_file = models.FileField(
        _("auditor's evidence file"),
        upload_to=evidence_upload_to,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    verification_evidence_name = models.CharField(
        _("auditor's evidence file name"), max_length=200, blank=True
    )
    verified_by = user_who(_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["indicator", "quarter"]
        verbose_name = _("realisation")
        verbose_name_plural = _("realisations")
        indexes = [
            # The disputed figures the leaders' and officers' lists read (few among millions).
            models.Index(
                fields=["indicator"],
                condition=Q(verification="disputed"),
                name="realisation_disputed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(verification__in=["unverified", "verified", "disputed"]),
                name="realisation_verification_valid",
            ),
            # A dispute says why.
            models.CheckConstraint(
                condition=~Q(verification="disputed") | ~Q(verification_note=""),
                name="realisation_dispute_has_note",
            ),
            models.UniqueConstraint(
                fields=["indicator", "quarter"], name="realisation_per_quarter"
            ),
            models.CheckConstraint(condition=QUARTER_CHECK, name="realisation_quarter_1_4"),
            models.CheckConstraint(condition=Q(value__gte=0), name="realisation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} Q{self.quarter}: {self.value}"


class LateChangeQuerySet(models.QuerySet):
    def pending(self) -> "LateChangeQuerySet":
        return self.filter(status=LateChange.Status.PENDING)


class LateChange(models.Model):
    """A realisation entered or changed after its quarter closed, waiting for an approver of
    the agency (never the person who entered it) to confirm or reject it (DESIGN.md,
    Integrity). Until it is confirmed the `Realisation` row, which the recompute reads, keeps
    the value that counts (or there is none); on confirmation the realisation takes
    `new_value` (none: it is removed) and is marked late with `entered_at`.

    The row is the record of the request and of its decision; a newer late change of the
    same indicator and quarter supersedes a pending one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("rejected")
        SUPERSEDED = "superseded", _("replaced by a newer change")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="late_changes",
        verbose_name=_("indicator"),
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    old_value = models.DecimalField(
        _("value counting before"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("new value"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    explanation = models.TextField(_("explanation of variance"), blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"),
        upload_to=evidence_upload_to,
        storage=get_private_storage,
        max_length=200,
        blank=True,
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    reason = models.TextField(_("reason for the late change"))
    entered_by = user_who(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = user_who(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    objects = LateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["entered_at", "pk"]
        verbose_name = _("late change")
        verbose_name_plural = _("late changes")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "quarter"],
                condition=Q(status="pending"),
                name="one_pending_late_change",
            ),
            models.CheckConstraint(condition=QUARTER_CHECK, name="late_change_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(new_value__isnull=True) | Q(new_value__gte=0),
                name="late_change_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "entered_at"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} Q{self.quarter}: {self.old_value} -> {self.new_value}"


class ScoreRunQuerySet(models.QuerySet):
    def published(self) -> "ScoreRunQuerySet":
        return self.filter(status=ScoreRun.Status.PUBLISHED)

    def latest_published(self) -> "ScoreRun | None":
        """The run public pages read: the newest published one, or None before the first."""
        return self.published().order_by("-published_at", "-pk").first()


class ScoreRun(models.Model):
    """One recompute. Its scores become visible all at once when it is published."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("failed")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    as_of = models.DateField(_("computed as of (WITA)"), null=True, blank=True)
    # {year: {scheme fields..., "version": n}}: exactly the parameters used, so any figure
    # can be explained and recomputed later.
    schemes = models.JSONField(_("schemes used"), default=dict)
    counts = models.JSONField(_("counts"), default=dict)
    error = models.TextField(_("error"), blank=True)
    # The fingerprint of the inputs the run was computed from (`services.input_fingerprint`):
    # a night whose inputs have the same fingerprint as the latest published run's publishes
    # no new run. Empty for runs from before fingerprints.
    inputs = models.CharField(
        _("inputs fingerprint"), max_length=64, blank=True, default="", db_default=""
    )

    objects = ScoreRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"

    @property
    def years(self) -> list[int]:
        """The years this run computed, newest first."""
        return sorted((int(y) for y in self.schemes), reverse=True)

    def scheme(self, year: int) -> scoring.Scheme:
        """The scoring parameters this run used for `year` (the defaults when it has none),
        so a page explains a figure with the rules that produced it."""
        snapshot = self.schemes.get(str(year))
        if not snapshot:
            return scoring.DEFAULT_SCHEME
        return scoring.Scheme.from_snapshot(snapshot)


class EditionQuerySet(models.QuerySet):
    def on(self, day: "datetime.date") -> "Edition | None":
        """The edition of `day` with its run, or None."""
        return self.select_related("run").filter(date=day).first()


class Edition(models.Model):
    """A dated edition of the published figures (issue 24): the first run published after a
    quarter closed, or after a correction of a closed period, kept whatever the history's
    length (`prune_runs` never deletes an edition's run), so "the figures as published on
    16 October 2026" can be read again after later corrections.

    One edition a day, dated by its run's `as_of` (WITA): when a second run of the same day
    qualifies (a correction after the morning's run), the day's edition becomes that run, the
    figures as published at the end of the day, and keeps the reasons of both. `quarters`
    are the quarters ("2026-Q3") that closed since the edition before; `corrections` the
    number of corrections the run published."""

    date = models.DateField(_("date"), unique=True)
    run = models.ForeignKey(
        ScoreRun, on_delete=models.PROTECT, related_name="editions", verbose_name=_("run")
    )
    quarters = models.JSONField(_("quarters closed"), default=list)
    corrections = models.PositiveIntegerField(_("corrections published"), default=0)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")

    def __str__(self) -> str:
        return f"edition {self.date} (run {self.run_id})"


PERIODS = [("Q1", "Q1"), ("Q2", "Q2"), ("Q3", "Q3"), ("Q4", "Q4"), ("Y", _("year"))]


class ScoreQuerySet(models.QuerySet):
    def agency_level(self) -> "ScoreQuerySet":
        """Agency scores (public once their run is published)."""
        return self.filter(contract__isnull=True)

    def contract_level(self) -> "ScoreQuerySet":
        return self.filter(contract__isnull=False)

    def public_for_run(self, run_id: int) -> "ScoreQuerySet":
        """Agency-level scores of run `run_id` of public agencies: the only scores a public
        page reads."""
        return self.filter(run_id=run_id, contract__isnull=True, agency__is_public=True)


class Score(models.Model):
    """A computed score of a contract (`contract` set) or of an agency (`contract` empty) for a
    period of a year, in one run (DESIGN.md, "Scoring rules", version 2).

    For an agency, k/e/s are its three components, each rounded (the score is recomputable
    from them), `ikm` the IKM S came from (absent below the survey minimum, as S is) and
    `respondents` its n. `final`: the period is closed (a quarter past its grace days, a
    year once its Q4 is); a provisional score has no predikat. `complete`: K is present and,
    for an agency with a public service, S too; contract rows are always complete.
    `predikat`: on the organisation scale for an agency and its own contract, empty when
    provisional; for a civil servant, the cell of the 6/2022 matrix of their ratings
    (`results_rating`, `behaviour_rating`) on the closed year's row once both exist, empty
    otherwise and on quarter rows."""

    # Scores are derived rows, written only by the recompute from rows it has just joined, and
    # deleted with their run (or, through the ORM's cascade, with their agency or contract).
    # Without database constraints the nightly insert of half a million rows skips three
    # foreign-key checks per row at commit: 14 of the recompute's 37 s (docs/performance.md).
    run = models.ForeignKey(
        ScoreRun, on_delete=models.CASCADE, related_name="scores", db_constraint=False
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="scores", db_constraint=False
    )
    contract = models.ForeignKey(
        PerformanceContract,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scores",
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=PERIODS)
    k = models.DecimalField(
        _("agency contract (K)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    e = models.DecimalField(
        _("staff mean (E)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    s = models.DecimalField(_("survey (S)"), max_digits=7, decimal_places=2, null=True, blank=True)
    ikm = models.DecimalField(_("IKM"), max_digits=5, decimal_places=2, null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("staff scored"), null=True, blank=True)
    respondents = models.PositiveIntegerField(_("survey respondents"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("missing realisations"), default=0)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    predikat = models.CharField(
        _("predikat"), max_length=20, choices=SCORE_PREDIKAT_CHOICES, blank=True
    )
    # A civil servant's closed year: the two ratings the matrix predikat came from (empty
    # when unrated, and on every other row).
    results_rating = models.CharField(
        _("results rating"),
        max_length=11,
        choices=Expectation.choices,
        blank=True,
        default="",
        db_default="",
    )
    behaviour_rating = models.CharField(
        _("behaviour rating"),
        max_length=11,
        choices=Expectation.choices,
        blank=True,
        default="",
        db_default="",
    )
    final = models.BooleanField(_("final"), default=False)
    complete = models.BooleanField(_("complete"), default=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        indexes = [
            models.Index(fields=["run", "year", "period", "agency"]),
            models.Index(fields=["run", "contract"]),
            # An agency's own scores of a run (a scorecard reads all its years and periods).
            # With (run, contract) alone, the plan PostgreSQL keeps for the prepared statement
            # (it cannot know the agency) intersected the agency's 118,000 staff scores:
            # 3.6 ms against 0.4 ms (docs/performance.md).
            models.Index(
                fields=["run", "agency"],
                condition=models.Q(contract__isnull=True),
                name="agency_score_per_run",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.period}: {self.score}"


class AchievementQuerySet(models.QuerySet):
    def public_for_run(self, run_id: int) -> "AchievementQuerySet":
        """Achievements of run `run_id` of public agencies' PK indicators (only agency
        contracts get achievement rows; the filter says so again)."""
        return self.filter(
            run_id=run_id,
            indicator__contract__employee__isnull=True,
            indicator__contract__agency__is_public=True,
        )

    def status_counts(self, scheme: scoring.Scheme) -> "AchievementQuerySet":
        """Dicts of `agency_id`, `year`, `quarter` and the number of indicators `met`
        (achievement >= 100), `near` (from the scheme's Baik threshold), `below` and
        `overdue` (closed quarter, no realisation)."""
        on_time = Q(missing=False)
        return (
            self.values(
                "quarter",
                agency_id=F("indicator__contract__agency_id"),
                year=F("indicator__contract__year"),
            )
            .annotate(
                met=Count("id", filter=on_time & Q(value__gte=100)),
                near=Count(
                    "id", filter=on_time & Q(value__lt=100, value__gte=scheme.threshold_baik)
                ),
                below=Count("id", filter=on_time & Q(value__lt=scheme.threshold_baik)),
                overdue=Count("id", filter=Q(missing=True)),
            )
            .order_by()
        )


class StaffCount(models.Model):
    """How many of an agency's rated civil servants have each predikat (the 6/2022 matrix of
    their ratings) for a closed year in a run: counts only, never a person. Unrated staff
    are not counted (they have no predikat). Written by the recompute beside the
    scores, so that a page reads five numbers instead of counting an agency's thousands of
    scores (the public scorecard's staff table, the dashboard's coherence check;
    docs/performance.md). Public pages show them suppressed
    (`agencies.queries.staff_distribution`)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="staff_counts")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff_counts")
    year = models.PositiveSmallIntegerField(_("year"))
    predikat = models.CharField(_("predikat"), max_length=20, choices=StaffPredikat.choices)
    count = models.PositiveIntegerField(_("staff"))

    class Meta:
        verbose_name = _("staff count")
        verbose_name_plural = _("staff counts")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "year", "agency", "predikat"], name="staff_count_per_predikat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.predikat}: {self.count}"


class Achievement(models.Model):
    """Achievement of one indicator of an agency PK contract in one quarter, in one run. Only
    agency contracts get rows (their indicators are public); SKP indicators feed the contract
    score directly."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="achievements")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    value = models.DecimalField(_("achievement (%)"), max_digits=7, decimal_places=2)
    missing = models.BooleanField(_("realisation missing"), default=False)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        # One per indicator and quarter in a run (the recompute writes no more): the scorecard
        # joins on it (agencies.queries.indicator_quarter).
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "quarter"], name="achievement_per_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} Q{self.quarter}: {self.value}"


class AnnualAchievementQuerySet(models.QuerySet):
    def public_for_run(self, run_id: int) -> "AnnualAchievementQuerySet":
        """Annual achievements of run `run_id` of public agencies' PK indicators."""
        return self.filter(
            run_id=run_id,
            indicator__contract__employee__isnull=True,
            indicator__contract__agency__is_public=True,
        )


class AnnualAchievement(models.Model):
    """The year so far of one indicator of an agency PK contract, in one run: what the
    scorecard publishes beside the quarters. Written for every PK indicator with a target in
    a closed quarter of the year (the year covers the closed quarters only; with none there
    is no row).

    - With an annual target: `target` is the annual target, `realisation` the annual
      realisation (the sum, last or average of the closed quarters' realisations, as its
      aggregation says; an average is shown to 4 decimals, computed exact), `value` the
      achievement of the one against the other; when the realisation is missing (a `sum`
      lacking a closed quarter's, or nothing reported for `last` / `average`), `value` is
      0, `missing` is set and `realisation` is empty.
    - Without one: `target` and `realisation` are empty and `value` is the mean of the
      indicator's quarter achievements in the closed quarters, rounded here (exact, it is
      what enters the annual score of a contract that has an indicator with an annual
      target; another contract's annual score is the mean of its quarter scores).
    """

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="annual_achievements")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    target = models.DecimalField(
        _("annual target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    realisation = models.DecimalField(
        _("annual realisation"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("annual achievement (%)"), max_digits=7, decimal_places=2)
    missing = models.BooleanField(_("realisation missing"), default=False)

    objects = AnnualAchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual achievement")
        verbose_name_plural = _("annual achievements")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator"], name="annual_achievement_per_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} Y: {self.value}"


class Support(models.Model):
    """How the civil servants' SKP indicators of a year support one agency PK indicator
    (the cascade), in one run: `indicators` how many approved SKP indicators name it as
    their parent, `staff` how many civil servants hold them, `mean_achievement` the mean of
    their achievements over the year's closed quarters (empty before the first closes).
    Counts and a mean only, never a person; public pages show them only when `staff`
    reaches the scheme's minimum group size (`performance.cascade`)."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="supports")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    indicators = models.PositiveIntegerField(_("supporting staff indicators"))
    staff = models.PositiveIntegerField(_("civil servants holding them"))
    mean_achievement = models.DecimalField(
        _("mean achievement (%)"), max_digits=7, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("support of an agency indicator")
        verbose_name_plural = _("supports of agency indicators")
        constraints = [
            models.UniqueConstraint(fields=["run", "indicator"], name="support_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.indicators} ({self.mean_achievement})"


class Figure(models.TextChoices):
    """The published figures a correction can be about (agency level and PK only)."""

    SCORE = "score", _("score")
    K = "k", _("K: agency contract")
    E = "e", _("E: staff mean")
    S = "s", _("S: survey")
    IKM = "ikm", _("IKM")
    ACHIEVEMENT = "achievement", _("indicator achievement")
    ANNUAL_ACHIEVEMENT = "annual_achievement", _("annual indicator achievement")


class CorrectionQuerySet(models.QuerySet):
    def public(self) -> "CorrectionQuerySet":
        """Corrections of public agencies (all of them are agency-level or PK figures,
        public by law)."""
        return self.filter(agency__is_public=True)


class Correction(models.Model):
    """A published figure of a closed period that changed between two published runs
    (DESIGN.md, Integrity): found when `run` was published, against `previous_run`.

    Only agency-level figures (the score and its components K, E, S and the IKM, of periods
    final in both runs) and the achievements of agency PK indicators (quarters and years
    closed on both runs' dates): never a civil servant's. `reason` is what the audit trail
    says changed (a late change's reason, a target revision's...), `scheme_from` and
    `scheme_to` the scoring scheme versions when the scheme changed in between.

    The runs are kept by number only: a correction stays public after its runs are pruned
    (SCORE_HISTORY_DAYS)."""

    run = models.ForeignKey(
        ScoreRun,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("run"),
    )
    previous_run = models.ForeignKey(
        ScoreRun,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("previous run"),
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("agency")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=PERIODS)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    indicator_code = models.CharField(_("indicator code"), max_length=30, blank=True)
    figure = models.CharField(_("figure"), max_length=20, choices=Figure.choices)
    old_value = models.DecimalField(
        _("old value"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("new value"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    scheme_from = models.PositiveIntegerField(_("scheme version before"), null=True, blank=True)
    scheme_to = models.PositiveIntegerField(_("scheme version after"), null=True, blank=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [models.Index(fields=["agency", "year"])]

    def __str__(self) -> str:
        return (
            f"{self.agency_id} {self.year} {self.period} {self.figure}: "
            f"{self.old_value} -> {self.new_value}"
        )


class PersonalDataAccess(models.Model):
    """Who opened which civil servant's records, and when: a personal-data incident must be
    scoped and notified within 3 x 24 hours (UU 27/2022). `employee` is set when one person's
    record was opened, empty when a page showed several of the agency's staff at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employee"),
    )
    path = models.CharField(_("page"), max_length=300)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        indexes = [models.Index(fields=["employee", "at"]), models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.path} {self.at:%Y-%m-%d %H:%M}"
