"""Drive a provider's chunk generator: map errors, and settle exact or estimated usage."""

from __future__ import annotations

from .errors import INTERRUPTED, UNAVAILABLE, missing_key, to_provider_error
from .messages import ChatRequest, ProviderError, Usage
from .tokens import estimate_tokens


class UsageTracker:
    """What the server reported so far; adapters fill it while streaming, call `accept()`
    once the server has taken the request (it may then bill its input), and `finish()` when
    they read the vendor's end of answer (finish_reason, [DONE], message_stop): a body that
    ends without it was cut, even if the HTTP framing looked complete."""

    def __init__(self) -> None:
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.cached_tokens: int = 0
        self.cache_write_tokens: int = 0
        self.accepted = False
        self.finished = False

    def accept(self) -> None:
        self.accepted = True

    def finish(self) -> None:
        self.finished = True

    def report(
        self, *, input_tokens=None, output_tokens=None, cached_tokens=None, cache_write_tokens=None
    ) -> None:
        if input_tokens is not None:
            self.input_tokens = int(input_tokens)
        if output_tokens is not None:
            self.output_tokens = int(output_tokens)
        if cached_tokens is not None:
            self.cached_tokens = int(cached_tokens or 0)
        if cache_write_tokens is not None:
            self.cache_write_tokens = int(cache_write_tokens or 0)


class GeneratorStream:
    """An async iterator over `self._run()`, an async generator the subclass defines; its
    attributes (usage, error...) are read once the iteration is over."""

    def __aiter__(self):
        return self

    async def __anext__(self) -> str:
        if self._iterator is None:
            self._iterator = self._run()
        return await self._iterator.__anext__()

    async def aclose(self) -> None:
        if self._iterator is not None:
            await self._iterator.aclose()

    _iterator = None


class ProviderStream(GeneratorStream):
    """Async iterator of text chunks from one provider, with `.usage` once it is over.

    Server counts are used when the stream completed and reported them; otherwise the
    missing numbers are estimated (input from the request, output from the text really
    streamed) and the usage is flagged estimated. A request the server never accepted
    (refused with a status, no connection, no key) costs nothing. Failures surface as
    ProviderError; `.empty` is True when the server answered successfully with no text. A
    stream the server accepted but ended without its end of answer (a connection closed
    mid-answer on a body with no length) is a failure: interrupted after some text, handed
    over to the next provider before any.
    """

    def __init__(self, provider, request: ChatRequest) -> None:
        self.provider = provider
        self.request = request
        self.usage: Usage | None = None
        self.error: ProviderError | None = None
        self.chunks = 0
        self.empty = False
        self._text: list[str] = []
        self._tracker = UsageTracker()

    @property
    def text(self) -> str:
        return "".join(self._text)

    async def _run(self):
        completed = False
        pieces = self.provider._chunks(self.request, self._tracker)
        try:
            no_key = missing_key(self.provider)
            if no_key is not None:
                raise no_key
            async for piece in pieces:
                if not piece:
                    continue
                self.chunks += 1
                self._text.append(piece)
                yield piece
            if self._tracker.accepted and not self._tracker.finished:
                raise ProviderError(
                    UNAVAILABLE,
                    f"{self.provider.name}: the answer ended without its end marker",
                    provider=self.provider.name,
                )
            completed = True  # the server ended the stream normally: its counts are final
            if not self.chunks:
                self.empty = True
                raise ProviderError(
                    UNAVAILABLE,
                    f"{self.provider.name}: empty answer",
                    provider=self.provider.name,
                )
        except Exception as exc:
            error = to_provider_error(self.provider, exc)
            if self.chunks:
                error.user_message = INTERRUPTED
                error.fallback_ok = False
                error.detail = f"{error.detail} (after {self.chunks} chunks)"
            self.error = error
            raise error from exc
        finally:
            await pieces.aclose()
            self.usage = self._settle(completed)

    def _settle(self, completed: bool) -> Usage:
        t = self._tracker
        estimated = False
        output = t.output_tokens
        if output is None or not completed:
            # A cut stream's counts are partial at best: bill only the text really streamed.
            output = estimate_tokens(self.text)
            estimated = True
        input_tokens = t.input_tokens
        if input_tokens is None:
            input_tokens = self.request.input_tokens_estimate() if t.accepted or self.chunks else 0
            estimated = True
        cached = min(t.cached_tokens, input_tokens)
        return Usage(
            input_tokens=input_tokens,
            output_tokens=output,
            cached_tokens=cached,
            estimated=estimated,
            cache_write_tokens=min(t.cache_write_tokens, input_tokens - cached),
        )
