from django.contrib import admin

from .models import (
    Agency,
    Membership,
    Region,
    SampleData,
    Service,
    ServiceMetric,
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


admin.site.register(SampleData)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "region"]
    list_select_related = ["user", "agency", "region"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]
