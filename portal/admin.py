from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import NightlyRun
from .tasks import nightly_task

# django-otp's own device admin shows a device's key (on its add page, and on its change,
# configuration and QR code pages unless told not to): with the key and a password the
# second factor is gone. Ours shows who has which device and never its key; devices are
# enrolled only by their owner (portal/twofactor.py). Deleting one is how an administrator
# resets a lost phone, before issuing an enrolment code.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
