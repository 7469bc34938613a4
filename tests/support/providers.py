"""The fake vendor as the app sees it: the town's configured provider, an adapter, a stream.

    activate(server.base_url)                       # the chat now asks the fake server
    activate(url, "anthropic", price=(1, 2))        # priced 1 € / 2 € per million tokens
    provider_for("mistral", server.base_url)        # an adapter alone, no database row

`activate` also runs in the shell of a live app's own database (liveapp.IsolatedDatabase):
`db.shell("from tests.support.providers import activate; activate('http://...')")`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

from django.utils import timezone

from providers.base import ProviderError
from providers.models import Price, ProviderConfig

ADAPTERS = {
    "openai": "providers.openai_compat.OpenAIProvider",
    "anthropic": "providers.anthropic.AnthropicProvider",
    "mistral": "providers.mistral.MistralProvider",
}
KIND_OF = {"openai": "openai_compatible", "anthropic": "anthropic", "mistral": "mistral"}


def activate(
    base_url: str,
    protocol: str = "openai",
    *,
    timeout: float = 5,
    images: bool = False,
    price: tuple[float, float] | None = None,
    **fields,
):
    """Make the vendor at `base_url` the town's first provider, speaking that wire protocol
    (`openai` is an OpenAI-compatible server, keyless); `price` is (€ per million input
    tokens, € per million output tokens), in force since yesterday. Returns its config."""
    values = {
        "name": f"Fake {protocol}",
        "kind": KIND_OF[protocol],
        "model": "fake-model",
        "base_url": base_url,
        "timeout": timeout,
        "order": 1,
        "supports_images": images,
    }
    config = ProviderConfig(**{**values, **fields})
    if protocol != "openai":
        config.set_api_key("sk-fake")
    config.save()
    if price is not None:
        add_price(config, *price)
    return config


def add_price(config, eur_input, eur_output, since: dt.datetime | None = None):
    """A price version of `config` in force from `since` (default: yesterday)."""
    return Price.objects.create(
        provider=config,
        effective_from=since or timezone.now() - dt.timedelta(days=1),
        eur_per_million_input=Decimal(eur_input),
        eur_per_million_output=Decimal(eur_output),
    )


def provider_for(protocol: str, base_url: str, *, timeout: float = 0.5, **kwargs):
    """A provider of that protocol talking to base_url (e.g. FakeServer.base_url)."""
    module, _, cls = ADAPTERS[protocol].rpartition(".")
    kwargs.setdefault("name", f"fake-{protocol}")
    kwargs.setdefault("model", "fake-model")
    kwargs.setdefault("api_key", "sk-fake")
    return getattr(import_module(module), cls)(base_url=base_url, timeout=timeout, **kwargs)


async def collect(stream) -> tuple[list[str], ProviderError | None]:
    """All chunks of a provider or chain stream, and the ProviderError that ended it, if any."""
    chunks: list[str] = []
    try:
        async for chunk in stream:
            chunks.append(chunk)
    except ProviderError as error:
        return chunks, error
    return chunks, getattr(stream, "error", None)
