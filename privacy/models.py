"""The town's own entries of its processing record, and where its self-hosted providers run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import ProviderConfig

from .locations import PLACE_CHOICES


class RecordSettings(models.Model):
    """One row: what only the town can say in its record (who is responsible, its data
    protection officer, the legal basis it chose, the safeguards of its transfers)."""

    class Basis(models.TextChoices):
        PUBLIC_TASK = "public_task", _("Public interest task (GDPR art. 6-1-e)")
        CONSENT = "consent", _("Consent (GDPR art. 6-1-a)")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (GDPR art. 6-1-c)")
        CONTRACT = "contract", _("Contract (GDPR art. 6-1-b)")

    controller = models.TextField(
        _("controller"),
        blank=True,
        help_text=_("The town hall, its address and who represents it. Empty: the town's name."),
    )
    dpo = models.TextField(
        _("data protection officer"),
        blank=True,
        help_text=_("Name and contact details of the town's data protection officer."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=Basis.choices, default=Basis.PUBLIC_TASK
    )
    basis_detail = models.TextField(
        _("legal basis, details"),
        blank=True,
        help_text=_("For example the council's decision that created the service."),
    )
    transfer_safeguards = models.TextField(
        _("safeguards of transfers outside the EU"),
        blank=True,
        help_text=_(
            "For example the provider's standard contractual clauses or its certification "
            "under the EU-US Data Privacy Framework."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("processing record")
        verbose_name_plural = _("processing records")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RecordSettings:
        """The town's row, or the defaults (unsaved) until an admin saves the form."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def controller_text(self) -> str:
        return self.controller.strip() or f"Mairie de {settings.TOWN_NAME}"


class ProviderLocation(models.Model):
    """Where an admin declared that a self-hosted or OpenAI-compatible provider runs."""

    provider = models.OneToOneField(
        ProviderConfig, on_delete=models.CASCADE, related_name="privacy_location"
    )
    place = models.CharField(
        _("where questions are processed"), max_length=8, choices=PLACE_CHOICES
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("provider location")
        verbose_name_plural = _("provider locations")

    def __str__(self) -> str:
        return f"{self.provider}: {self.place}"
