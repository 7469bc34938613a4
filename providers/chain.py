"""Stream an answer from the active provider, falling back in order before the first chunk.

Fallback: a provider that fails before its first chunk hands over to the next one; a
request refused as malformed (fallback_ok=False) goes straight to the offline provider; a
provider cooling down after a 429 (see providers.cooldown) is skipped without a request.
After the first chunk there is no fallback: a failure ends the answer with `.error`.

Metering of failed providers: `.usage` is the answering provider's Usage only, priced at
its price. A provider that failed before its first chunk keeps its own Usage on its
Failure: zero when the vendor never accepted the request (HTTP 4xx/5xx status, no
connection, no key, skipped), which vendors do not bill; the input (exact when reported,
else estimated) and any output when the vendor accepted it and then stalled, broke off or
sent no text, which vendors may bill. Recording those is up to the caller (metering).
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from . import cooldown, health
from .base import ChatRequest, Provider, ProviderError, Usage
from .errors import BUSY
from .models import Kind
from .registry import aconfigured_chain
from .streaming import GeneratorStream

log = logging.getLogger("providers")


class Failure(NamedTuple):
    """A provider that did not answer, why, and what it may have billed (see above)."""

    provider: Provider
    error: ProviderError
    usage: Usage


class AnswerStream(GeneratorStream):
    """Async iterator of the answer's chunks. Afterwards: `.provider` (the one that
    answered), `.usage` (its Usage), `.error` (ProviderError when it failed mid-stream, or
    when every provider failed), `.failures` [Failure] of the providers before it."""

    def __init__(self, request: ChatRequest, chain: list[Provider] | None = None) -> None:
        self.request = request
        self.chain = chain
        self.provider: Provider | None = None
        self.usage: Usage | None = None
        self.error: ProviderError | None = None
        self.failures: list[Failure] = []

    async def _providers(self) -> list[Provider]:
        if self.chain is None:
            self.chain = await aconfigured_chain()
        return self.chain

    def _fail(self, provider: Provider, error: ProviderError, usage: Usage) -> None:
        log.warning("provider %s failed, falling back: %s", provider.name, error.detail)
        self.failures.append(Failure(provider, error, usage))

    async def _note_health(self) -> None:
        """Tell providers.health who failed and who answered (the Fournisseurs page and the
        staff banner read it); a first fallback of the hour queues an e-mail to admins."""
        mail = False
        for failure in self.failures:
            if failure.provider.kind == Kind.OFFLINE:
                continue
            fell_back = self.provider is not None
            mail = (
                await health.note_failure(failure.provider.name, failure.error, fell_back) or mail
            )
        if self.provider is not None and self.provider.kind != Kind.OFFLINE:
            await health.note_success(self.provider.name)
        if mail:
            await health.queue_fallback_mail([f.provider.name for f in self.failures])

    async def _run(self):
        skip_to_offline = False
        providers = await self._providers()
        cooling = await cooldown.remaining(providers)
        for provider in providers:
            if skip_to_offline and provider.kind != Kind.OFFLINE:
                continue
            if provider.name in cooling and provider.kind != Kind.OFFLINE:
                wait = cooling[provider.name]
                detail = f"{provider.name}: rate limited, cooling down {wait:.0f} s more: skipped"
                skipped = ProviderError(BUSY, detail, status=429, provider=provider.name)
                self._fail(provider, skipped, Usage(0, 0))
                continue
            stream = provider.stream(self.request)
            try:
                async for chunk in stream:
                    if self.provider is None:
                        self.provider = provider
                    yield chunk
            except ProviderError as error:
                if self.provider is not None:
                    log.warning("provider %s failed mid-answer: %s", provider.name, error.detail)
                    self.error = error
                    return
                self._fail(provider, error, stream.usage)
                await cooldown.start(provider, error.retry_after)
                # A request refused as malformed would be refused again: only quote documents.
                skip_to_offline = skip_to_offline or not error.fallback_ok
                continue
            finally:
                await stream.aclose()
                if self.provider is provider or self.provider is None:
                    self.usage = stream.usage
            await self._note_health()
            return
        if self.failures:
            self.error = self.failures[-1].error
        await self._note_health()


def stream_answer(request: ChatRequest, chain: list[Provider] | None = None) -> AnswerStream:
    """Chunks of the answer from the configured chain (read now from the database)."""
    return AnswerStream(request, chain)
