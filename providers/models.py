"""Provider settings editable by admins: kind, model, endpoint, key, prices and order."""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto


class Kind(models.TextChoices):
    OFFLINE = "offline", _("Offline (quotes town documents, no network)")
    OPENAI = "openai", _("OpenAI")
    OPENAI_COMPATIBLE = "openai_compatible", _("OpenAI-compatible (vLLM, Ollama, Albert…)")
    ANTHROPIC = "anthropic", _("Anthropic Claude")
    MISTRAL = "mistral", _("Mistral AI")


# Per kind: default model, base URL and key environment variable (empty = none needed).
KIND_DEFAULTS = {
    Kind.OFFLINE: {"model": "town-documents", "base_url": "", "key_env": ""},
    Kind.OPENAI: {"model": "gpt-4o-mini", "base_url": "", "key_env": "OPENAI_API_KEY"},
    Kind.OPENAI_COMPATIBLE: {
        "model": "",
        "base_url": "http://127.0.0.1:8001/v1",
        "key_env": "",
    },
    Kind.ANTHROPIC: {
        "model": "claude-haiku-4-5",
        "base_url": "",
        "key_env": "ANTHROPIC_API_KEY",
    },
    Kind.MISTRAL: {"model": "mistral-small-latest", "base_url": "", "key_env": "MISTRAL_API_KEY"},
}


STORED_KEY = "the key stored in the provider settings"


class ProviderConfig(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    model = models.CharField(
        _("model"), max_length=120, blank=True, help_text=_("Empty: the kind's default model.")
    )
    base_url = models.URLField(
        _("base URL"),
        blank=True,
        help_text=_("Empty: the vendor's public API. For OpenAI-compatible servers, end with /v1."),
    )
    api_key_env = models.CharField(
        _("API key environment variable"),
        max_length=80,
        blank=True,
        help_text=_("Name of the environment variable holding the key, e.g. MISTRAL_API_KEY."),
    )
    api_key_encrypted = models.TextField(
        _("stored API key (encrypted)"), blank=True, editable=False
    )
    max_output_tokens = models.PositiveIntegerField(
        _("max output tokens"),
        null=True,
        blank=True,
        help_text=_("Empty: the town's limit for every answer (ANSWER_MAX_TOKENS)."),
    )
    timeout = models.FloatField(_("timeout (seconds)"), default=30.0)
    order = models.PositiveIntegerField(
        _("order"),
        default=10,
        help_text=_("The first enabled provider is active; the next ones are fallbacks."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    supports_images = models.BooleanField(
        _("accepts images"), null=True, blank=True, help_text=_("Empty: the kind's default.")
    )
    prompt_caching = models.BooleanField(
        _("prompt caching"), null=True, blank=True, help_text=_("Empty: the kind's default.")
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name

    @property
    def key_env(self) -> str:
        return self.api_key_env or KIND_DEFAULTS[self.kind]["key_env"]

    @property
    def has_stored_key(self) -> bool:
        return bool(self.api_key_encrypted)

    def set_api_key(self, plaintext: str | None) -> None:
        self.api_key_encrypted = crypto.encrypt(plaintext) if plaintext else ""

    def resolve_key(self) -> tuple[str | None, str]:
        """(key or None, where it comes from: told to admins when it is refused). A stored
        key that cannot be decrypted gives (None, crypto.UNREADABLE)."""
        if self.api_key_encrypted:
            key = crypto.decrypt(self.api_key_encrypted)
            return key, STORED_KEY if key is not None else crypto.UNREADABLE
        if self.key_env:
            return os.environ.get(self.key_env) or None, f"the environment variable {self.key_env}"
        return None, "no key"

    def effective_model(self) -> str:
        return self.model or KIND_DEFAULTS[self.kind]["model"]

    def effective_base_url(self) -> str:
        return self.base_url or KIND_DEFAULTS[self.kind]["base_url"]


class Price(models.Model):
    """Euros per million tokens from a date on; the latest version in force applies."""

    provider = models.ForeignKey(
        ProviderConfig, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="prices"
    )
    effective_from = models.DateTimeField(_("effective from"))
    eur_per_million_input = models.DecimalField(
        _("€ per million input tokens"),
        max_digits=10,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0)],
    )
    eur_per_million_output = models.DecimalField(
        _("€ per million output tokens"),
        max_digits=10,
        decimal_places=4,
        default=0,
        validators=[MinValueValidator(0)],
    )
    eur_per_million_cached_input = models.DecimalField(
        _("€ per million cached input tokens"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the input price (no discount for cached input)."),
    )

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["provider", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "effective_from"], name="providers_price_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} from {self.effective_from:%Y-%m-%d}"

    def clean(self):
        cached, full = self.eur_per_million_cached_input, self.eur_per_million_input
        if cached is not None and full is not None and cached > full:
            raise ValidationError(
                {
                    "eur_per_million_cached_input": _(
                        "The cached input price cannot be above the input price."
                    )
                }
            )

    @property
    def cached_input_rate(self):
        """€ per million cached input tokens: the input price when none is set."""
        if self.eur_per_million_cached_input is None:
            return self.eur_per_million_input
        return self.eur_per_million_cached_input
