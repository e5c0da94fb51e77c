from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 (registers the deployment checks)
        from .security import mark_session_start

        # Like Django's own update_last_login: the login itself starts the session clocks.
        user_logged_in.connect(mark_session_start, dispatch_uid="portal-session-clocks")
