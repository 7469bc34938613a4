"""App config of townhall: residents' requests to the town hall, replies, cards and insight."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownhallConfig(AppConfig):
    name = "townhall"
    verbose_name = _("Requests to the town hall")
