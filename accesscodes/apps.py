"""App config for access codes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccesscodesConfig(AppConfig):
    name = "accesscodes"
    verbose_name = _("Access codes")
