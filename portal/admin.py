from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import issue_code
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


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, with the action that issues enrolment codes (portal/accounts.py)
    to the users chosen: each code is shown once, on the page the action answers with, and
    never stored in the clear (nor in a message, which would travel in a cookie)."""

    actions = ["issue_enrolment_codes"]

    @admin.action(
        description=_("Issue a one-time code to enrol an authenticator"), permissions=["change"]
    )
    def issue_enrolment_codes(self, request, queryset):
        codes = []
        for user in queryset.filter(is_active=True).order_by("username"):
            code, issued = issue_code(user, by=request.user)
            codes.append((user, code, timezone.localtime(issued.expires_at)))
        return TemplateResponse(
            request,
            "admin/enrolment_codes.html",
            {
                **self.admin_site.each_context(request),
                "codes": codes,
                "title": _("Enrolment codes"),
            },
        )
