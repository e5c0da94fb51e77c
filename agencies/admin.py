from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import (
    Agency,
    AuditEvent,
    FollowUpPlan,
    FollowUpUpdate,
    Membership,
    Region,
    SampleData,
    Service,
    ServiceMetric,
    SurveyRefusal,
    SurveyResponse,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "acronym", "region", "sector", "is_public"]
    list_filter = ["region", "sector", "is_public"]
    search_fields = ["code", "name", "acronym"]
    prepopulated_fields = {"slug": ["acronym"]}
    raw_id_fields = ["parent"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "agency", "standard_days", "fee"]
    list_select_related = ["agency"]
    list_filter = ["agency__region"]
    search_fields = ["code", "name", "agency__name"]
    raw_id_fields = ["agency"]
    # A link typed without a scheme is taken as https, as in the workspace's form.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class FollowUpUpdateInline(admin.TabularInline):
    model = FollowUpUpdate
    extra = 0
    raw_id_fields = ["entered_by"]


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(admin.ModelAdmin):
    """Follow-up plans are entered by the agencies' HR officers in the workspace (with an
    audit trail); here an administrator can correct one, e.g. take a person's name out of a
    public text."""

    list_display = ["service", "year", "quarter", "unit", "due_date", "status"]
    list_select_related = ["service__agency"]
    list_filter = ["status", "year"]
    search_fields = ["service__name", "service__code", "service__agency__name", "action"]
    raw_id_fields = ["service", "created_by"]
    inlines = [FollowUpUpdateInline]


@admin.register(ServiceMetric)
class ServiceMetricAdmin(admin.ModelAdmin):
    list_display = ["service", "year", "quarter", "kind", "value"]
    list_select_related = ["service"]
    list_filter = ["year", "quarter", "kind"]
    raw_id_fields = ["service"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["service", "year", "quarter", "channel", "submitted_at"]
    list_select_related = ["service"]
    list_filter = ["year", "quarter", "channel"]
    raw_id_fields = ["service"]


@admin.register(SurveyRefusal)
class SurveyRefusalAdmin(admin.ModelAdmin):
    """Refused survey submissions per service, day and reason: counted by the survey form,
    read here (abuse shows as a spike), never edited by hand."""

    list_display = ["day", "service", "agency", "reason", "count"]
    list_select_related = ["service__agency"]
    list_filter = ["reason", "day"]
    search_fields = ["service__name", "service__code", "service__agency__name"]
    date_hierarchy = "day"
    ordering = ["-day", "-count"]

    @admin.display(description=_("agency"), ordering="service__agency__name")
    def agency(self, obj: SurveyRefusal) -> str:
        return str(obj.service.agency)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


admin.site.register(SampleData)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "region", "view_region"]
    list_select_related = ["user", "agency", "region", "view_region"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events are evidence: readable (auditors), never written or changed by hand."""

    list_display = ["at", "actor", "action", "subject", "agency"]
    list_filter = ["action", "agency"]
    search_fields = ["subject", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "agency"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
