"""Django admin for providers: write-only API keys, price versions, test and make-active."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import ordering
from .models import KEY_CLEARED, Kind, Price, ProviderConfig
from .pricing import price_at
from .probe import probe
from .registry import build
from .validators import companion_url_variable, is_server_setting


class KindDefaultSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Default for this kind")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


class ProviderConfigForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Stored encrypted and never shown again. Leave empty to keep the current key; "
            "or leave empty and name an environment variable above."
        ),
    )
    clear_api_key = forms.BooleanField(label=_("Delete the stored key"), required=False)

    class Meta:
        model = ProviderConfig
        # base_url comes from the admin (formfield_for_dbfield sets its https default).
        fields = [
            "name",
            "kind",
            "model",
            "api_key_env",
            "max_output_tokens",
            "timeout",
            "order",
            "enabled",
            "supports_images",
            "prompt_caching",
        ]
        widgets = {"supports_images": KindDefaultSelect, "prompt_caching": KindDefaultSelect}

    def clean_timeout(self):
        value = self.cleaned_data["timeout"]
        if not 0.1 <= value <= 600:
            raise forms.ValidationError(_("Choose a timeout between 0.1 and 600 seconds."))
        return value


class PriceInline(admin.TabularInline):
    model = Price
    extra = 1
    fields = [
        "effective_from",
        "eur_per_million_input",
        "eur_per_million_output",
        "eur_per_million_cached_input",
    ]


def unpriced(config) -> bool:
    """A paid (not offline) provider with no price version in force now."""
    return config.kind != Kind.OFFLINE and price_at(config).pk is None


def probe_message(name: str, result) -> tuple[int, str]:
    values = {
        "name": name,
        "first": result.first_chunk_ms,
        "total": result.total_ms,
        "detail": result.detail,
    }
    if result.ok and result.first_chunk_ms is None:
        text = _("%(name)s answered in %(total)s ms, but with no text: %(detail)s.")
        return messages.WARNING, text % values
    if result.ok:
        text = _("%(name)s answered: first words after %(first)s ms, done in %(total)s ms.")
        return messages.SUCCESS, text % values
    return messages.ERROR, _("%(name)s failed after %(total)s ms: %(detail)s") % values


@admin.register(ProviderConfig)
class ProviderConfigAdmin(admin.ModelAdmin):
    form = ProviderConfigForm
    inlines = [PriceInline]
    list_display = [
        "name",
        "kind",
        "model",
        "order",
        "enabled",
        "is_active",
        "key_status",
        "price_status",
    ]
    list_editable = ["order", "enabled"]
    readonly_fields = ["key_status"]
    actions = ["test_connection", "make_active"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "model", "base_url", "order", "enabled"]}),
        (_("API key"), {"fields": ["key_status", "api_key", "clear_api_key", "api_key_env"]}),
        (
            _("Limits and capabilities"),
            {"fields": ["max_output_tokens", "timeout", "supports_images", "prompt_caching"]},
        ),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "base_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("API key"))
    def key_status(self, obj) -> str:
        if obj is None or obj.pk is None:
            return _("No key stored yet.")
        if obj.has_stored_key:
            if obj.resolve_key()[0] is None:
                return _(
                    "A key is stored but cannot be decrypted: FIELD_ENCRYPTION_KEY changed; "
                    "enter the key again."
                )
            return _("A key is stored (encrypted).")
        if obj.key_env and is_server_setting(obj.key_env):
            return _(
                "No key is sent: %(name)s is one of the server's own settings, never a "
                "provider's key."
            ) % {"name": obj.key_env}
        if obj.key_env and obj.env_key_problem():
            return _(
                "No key is sent to this address: the key in %(name)s may only go to the "
                "vendor's own address or to the one the server gives in %(url_name)s."
            ) % {"name": obj.key_env, "url_name": companion_url_variable(obj.key_env)}
        if obj.key_env:
            return _("Read from the environment variable %(name)s.") % {"name": obj.key_env}
        return _("No key (none needed for this endpoint).")

    @admin.display(description=_("price"))
    def price_status(self, obj) -> str:
        if unpriced(obj):
            return _("No price in force: its answers cost 0 €.")
        return ""

    def changelist_view(self, request, extra_context=None):
        names = [config.name for config in ProviderConfig.objects.all() if unpriced(config)]
        if names:
            text = _(
                "No price in force for %(names)s: their answers are counted at 0 €, so the "
                "budget and allowances do not see them. Add a price below each provider."
            )
            self.message_user(request, text % {"names": ", ".join(names)}, messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj) -> bool:
        first = ProviderConfig.objects.filter(enabled=True).order_by("order", "id").first()
        return first is not None and first.pk == obj.pk

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("clear_api_key"):
            obj.set_api_key(None)
        elif form.cleaned_data.get("api_key"):
            obj.set_api_key(form.cleaned_data["api_key"])
        super().save_model(request, obj, form, change)
        if obj.key_cleared:
            self.message_user(request, KEY_CLEARED % {"name": obj.name}, messages.WARNING)

    @admin.action(description=_("Test connection"))
    def test_connection(self, request, queryset):
        for config in queryset:
            level, text = probe_message(config.name, probe(build(config)))
            self.message_user(request, text, level)

    @admin.action(description=_("Make active (move to the top)"))
    def make_active(self, request, queryset):
        chosen = queryset.order_by("order", "id").first()
        if chosen is None:
            return
        ordering.make_active(chosen)
        self.message_user(
            request,
            _("%(name)s is now the active provider; the others are fallbacks in order.")
            % {"name": chosen.name},
            messages.SUCCESS,
        )
