"""App config of metering: adds the code's usage to the counter desk's page of a code, and
checks a code's sharing signals when it is seen from a new device (accesscodes.sharing)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "metering"
    verbose_name = _("Usage and budget")

    def ready(self) -> None:
        from accesscodes.desk import code_panels  # apps must be ready before the desk's models
        from accesscodes.sharing import new_client_hooks

        from .allowance import usage_panel
        from .overuse import check_new_client

        code_panels.append(usage_panel)
        new_client_hooks.append(check_new_client)
