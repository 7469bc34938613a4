"""Sharing signals' tables: codes seen from salted client fingerprints, and their salts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .codes import AccessCode


class ClientSighting(models.Model):
    """A code seen from one client on one day. The fingerprint is a hash of the network
    prefix and user agent with a salt that changes every day: never a raw address, and not
    linkable from one day to the next."""

    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    fingerprint = models.CharField(max_length=32)
    requests = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("device sighting")
        verbose_name_plural = _("device sightings")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "day", "fingerprint"], name="accesscodes_one_sighting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.fingerprint[:8]}"


class DailySalt(models.Model):
    """The random salt of one day's client fingerprints; deleted once the day is over, so
    older fingerprints can no longer be recomputed from anything."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("daily salt")
        verbose_name_plural = _("daily salts")

    def __str__(self) -> str:
        return str(self.day)


class SuspensionSignal(models.Model):
    """A kind of sharing signal ("clients", "burst", "median") a code was suspended for
    automatically in a month. Once an admin has reactivated the code, the same kind of
    signal never suspends it again that month."""

    code = models.ForeignKey(AccessCode, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7)
    kind = models.CharField(max_length=10)

    class Meta:
        verbose_name = _("suspension signal")
        verbose_name_plural = _("suspension signals")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "month", "kind"], name="accesscodes_one_suspension_signal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.kind}"
