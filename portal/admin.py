from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import NightlyRun
from .tasks import nightly_task


@admin.register(NightlyRun)
class NightlyRunAdmin(admin.ModelAdmin):
    """The nightly job's ledger: read-only, with an action to start tonight's job now."""

    list_display = ["night", "status", "run", "attempts", "trigger", "started_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in NightlyRun._meta.fields]
    actions = ["start_tonight"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Start tonight's job now (no-op when it is done)"))
    def start_tonight(self, request, queryset):
        nightly_task.delay_on_commit(trigger="manual")
        self.message_user(request, _("The nightly job has been queued."), messages.INFO)
