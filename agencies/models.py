"""Regions, agencies (Perangkat Daerah), their public services with their service standards,
service metrics, the citizen satisfaction survey (SKM) and the follow-up plans it calls for."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, FilteredRelation, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

QUARTERS = [(1, _("Q1")), (2, _("Q2")), (3, _("Q3")), (4, _("Q4"))]
QUARTER_CHECK = Q(quarter__gte=1) & Q(quarter__lte=4)


def quarter_name(quarter: int) -> str:
    """A quarter in the active language's words: "Q3" in English, "TW III" in Indonesian."""
    return str(dict(QUARTERS).get(quarter, quarter))


ANSWER_FIELDS = [f"u{i}" for i in range(1, 10)]


def user_who(verbose_name: str) -> models.ForeignKey:
    """The user who did something to a row (entered, submitted it): kept as None when the
    account is deleted, with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class Region(models.Model):
    """A province, regency (kabupaten) or city (kota), identified by its BPS code."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        REGENCY = "regency", _("regency")
        CITY = "city", _("city")

    # The province whose portal this is (BPS code of Nusa Tenggara Barat); its regencies
    # and cities have four-digit codes that begin with it.
    PROVINCE_CODE = "52"

    code = models.CharField(_("BPS code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def kind_for_code(code: str) -> str:
        """BPS codes: two digits for a province; four for a regency, 71-99 after the
        province digits for a city (5271 Kota Mataram, 5272 Kota Bima)."""
        if len(code) == 2:
            return Region.Kind.PROVINCE
        return Region.Kind.CITY if int(code[2:]) >= 71 else Region.Kind.REGENCY


class AgencyQuerySet(models.QuerySet):
    def public(self) -> "AgencyQuerySet":
        """Agencies shown on public pages."""
        return self.filter(is_public=True)

    def with_score(self, run_id: int, year: int, period: str, prefix: str = "") -> "AgencyQuerySet":
        """Each agency with its agency-level score of run `run_id` for `year` and `period`
        ("Q1".."Q4" or "Y") as annotations `score`, `predikat`, `k`, `e`, `s` and
        `respondents` (and `ikm`, `final`, `complete`), all None when the agency has no score
        then (one LEFT JOIN).

        `prefix` names a second set (`prev_score`...) so two periods can sit side by side.
        Only agency-level rows (no contract) are joined: staff scores never come this way.
        """
        alias = f"_{prefix}score_row"
        relation = FilteredRelation(
            "scores",
            condition=Q(
                scores__run_id=run_id,
                scores__year=year,
                scores__period=period,
                scores__contract__isnull=True,
            ),
        )
        fields = ["score", "predikat", "k", "e", "s", "ikm", "respondents", "final", "complete"]
        return self.annotate(**{alias: relation}).annotate(
            **{f"{prefix}{name}": F(f"{alias}__{name}") for name in fields}
        )

    def search(self, text: str) -> "AgencyQuerySet":
        """Agencies whose name or acronym contains `text` (case-insensitive)."""
        return self.filter(Q(name__icontains=text) | Q(acronym__icontains=text))

    def sectors(self) -> list[str]:
        """The distinct non-empty sectors of these agencies, sorted."""
        return list(
            self.exclude(sector="").order_by("sector").values_list("sector", flat=True).distinct()
        )


class Agency(models.Model):
    """A regional government agency (Perangkat Daerah / OPD), or a unit of one."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("region")
    )
    sector = models.CharField(_("sector"), max_length=80, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("parent agency"),
    )
    is_public = models.BooleanField(_("shown publicly"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:detail", kwargs={"slug": self.slug})


# Longest text of a follow-up plan's action or of an update (characters).
PLAN_TEXT = 2000
# Longest texts of a service standard (characters): a requirements list or a procedure of
# a dozen steps; an address, opening hours or a contact.
STANDARD_LONG = 4000
STANDARD_SHORT = 500
STANDARD_FIELDS = (
    "standard_days",
    "fee",
    "fee_note",
    "requirements",
    "procedure",
    "location",
    "opening_hours",
    "complaint_url",
    "complaint_contact",
)


class ServiceQuerySet(models.QuerySet):
    def public(self) -> "ServiceQuerySet":
        """Services of public agencies."""
        return self.filter(agency__is_public=True)

    def search(self, text: str) -> "ServiceQuerySet":
        """Services that match every word of `text` (case-insensitive), each word in the
        name, the requirements or the agency's name, or at the start of the code or the
        agency's acronym: "izin usaha" finds "Perizinan Berusaha", "KTP" a service asking
        for a KTP. The services with every word in their name or code come first, then by
        name. At most `SEARCH_WORDS` words count, so a long query costs no more than a short
        one."""
        words = text.split()[:SEARCH_WORDS]
        services, in_name = self, Q()
        for word in words:
            # Codes and acronyms by their start: "KK" is the family card's code, not a
            # piece of DISNAKKESWAN.
            services = services.filter(
                Q(name__icontains=word)
                | Q(code__istartswith=word)
                | Q(requirements__icontains=word)
                | Q(agency__name__icontains=word)
                | Q(agency__acronym__istartswith=word)
            )
            in_name &= Q(name__icontains=word) | Q(code__istartswith=word)
        # The services named after what was asked for first, then by name.
        return services.annotate(
            named=Case(When(in_name, then=Value(0)), default=Value(1))
        ).order_by("named", "name", "agency__name", "pk")


# The words of a service search that count (`ServiceQuerySet.search`).
SEARCH_WORDS = 6


class Service(models.Model):
    """A public service an agency delivers (a permit, a certificate, a treatment...)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="services", verbose_name=_("agency")
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    standard_days = models.PositiveIntegerField(
        _("standard processing days"), null=True, blank=True
    )
    fee = models.DecimalField(_("fee (Rp)"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The service standard's components a citizen needs (PermenPAN-RB 15/2014), published
    # on the service's page: entered by the agency's HR officers or by import_services.
    # Empty: not provided yet.
    fee_note = models.CharField(
        _("fee: basis or how it varies"), max_length=STANDARD_SHORT, blank=True
    )
    requirements = models.TextField(_("requirements"), max_length=STANDARD_LONG, blank=True)
    procedure = models.TextField(_("procedure"), max_length=STANDARD_LONG, blank=True)
    location = models.TextField(_("where"), max_length=STANDARD_SHORT, blank=True)
    opening_hours = models.TextField(_("opening hours"), max_length=STANDARD_SHORT, blank=True)
    complaint_url = models.URLField(
        _("complaint link (SP4N-LAPOR!)"), max_length=STANDARD_SHORT, blank=True
    )
    complaint_contact = models.TextField(
        _("other complaint channels"), max_length=STANDARD_SHORT, blank=True
    )
    # When the standard was last changed (also the optimistic lock of its workspace form).
    standard_updated_at = models.DateTimeField(_("standard updated at"), null=True, blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="service_code_per_agency"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:service", kwargs={"slug": self.agency.slug, "code": self.code})


class ServiceMetric(models.Model):
    """One quarterly figure of a service (applications, on-time completions, complaints...)."""

    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("applications received")
        COMPLETED_ON_TIME = "completed_on_time", _("completed on time")
        COMPLETED_LATE = "completed_late", _("completed late")
        AVG_PROCESSING_DAYS = "avg_processing_days", _("average processing days")
        COMPLAINTS_RECEIVED = "complaints_received", _("complaints received")
        COMPLAINTS_RESOLVED = "complaints_resolved", _("complaints resolved")
        USERS = "users", _("people served")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["service", "year", "quarter", "kind"]
        verbose_name = _("service metric")
        verbose_name_plural = _("service metrics")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year", "quarter", "kind"], name="service_metric_natural_key"
            ),
            models.CheckConstraint(condition=QUARTER_CHECK, name="service_metric_quarter_1_4"),
            models.CheckConstraint(condition=Q(value__gte=0), name="service_metric_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year} Q{self.quarter} {self.kind}"


class FollowUpPlanQuerySet(models.QuerySet):
    def public(self) -> "FollowUpPlanQuerySet":
        """Plans of the services of public agencies (public like the service page)."""
        return self.filter(service__agency__is_public=True)

    def open(self) -> "FollowUpPlanQuerySet":
        """Plans not done yet."""
        return self.exclude(status=FollowUpPlan.Status.DONE)

    def overdue(self, today: datetime.date) -> "FollowUpPlanQuerySet":
        """Plans not done whose due date has passed on `today`."""
        return self.open().filter(due_date__lt=today)


class FollowUpPlan(models.Model):
    """A follow-up plan (rencana tindak lanjut) an agency publishes for a service whose
    survey results call for one (`performance.followup`): what it will do, which unit is
    responsible, by when, and how far it has got. Public on the service's page and in open
    data, so it names a unit or a position, never a person."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="plans", verbose_name=_("service")
    )
    # The survey quarter whose results the plan answers.
    year = models.PositiveSmallIntegerField(_("survey year"))
    quarter = models.PositiveSmallIntegerField(_("survey quarter"), choices=QUARTERS)
    action = models.TextField(_("action"), max_length=PLAN_TEXT)
    unit = models.CharField(_("unit responsible"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = user_who(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FollowUpPlanQuerySet.as_manager()

    class Meta:
        ordering = ["service", "-year", "-quarter", "due_date", "pk"]
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        indexes = [models.Index(fields=["status", "due_date"], name="follow_up_status_due")]
        constraints = [
            models.CheckConstraint(condition=QUARTER_CHECK, name="follow_up_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="follow_up_completed_on_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year} Q{self.quarter}: {self.action[:60]}"

    def is_overdue(self, today: datetime.date) -> bool:
        """Not done, and its due date has passed on `today`."""
        return self.status != self.Status.DONE and self.due_date < today


class FollowUpUpdate(models.Model):
    """A dated note on a plan's progress (what was done, a due date moved and why), with
    the status the plan had after it: the plan's public history."""

    plan = models.ForeignKey(
        FollowUpPlan, on_delete=models.CASCADE, related_name="updates", verbose_name=_("plan")
    )
    on = models.DateField(_("date"))
    text = models.TextField(_("update"), max_length=PLAN_TEXT)
    status = models.CharField(
        _("status after the update"), max_length=12, choices=FollowUpPlan.Status.choices
    )
    # Set when the update moved the plan's due date.
    previous_due_date = models.DateField(_("previous due date"), null=True, blank=True)
    due_date = models.DateField(_("new due date"), null=True, blank=True)
    entered_by = user_who(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "-on", "-pk"]
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.on}: {self.text[:60]}"


class SurveyResponseQuerySet(models.QuerySet):
    def sums_by_quarter(self, *group_by: str) -> "SurveyResponseQuerySet":
        """Dicts of the `group_by` fields, `year`, `quarter`, `respondents` and
        `sum_u1`..`sum_u9`, one per group and quarter, newest quarter first: the exact inputs
        of `scoring.ikm_from_sums` (integer sums, so no rounding happens in SQL)."""
        return (
            self.values(*group_by, "year", "quarter")
            .annotate(respondents=Count("id"), **{f"sum_{f}": Sum(f) for f in ANSWER_FIELDS})
            .order_by(*group_by, "-year", "-quarter")
        )

    def sums(self) -> dict:
        """`respondents` and `sum_u1`..`sum_u9` over all these responses (one aggregate)."""
        return self.aggregate(
            respondents=Count("id"), **{f"sum_{f}": Sum(f) for f in ANSWER_FIELDS}
        )


class AgeBand(models.TextChoices):
    UNDER_20 = "lt20", _("under 20")
    FROM_20 = "20-29", _("20-29")
    FROM_30 = "30-39", _("30-39")
    FROM_40 = "40-49", _("40-49")
    FROM_50 = "50-59", _("50-59")
    FROM_60 = "60+", _("60 or over")


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")


class Education(models.TextChoices):
    SD = "sd", _("primary school (SD) or less")
    SMP = "smp", _("junior high school (SMP)")
    SMA = "sma", _("senior high school (SMA/SMK)")
    DIPLOMA = "diploma", _("diploma (D1-D4)")
    S1 = "s1", _("bachelor (S1)")
    S2 = "s2", _("master or doctorate (S2/S3)")


class Occupation(models.TextChoices):
    CIVIL_SERVANT = "asn", _("civil servant (ASN)")
    MILITARY_POLICE = "tni", _("military or police (TNI/Polri)")
    PRIVATE = "private", _("private employee")
    SELF_EMPLOYED = "self", _("self-employed")
    STUDENT = "student", _("student")
    OTHER = "other", _("other")


class SurveyResponse(models.Model):
    """One respondent's answers (1-4) to the nine SKM elements (PermenPAN-RB 14/2017)."""

    class Channel(models.TextChoices):
        WEB = "web", _("web")
        PAPER = "paper", _("paper")
        IMPORT = "import", _("kiosk / import")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="responses", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    u1 = models.PositiveSmallIntegerField(_("requirements"))
    u2 = models.PositiveSmallIntegerField(_("systems, mechanisms and procedures"))
    u3 = models.PositiveSmallIntegerField(_("completion time"))
    u4 = models.PositiveSmallIntegerField(_("cost / fee"))
    u5 = models.PositiveSmallIntegerField(_("product specification"))
    u6 = models.PositiveSmallIntegerField(_("staff competence"))
    u7 = models.PositiveSmallIntegerField(_("staff behaviour"))
    u8 = models.PositiveSmallIntegerField(_("facilities"))
    u9 = models.PositiveSmallIntegerField(_("handling of complaints and suggestions"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    # The questionnaire's optional respondent profile (PermenPAN-RB 14/2017, annex).
    age_band = models.CharField(_("age"), max_length=5, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    education = models.CharField(
        _("education"), max_length=10, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=10, choices=Occupation.choices, blank=True
    )
    # Private to the agency: never on a public page or in open data.
    suggestion = models.TextField(_("suggestion"), blank=True)
    entered_by = user_who(_("entered by"))

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["service", "year", "quarter"])]
        constraints = [
            models.CheckConstraint(condition=QUARTER_CHECK, name="survey_quarter_1_4"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__gte": 1}) & Q(**{f"{f}__lte": 4}),
                    name=f"survey_{f}_1_4",
                )
                for f in ANSWER_FIELDS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year} Q{self.quarter} #{self.pk}"

    def answers(self) -> list[int]:
        return [getattr(self, f) for f in ANSWER_FIELDS]


class PaperBatch(models.Model):
    """A batch of paper questionnaires saved from the workspace, keyed by the one-time token
    of the form it was typed into: the same form sent twice (a double click, a resend after a
    lost connection) is saved once."""

    token = models.UUIDField(_("form token"), primary_key=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="paper_batches", verbose_name=_("service")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTERS)
    responses = models.PositiveIntegerField(_("responses"))
    entered_by = user_who(_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper survey batch")
        verbose_name_plural = _("paper survey batches")

    def __str__(self) -> str:
        return f"{self.service} {self.year} Q{self.quarter} ({self.responses})"


class SurveyRefusal(models.Model):
    """How many survey submissions were refused, per service, day and reason: refused
    submissions are never stored as responses, but abuse stays visible to administrators."""

    class Reason(models.TextChoices):
        INVALID = "invalid", _("missing or invalid answers")
        HONEYPOT = "honeypot", _("honeypot field filled")
        TOO_FAST = "too_fast", _("answered too fast")
        RATE_LIMITED = "rate_limited", _("rate limit")
        DUPLICATE = "duplicate", _("duplicate")
        REPLAYED = "replayed", _("form sent again")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="refusals", verbose_name=_("service")
    )
    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["-day", "service", "reason"]
        verbose_name = _("refused survey submission")
        verbose_name_plural = _("refused survey submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "day", "reason"], name="survey_refusal_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.day} {self.reason}: {self.count}"


class SampleData(models.Model):
    """Present while the database holds `seed_demo` data, so every page can say so."""

    created_at = models.DateTimeField(auto_now_add=True)
    scale = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("sample data marker")
        verbose_name_plural = _("sample data markers")

    def __str__(self) -> str:
        return f"sample data x{self.scale}"


class Membership(models.Model):
    """A user's role: for an agency (HR officer, approver), a region or the whole province
    (leader: `region` set, or neither set for the province), or everything (auditor).
    A user may hold several memberships; `agencies.access` turns them into querysets.

    A leader's `region` is their authority: the agencies on whose civil servants they decide
    (the province: its own agencies, region 52; a regency or city: its agencies).
    `view_region` widens what they see (the province's code: every agency of every region);
    empty, they see what `region` says (the province's code seeing the whole province)."""

    class Role(models.TextChoices):
        HR_OFFICER = "hr_officer", _("HR officer")
        APPROVER = "approver", _("approver")
        LEADER = "leader", _("leader")
        AUDITOR = "auditor", _("auditor")

    user = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("agency"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("region"),
    )
    view_region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region seen"),
        help_text=_(
            "Leaders only: a wider region to see than the one they decide for (the "
            "province: every region). Empty: the same."
        ),
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                condition=Q(agency__isnull=False),
                name="membership_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(region__isnull=False),
                name="membership_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(agency__isnull=True, region__isnull=True),
                name="membership_unique_unscoped",
            ),
            # Agency roles need an agency; leaders and auditors are not tied to one.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["hr_officer", "approver"],
                        agency__isnull=False,
                        region__isnull=True,
                    )
                    | Q(role="leader", agency__isnull=True)
                    | Q(role="auditor", agency__isnull=True, region__isnull=True)
                ),
                name="membership_scope_fits_role",
            ),
            models.CheckConstraint(
                condition=Q(view_region__isnull=True) | Q(role="leader"),
                name="membership_view_region_for_leaders",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.region or _("province")
        return f"{self.user} · {self.get_role_display()} · {scope}"


class AuditEvent(models.Model):
    """One write operation that has no row-by-row history of its own, or that is worth naming
    as a whole: a CSV import (by whom, which file, what it changed), a batch of paper survey
    forms, a quarter's service figures, the nightly recompute and rules. Row-level changes
    of contracts, targets, realisations, decisions and roles are in their own histories
    (django-simple-history), with the same actors. Processes act as named system users
    (`agencies.audit.system_actor`), never as nobody."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=40, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"


class NotificationPreference(models.Model):
    """How a user wants to be told of what needs them (issue 23): each event in its own mail
    at once, or one mail a day with everything pending; and in which language. A user
    without a row gets mail at once in the portal's default language."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("a mail for each event, at once")
        DIGEST = "digest", _("one mail a day with everything pending")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE
    )
    language = models.CharField(
        _("language of the mail"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # The day (WITA) the last digest went out: one digest a day, however often the beat runs.
    last_digest_on = models.DateField(_("last digest sent on"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.delivery} · {self.language}"


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> "NotificationQuerySet":
        """Notifications not mailed yet."""
        return self.filter(sent_at__isnull=True)


class Notification(models.Model):
    """One event a user is to be told of by mail. What the mail says is rendered when it is
    sent, in the recipient's language, from `kind` and `params` (language-neutral values:
    an agency's name, a year, a count, never a civil servant's name or NIP); `path` is the
    page to open. `key` names a reminder so the beat never sends the same one twice."""

    class Kind(models.TextChoices):
        CONTRACT_SUBMITTED = "contract_submitted", _("contract submitted")
        CONTRACTS_UPLOADED = "contracts_uploaded", _("contracts submitted by upload")
        CONTRACT_APPROVED = "contract_approved", _("contract approved")
        CONTRACT_RETURNED = "contract_returned", _("contract returned")
        LATE_CHANGE = "late_change", _("late change waiting")
        DECISIONS = "decisions", _("decisions waiting")
        OBJECTION = "objection", _("objection lodged")
        REMINDER_MISSING = "reminder_missing", _("missing realisations before the deadline")
        REMINDER_WAITING = "reminder_waiting", _("what waits for an approver")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    path = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_key_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind} · {self.created_at:%Y-%m-%d %H:%M}"
