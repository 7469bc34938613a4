"""The privacy app: what the service stores, keeps, shows and sends, from the live setup."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Vie privée"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.navigation import SECTION_NOTES

        from .facts import staff_bar_note  # models are loaded only once apps are ready

        # The staff bar of every admin page says so while a provider is outside the EU.
        SECTION_NOTES["privacy:page"] = staff_bar_note
