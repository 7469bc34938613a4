"""Build Provider objects from the admins' settings: the fallback chain and its capabilities."""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from .base import Provider
from .models import Kind, ProviderConfig
from .offline import OfflineProvider

# Imported on first use: each vendor SDK takes up to seconds to import, and a town uses one.
ADAPTERS: dict[str, str] = {
    Kind.OFFLINE: "providers.offline.OfflineProvider",
    Kind.OPENAI: "providers.openai_compat.OpenAIProvider",
    Kind.OPENAI_COMPATIBLE: "providers.openai_compat.OpenAICompatibleProvider",
    Kind.ANTHROPIC: "providers.anthropic.AnthropicProvider",
    Kind.MISTRAL: "providers.mistral.MistralProvider",
}


@cache
def adapter_for(kind: str) -> type[Provider]:
    return import_string(ADAPTERS[kind])


def build(config: ProviderConfig) -> Provider:
    adapter = adapter_for(config.kind)
    capabilities = dict(adapter.default_capabilities)
    if config.supports_images is not None:
        capabilities["images"] = config.supports_images
    if config.prompt_caching is not None:
        capabilities["prompt_caching"] = config.prompt_caching
    api_key, key_source = config.resolve_key()
    return adapter(
        name=config.name,
        model=config.effective_model(),
        base_url=config.effective_base_url(),
        api_key=api_key,
        key_source=key_source,
        key_env=config.key_env,
        timeout=config.timeout,
        max_output_tokens=config.max_output_tokens,
        capabilities=capabilities,
        config=config,
    )


def _chain_of(configs: list[ProviderConfig]) -> list[Provider]:
    """Configured providers up to the first offline one (it never fails, so an admin may put
    it first to switch generation off); the built-in offline provider ends the chain."""
    chain: list[Provider] = []
    for config in configs:
        chain.append(build(config))
        if config.kind == Kind.OFFLINE:
            return chain
    return [*chain, OfflineProvider()]


def _enabled():
    return ProviderConfig.objects.filter(enabled=True).order_by("order", "id")


def configured_chain() -> list[Provider]:
    """Enabled providers in order, then the offline one. Read fresh on every call, so a
    change in the admin applies to the very next question."""
    return _chain_of(list(_enabled()))


async def aconfigured_chain() -> list[Provider]:
    return _chain_of([config async for config in _enabled()])


def active_provider() -> Provider:
    return configured_chain()[0]
