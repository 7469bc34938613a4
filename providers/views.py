"""The Fournisseurs page for admins: one card per provider (the built-in offline one too), make
one active, reorder the fallbacks, test a connection, see each one's health, add or edit one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, role_required

from . import health, ordering, presets
from .base import ProviderError
from .forms import ProviderForm
from .models import KEY_CLEARED, Kind, ProviderConfig
from .offline import OfflineProvider
from .pricing import cost_eur, price_at
from .probe import probe
from .registry import build, configured_chain

admins_only = role_required(ADMINS)
PROBE_SESSION_KEY = "providers_probe"
BUILTIN = "builtin"


def choice_of(config: ProviderConfig) -> presets.Choice:
    """The "Add a provider" button a saved provider came from (to edit it the same way)."""
    if config.kind == Kind.OPENAI_COMPATIBLE:
        url = config.base_url or ""
        local = "127.0.0.1" in url or "localhost" in url or url.startswith("http://")
        return presets.BY_KEY["local" if local else "albert"]
    key = {Kind.OPENAI: "openai", Kind.ANTHROPIC: "anthropic", Kind.MISTRAL: "mistral"}
    return presets.BY_KEY[key.get(config.kind, "openai")]


def _key_state(config: ProviderConfig) -> str:
    if config.kind == Kind.OFFLINE:
        return ""
    key, _source = config.resolve_key()
    if key:
        return _("API key set")
    if config.has_stored_key:
        return _("The stored key cannot be read: enter it again")
    if config.kind == Kind.OPENAI_COMPATIBLE:
        return _("No API key (none needed for this server?)")
    return _("No API key: add one, or it will fail")


def _card(config: ProviderConfig | None, chain_names: list[str], found: dict) -> dict:
    name = config.name if config else OfflineProvider().name
    price = price_at(config) if config else None
    return {
        "config": config,
        "id": config.pk if config else BUILTIN,
        "name": name if config else _("Offline (town documents)"),
        "offline": config is None or config.kind == Kind.OFFLINE,
        "kind": config.get_kind_display() if config else _("Built in, always there"),
        "model": config.effective_model() if config and config.kind != Kind.OFFLINE else "",
        "enabled": config.enabled if config else True,
        "active": bool(chain_names) and chain_names[0] == name,
        "position": chain_names.index(name) + 1 if name in chain_names else None,
        "price": price if price is not None and price.pk else None,
        "key_state": _key_state(config) if config else "",
        "health": found.get(name) or health.Health(),
    }


def cards() -> tuple[list[dict], list[str]]:
    configs = ordering.ordered()
    chain_names = [provider.name for provider in configured_chain()]
    found = health.health_of([c.name for c in configs])
    listed = [_card(config, chain_names, found) for config in configs]
    if not any(config.kind == Kind.OFFLINE for config in configs):
        listed.append(_card(None, chain_names, found))
    return listed, chain_names


@admins_only
@require_GET
def provider_list(request):
    listed, chain_names = cards()
    tested = request.session.pop(PROBE_SESSION_KEY, None)
    failing = {card["name"] for card in listed if card["health"].failing}
    builtin = OfflineProvider().name
    context = {
        "cards": listed,
        "chain": [
            {"name": _("Offline (town documents)") if n == builtin else n, "failing": n in failing}
            for n in chain_names
        ],
        "tested": tested,
        "choices": presets.CHOICES,
    }
    return render(request, "providers/list.html", context)


def _config(pk: str) -> ProviderConfig:
    if pk == BUILTIN:
        return ordering.builtin_offline()
    if not pk.isdigit():
        raise Http404
    return get_object_or_404(ProviderConfig, pk=int(pk))


@admins_only
@require_POST
def use(request, pk: str):
    config = _config(pk)
    ordering.make_active(config)
    messages.success(
        request,
        _("%(name)s now answers residents, from the next question on.") % {"name": config.name},
    )
    return redirect("providers:list")


@admins_only
@require_POST
def move(request, pk: str):
    config = _config(pk)
    ordering.move(config, -1 if request.POST.get("direction") == "up" else 1)
    return redirect(f"{_list_url()}#card-{config.pk}")


@admins_only
@require_POST
def reorder(request):
    """The order dragged with a pointer (static/js/provider-order.js): ids, first first."""
    ids = [int(part) for part in request.POST.get("ids", "").split(",") if part.isdigit()]
    ordering.set_order(ids)
    return JsonResponse({"chain": [provider.name for provider in configured_chain()]})


@admins_only
@require_POST
def toggle(request, pk: str):
    config = _config(pk)
    config.enabled = not config.enabled
    config.save(update_fields=["enabled", "updated_at"])
    text = _("%(name)s is on.") if config.enabled else _("%(name)s is off: it is not used.")
    messages.success(request, text % {"name": config.name})
    return redirect("providers:list")


@admins_only
@require_POST
def test(request, pk: str):
    """A tiny real request: latency, the model's words and what it cost."""
    config = None if pk == BUILTIN else _config(pk)
    provider = build(config) if config else OfflineProvider()
    result = probe(provider)
    price = price_at(config) if config else None
    cost = cost_eur(result.usage, price) if result.usage and price is not None else 0
    error = None if result.ok else ProviderError("", result.detail)
    if config is not None and config.kind != Kind.OFFLINE:
        if error is None:
            health.note_success_now(config.name)
        else:
            health.note_failure_now(config.name, error)
    request.session[PROBE_SESSION_KEY] = {
        "id": str(config.pk if config else BUILTIN),
        "ok": result.ok,
        "ms": result.total_ms,
        "first_ms": result.first_chunk_ms,
        "text": result.text[:300],
        "reason": str(health.REASONS[health.reason_of(error)]) if error else "",
        "cost": f"{cost:.6f}",
    }
    return redirect(f"{_list_url()}#card-{config.pk if config else BUILTIN}")


def _list_url() -> str:
    return reverse("providers:list")


@admins_only
def add(request, key: str = ""):
    choice = presets.BY_KEY.get(key)
    if choice is None:
        return render(request, "providers/choose.html", {"choices": presets.CHOICES})
    return _edit(request, choice, ProviderConfig())


@admins_only
def edit(request, pk: int):
    config = get_object_or_404(ProviderConfig.objects.exclude(kind=Kind.OFFLINE), pk=pk)
    return _edit(request, choice_of(config), config)


def _local(value) -> str:
    """A price as the form shows it in the page's language (0,0860 in French)."""
    return "" if value is None else number_format(value, 4)


def _edit(request, choice, config):
    form = ProviderForm(request.POST or None, instance=config, choice=choice)
    if request.method == "POST" and form.is_valid():
        is_new = config.pk is None
        if is_new:
            form.instance.order = (ordering.ordered()[-1:] or [config])[0].order + ordering.STEP
        saved = form.save()
        text = _("%(name)s is saved. Test it, then press “Use” to make it answer residents.")
        messages.success(request, text % {"name": saved.name} if is_new else _("Saved."))
        if saved.key_cleared:
            messages.warning(request, KEY_CLEARED % {"name": saved.name})
        return redirect(f"{_list_url()}#card-{saved.pk}")
    context = {
        "form": form,
        "choice": choice,
        "config": config,
        "checked_on": presets.PRICES_CHECKED_ON,
        "usd_to_eur": presets.USD_TO_EUR,
        "source": presets.source_of(choice),
        "presets": choice.models,
        "preset_prices": {
            p.model: [_local(p.eur_input), _local(p.eur_output), _local(p.eur_cached)]
            for p in choice.models
        },
    }
    return render(request, "providers/form.html", context)
