"""Admin: rules (also inline on their scheme; every change moves the scheme's version on),
and decisions and objections read-only: they change only through the leaders' pages, which
record who, when and why."""

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from performance.admin import ScoringSchemeAdmin
from performance.models import ScoringScheme

from .models import Decision, Objection, Rule

RULE_FIELDS = [
    "order",
    "code",
    "label",
    "label_en",
    "level",
    "period",
    "condition",
    "predikats",
    "value",
    "consecutive",
    "outcome",
    "tpp_adjustment",
    "for_leader_review",
    "active",
]


def bump_scheme_version(scheme_id: int) -> None:
    """A rule is part of its scheme: changing one is a new version of the scheme, so score
    runs and decisions can say which rules they followed."""
    ScoringScheme.objects.filter(pk=scheme_id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["label", "scheme", "level", "period", "outcome", "tpp_adjustment", "active"]
    list_filter = ["scheme", "level", "outcome", "active"]
    list_select_related = ["scheme"]
    fields = ["scheme", *RULE_FIELDS]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.has_changed():
            bump_scheme_version(obj.scheme_id)
            if change and "scheme" in form.changed_data:
                bump_scheme_version(form.initial["scheme"])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_scheme_version(obj.scheme_id)

    def delete_queryset(self, request, queryset):
        schemes = set(queryset.values_list("scheme_id", flat=True))
        super().delete_queryset(request, queryset)
        for scheme_id in schemes:
            bump_scheme_version(scheme_id)


class RuleInline(admin.TabularInline):
    model = Rule
    fields = RULE_FIELDS
    extra = 0


# The scheme's admin (performance) with its rules inline: registered again here because the
# rules live in this app, which performance cannot import.
admin.site.unregister(ScoringScheme)


@admin.register(ScoringScheme)
class ScoringSchemeWithRulesAdmin(ScoringSchemeAdmin):
    inlines = [RuleInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The scheme's own fields already moved the version on (save_model).
        if change and not form.has_changed() and any(f.has_changed() for f in formsets):
            bump_scheme_version(form.instance.pk)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["rule", "agency", "employee", "year", "period", "status", "decided_at"]
    list_filter = ["status", "year", "rule__outcome", "rule__level"]
    list_select_related = ["rule", "agency", "employee"]
    search_fields = ["agency__name", "employee__name", "employee__nip"]
    raw_id_fields = ["agency", "employee", "run", "decided_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["decision", "rating", "lodged_by", "lodged_at", "answered_by", "answered_at"]
    list_select_related = ["decision__rule", "rating", "lodged_by", "answered_by"]
    raw_id_fields = ["decision", "rating", "lodged_by", "answered_by"]
