from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "portal.workspace"
    label = "workspace"
    verbose_name = _("Workspace")
