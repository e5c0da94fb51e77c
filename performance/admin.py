from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Correction,
    Employee,
    Goal,
    GoalIndicator,
    GoalTarget,
    Indicator,
    LateChange,
    PerformanceContract,
    PersonalDataAccess,
    Realisation,
    Score,
    ScoreRun,
    ScoringScheme,
    StaffRating,
    Target,
)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["nip", "name", "position", "agency"]
    list_select_related = ["agency"]
    list_filter = ["agency"]
    search_fields = ["nip", "name"]
    raw_id_fields = ["agency", "supervisor", "user"]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "version",
        "cap",
        "weight_contract",
        "weight_staff",
        "weight_survey",
        "ikm_target",
        "updated_at",
    ]
    readonly_fields = ["version", "updated_at"]

    def save_model(self, request, obj, form, change):
        # Every change is a new version, so score runs can say which one they used.
        if change and form.has_changed():
            obj.version += 1
        super().save_model(request, obj, form, change)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(PerformanceContract)
class PerformanceContractAdmin(admin.ModelAdmin):
    """Contracts. Their status moves only through the workspace's workflow (an approver
    who is not the submitter) or the command-line import, never by editing it here."""

    list_display = ["__str__", "year", "agency", "employee", "status"]
    list_select_related = ["agency", "employee"]
    list_filter = ["year", "status", "agency"]
    search_fields = ["agency__name", "employee__name", "employee__nip"]
    raw_id_fields = ["agency", "employee"]
    readonly_fields = ["status", "submitted_by", "return_reason", "version"]
    inlines = [IndicatorInline]


class GoalIndicatorInline(admin.TabularInline):
    model = GoalIndicator
    extra = 0
    show_change_link = True


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    """The province's goals (RPJMD / RKPD): also imported from goals.csv (`import_goals`)."""

    list_display = ["code", "text", "plan"]
    list_filter = ["plan"]
    search_fields = ["code", "text"]
    inlines = [GoalIndicatorInline]


class GoalTargetInline(admin.TabularInline):
    model = GoalTarget
    extra = 0


@admin.register(GoalIndicator)
class GoalIndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "text", "goal", "unit", "direction"]
    list_select_related = ["goal"]
    list_filter = ["goal"]
    search_fields = ["code", "text"]
    inlines = [GoalTargetInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "text",
        "contract",
        "direction",
        "weight",
        "annual_target",
        "aggregation",
    ]
    list_select_related = ["contract__agency", "contract__employee"]
    search_fields = ["code", "text"]
    raw_id_fields = ["contract", "goal_indicator", "parent"]


@admin.register(Target)
class QuarterValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "quarter", "value"]
    list_select_related = ["indicator"]
    list_filter = ["quarter"]
    raw_id_fields = ["indicator"]


@admin.register(Realisation)
class RealisationAdmin(QuarterValueAdmin):
    """Realisations. An evidence file is private (it has no URL): the admin links to the
    workspace view that checks who may see it, and changes it only there, where its type
    is checked."""

    exclude = ["evidence_file", "evidence_name"]
    readonly_fields = ["evidence", "entered_by", "entered_at"]
    # A link typed without a scheme is taken as https, as in the workspace's form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("evidence file"))
    def evidence(self, obj: Realisation) -> str:
        if not obj.evidence_file:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("workspace:evidence", args=[obj.pk]),
            obj.evidence_name or _("evidence file"),
        )


@admin.register(ScoreRun)
class ScoreRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "status", "started_at", "published_at", "as_of"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ScoreRun._meta.fields]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = [
        "agency",
        "contract",
        "year",
        "period",
        "score",
        "predikat",
        "final",
        "complete",
        "run",
    ]
    list_filter = ["year", "period", "final", "complete", "predikat"]
    raw_id_fields = ["run", "agency", "contract"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log is evidence: readable (auditors), never written or changed by hand."""

    list_display = ["at", "user", "agency", "employee", "path"]
    list_filter = ["agency"]
    search_fields = ["user__username", "employee__nip", "employee__name"]
    date_hierarchy = "at"
    list_select_related = ["user", "agency", "employee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records only a workflow or the recompute writes: read here, never changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LateChange)
class LateChangeAdmin(ReadOnlyAdmin):
    """Late changes: decided only by an approver in the workspace's queue."""

    list_display = ["indicator", "quarter", "old_value", "new_value", "status", "entered_at"]
    list_filter = ["status", "quarter"]
    list_select_related = ["indicator"]
    date_hierarchy = "entered_at"
    exclude = ["evidence_file"]


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    """Corrections: found by the recompute when it publishes a run (public at /corrections/)."""

    list_display = [
        "agency",
        "year",
        "period",
        "figure",
        "indicator_code",
        "old_value",
        "new_value",
        "published_at",
    ]
    list_filter = ["figure", "year", "period"]
    list_select_related = ["agency"]
    date_hierarchy = "published_at"


@admin.register(StaffRating)
class StaffRatingAdmin(SimpleHistoryAdmin):
    """Civil servants' ratings, read-only: they change only through the ratings screen, its
    upload or `import_ratings`, which check the rules and record who changed what and why."""

    list_display = ["contract", "results", "behaviour", "suggested", "rated_by", "changed_at"]
    list_select_related = ["contract__employee", "contract__agency", "rated_by"]
    list_filter = ["results", "behaviour", "contract__year"]
    search_fields = ["contract__employee__nip", "contract__employee__name"]
    raw_id_fields = ["contract", "rated_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
