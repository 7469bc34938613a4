"""App config for LLM providers: the staff banner shown while answers fall back."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("AI providers")

    def ready(self) -> None:
        from core.navigation import banners  # apps must be ready before health's models

        from .health import banner

        banners.append(banner)
