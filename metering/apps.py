"""App config of metering: adds the code's usage to the counter desk's page of a code."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "metering"
    verbose_name = _("Usage and budget")

    def ready(self) -> None:
        from accesscodes.desk import code_panels  # apps must be ready before the desk's models

        from .allowance import usage_panel

        code_panels.append(usage_panel)
