"""The sites allowed to show the assistant in a frame: one origin per row, added by admins."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AllowedSite(models.Model):
    # "https://www.port-lumiere.fr": scheme, host and port only (embed.origins.normalise).
    origin = models.CharField(_("address of the site"), max_length=255, unique=True)
    added_at = models.DateTimeField(_("added on"), auto_now_add=True)

    class Meta:
        ordering = ["origin"]
        verbose_name = _("site allowed to show the assistant")
        verbose_name_plural = _("sites allowed to show the assistant")

    def __str__(self) -> str:
        return self.origin
