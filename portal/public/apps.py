from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "portal.public"
    label = "public"
    verbose_name = _("Public pages")
