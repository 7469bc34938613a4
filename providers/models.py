"""Provider settings editable by admins: kind, model, endpoint, key, prices and order."""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto
from .validators import companion_url_variable, env_key_refusal, same_address, validate_key_env


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
KEY_FOR_OTHER_ADDRESS = "the stored key was entered for another address: enter it again"
# Said to the admin by any page whose save deleted the stored key (`key_cleared`).
KEY_CLEARED = _(
    "The address of %(name)s changed, so its stored key was deleted: a key is "
    "only ever sent to the address it was entered for. Enter the key again."
)


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
        validators=[validate_key_env],
        help_text=_(
            "Name of the environment variable holding the key, e.g. MISTRAL_API_KEY. Its key "
            "goes only to the vendor's own address, or to the one the server gives in "
            "MISTRAL_BASE_URL (for MISTRAL_API_KEY)."
        ),
    )
    api_key_encrypted = models.TextField(
        _("stored API key (encrypted)"), blank=True, editable=False
    )
    # The address the stored key was entered for: it is never sent anywhere else, and
    # changing the address deletes it (save()).
    api_key_base_url = models.CharField(
        _("address of the stored key"), max_length=200, blank=True, editable=False
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

    # Set by save() when it deleted the stored key: the page that saved says so to the admin.
    key_cleared = False
    _key_entered = False  # set_api_key() was called since the last save

    def save(self, *args, **kwargs):
        """A key entered in this edit is kept for the address saved with it; a stored key
        never follows a later change of address: it is deleted (`key_cleared`)."""
        if self._key_entered:
            self.api_key_base_url = self.effective_base_url() if self.has_stored_key else ""
            self._key_entered = False
        elif self.has_stored_key and not same_address(
            self.api_key_base_url, self.effective_base_url()
        ):
            self.set_api_key(None)
            self._key_entered = False
            self.key_cleared = True
        if kwargs.get("update_fields") is not None:
            fields = {"api_key_encrypted", "api_key_base_url"}
            kwargs["update_fields"] = set(kwargs["update_fields"]) | fields
        super().save(*args, **kwargs)

    @property
    def key_env(self) -> str:
        return self.api_key_env or KIND_DEFAULTS[self.kind]["key_env"]

    @property
    def has_stored_key(self) -> bool:
        return bool(self.api_key_encrypted)

    def set_api_key(self, plaintext: str | None) -> None:
        """Store a key (encrypted) for the address it is saved with, or delete it (None)."""
        self.api_key_encrypted = crypto.encrypt(plaintext) if plaintext else ""
        self.api_key_base_url = self.effective_base_url() if plaintext else ""
        self._key_entered = True

    def env_key_problem(self) -> str:
        """Why the key of the environment variable may not go to this address ("" if it may)."""
        if self.has_stored_key or not self.key_env:
            return ""
        default = KIND_DEFAULTS[self.kind]["base_url"]
        return env_key_refusal(self.key_env, self.effective_base_url(), default)

    def resolve_key(self) -> tuple[str | None, str]:
        """(key or None, where it comes from: told to admins when it is refused). A stored
        key that cannot be decrypted gives (None, crypto.UNREADABLE); a key is never given
        for an address it may not go to (see providers.validators)."""
        if self.api_key_encrypted:
            if not same_address(self.api_key_base_url, self.effective_base_url()):
                return None, KEY_FOR_OTHER_ADDRESS
            key = crypto.decrypt(self.api_key_encrypted)
            return key, STORED_KEY if key is not None else crypto.UNREADABLE
        if self.key_env:
            refused = self.env_key_problem()
            if refused:
                return None, refused
            return os.environ.get(self.key_env) or None, f"the environment variable {self.key_env}"
        return None, "no key"

    def clean(self):
        if not self.api_key_env or self.has_stored_key:
            return
        try:
            validate_key_env(self.api_key_env)
        except ValidationError:
            return  # said on the field itself
        if self.env_key_problem():  # not tied to a field: a form may not show that one
            message = _(
                "The key in the server's variable %(name)s may only be sent to the vendor's "
                "own address or to the one the server gives in %(url_name)s. Enter the key "
                "here instead: it is then kept for this address only."
            )
            names = {"name": self.api_key_env, "url_name": companion_url_variable(self.key_env)}
            raise ValidationError(message % names)

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
