"""App config of the project package: the top of the app list (settings, URLs, chat pages)."""

from django.apps import AppConfig


class ArcachatConfig(AppConfig):
    name = "arcachat"
    verbose_name = "ArcaChat"
