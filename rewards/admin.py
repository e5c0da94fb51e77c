from django.contrib import admin

from .models import Decision, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["label", "scheme", "level", "outcome", "tpp_adjustment"]
    list_filter = ["scheme", "level", "outcome"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["rule", "agency", "year", "period", "status"]
    list_filter = ["status", "year"]
    raw_id_fields = ["agency", "employee", "run", "decided_by"]
