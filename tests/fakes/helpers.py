"""Helpers around the fake servers: a provider pointed at one, and draining a stream."""

from __future__ import annotations

from providers.base import ProviderError

ADAPTERS = {
    "openai": "providers.openai_compat.OpenAIProvider",
    "anthropic": "providers.anthropic.AnthropicProvider",
    "mistral": "providers.mistral.MistralProvider",
}


def provider_for(protocol: str, base_url: str, *, timeout: float = 0.5, **kwargs):
    """A provider of that protocol talking to base_url (e.g. FakeServer.base_url)."""
    from importlib import import_module

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
