"""App config of embed: the allowed sites' memo is forgotten when an admin changes the list."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EmbedConfig(AppConfig):
    name = "embed"
    verbose_name = "Embedding"

    def ready(self) -> None:
        from .models import AllowedSite
        from .origins import allowed_memo

        for signal in (post_save, post_delete):
            signal.connect(allowed_memo.clear, sender=AllowedSite, dispatch_uid=f"embed-{signal}")
