"""The form of the Fournisseurs page: one provider, with only the fields its kind needs, and its
price pre-filled from providers.presets. Validated by the model (full_clean), so the rules
on keys and addresses of providers.models apply here as in the Django admin."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Price, ProviderConfig
from .presets import Choice, preset_for

OTHER = "__other__"


class HttpsURLField(forms.URLField):
    """An address typed without a scheme is taken as https (as browsers do)."""

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class ProviderForm(forms.ModelForm):
    model_choice = forms.ChoiceField(label=_("Model"), required=False)
    model_other = forms.CharField(
        label=_("Other model (its exact name)"), required=False, max_length=120
    )
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    eur_input = forms.DecimalField(
        localize=True,
        label=_("€ per million input tokens"),
        min_value=0,
        max_digits=10,
        decimal_places=4,
    )
    eur_output = forms.DecimalField(
        localize=True,
        label=_("€ per million output tokens"),
        min_value=0,
        max_digits=10,
        decimal_places=4,
    )
    eur_cached = forms.DecimalField(
        localize=True,
        label=_("€ per million cached input tokens"),
        min_value=0,
        max_digits=10,
        decimal_places=4,
        required=False,
        help_text=_("Empty: the input price."),
    )

    class Meta:
        model = ProviderConfig
        fields = ["name", "base_url"]
        field_classes = {"base_url": HttpsURLField}

    def __init__(self, *args, choice: Choice, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup(choice)

    def _setup(self, choice: Choice) -> None:
        self.choice = choice
        self.instance.kind = choice.kind
        if "base_url" not in choice.fields:
            del self.fields["base_url"]
        else:
            self.fields["base_url"].required = True
            self.fields["base_url"].help_text = _("The server's address, ending with /v1.")
        models = [(p.model, f"{p.label} ({p.model})") for p in choice.models]
        self.fields["model_choice"].choices = [*models, (OTHER, _("Another model…"))]
        self._initial_model(models)
        self._key_help()
        if not self.instance.pk:
            self.initial["name"] = self.initial.get("name") or str(choice.title).split(" (")[0]
            self.initial["base_url"] = self.initial.get("base_url") or choice.base_url
            self._initial_price(choice.models[0] if choice.models else None)
        else:
            self._price_of_instance()

    def _initial_model(self, models) -> None:
        current = self.instance.model if self.instance.pk else (models[0][0] if models else "")
        known = {model for model, _label in models}
        if current in known:
            self.initial["model_choice"] = current
        else:
            self.initial["model_choice"] = OTHER
            self.initial["model_other"] = current

    def _key_help(self) -> None:
        field = self.fields["api_key"]
        if self.instance.has_stored_key:
            field.help_text = _("A key is stored (encrypted, never shown). Leave empty to keep it.")
        elif self.choice.key_env:
            field.help_text = _(
                "Stored encrypted and never shown again. Leave empty if the server's "
                "environment variable %(env)s holds the key."
            ) % {"env": self.choice.key_env}
        else:
            field.help_text = _("Only if the server asks for one.")

    def _initial_price(self, preset) -> None:
        if preset is None:
            self.initial.update(eur_input=0, eur_output=0)
            return
        self.initial.update(
            eur_input=preset.eur_input, eur_output=preset.eur_output, eur_cached=preset.eur_cached
        )

    def _price_of_instance(self) -> None:
        price = self.instance.prices.order_by("-effective_from").first()
        if price is None:
            self._initial_price(preset_for(self.choice, self.instance.model))
            return
        self.initial.update(
            eur_input=price.eur_per_million_input,
            eur_output=price.eur_per_million_output,
            eur_cached=price.eur_per_million_cached_input,
        )

    def clean(self):
        data = super().clean()
        chosen = data.get("model_choice") or OTHER
        model = data.get("model_other", "").strip() if chosen == OTHER else chosen
        if not model:
            self.add_error("model_other", _("Write the model's name, or choose one in the list."))
        self.instance.model = model
        cached, full = data.get("eur_cached"), data.get("eur_input")
        if cached is not None and full is not None and cached > full:
            self.add_error(
                "eur_cached", _("The cached input price cannot be above the input price.")
            )
        return data

    def _post_clean(self):
        # The key is set before the model validates (full_clean): its rules see it.
        key = self.cleaned_data.get("api_key")
        if key:
            self.instance.set_api_key(key)
        if not self.instance.pk and self.choice.key_env and not key:
            self.instance.api_key_env = self.choice.key_env
        super()._post_clean()

    def save(self, commit=True):
        config = super().save(commit=commit)
        if commit:
            self.save_price(config)
        return config

    def save_price(self, config) -> None:
        """A new price version from now on, only when the figures changed."""
        data = self.cleaned_data
        figures = (data["eur_input"], data["eur_output"], data.get("eur_cached"))
        latest = config.prices.order_by("-effective_from").first()
        if latest is not None and figures == (
            latest.eur_per_million_input,
            latest.eur_per_million_output,
            latest.eur_per_million_cached_input,
        ):
            return
        price = Price(
            provider=config,
            effective_from=timezone.now(),
            eur_per_million_input=figures[0],
            eur_per_million_output=figures[1],
            eur_per_million_cached_input=figures[2],
        )
        price.full_clean()
        price.save()
