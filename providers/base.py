"""The provider contract: request, usage, error and the streaming Provider interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.tokens import estimate_tokens

__all__ = [
    "ChatRequest",
    "Message",
    "Provider",
    "ProviderError",
    "Usage",
    "estimate_tokens",
]

# Rough cost of one attached image in input tokens when the server reports nothing.
IMAGE_TOKENS_ESTIMATE = 1000
NO_CAPABILITIES = {"images": False, "prompt_caching": False}


@dataclass
class Message:
    role: Literal["user", "assistant"]
    content: str


@dataclass
class ChatRequest:
    """One question for a provider. system[:cacheable_prefix_chars] is the stable prefix;
    images are bytes or data: URLs; passages are knowledge.retrieval.Passage objects."""

    system: str
    messages: list[Message]
    max_output_tokens: int = 800
    cacheable_prefix_chars: int = 0
    images: list[bytes | str] = field(default_factory=list)
    passages: list[Any] = field(default_factory=list)
    language: str = "fr"

    def input_tokens_estimate(self) -> int:
        text = "\n".join([self.system, *(m.content for m in self.messages)])
        return estimate_tokens(text) + IMAGE_TOKENS_ESTIMATE * len(self.images)


@dataclass
class Usage:
    """Token counts of one answer. input_tokens includes cached_tokens (read from the prompt
    cache, billed at the cached price) and cache_write_tokens (written to it, billed at a
    surcharge: see providers.pricing); estimated=True when the server sent no count."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    estimated: bool = False
    cache_write_tokens: int = 0


class ProviderError(Exception):
    """The one error type of providers: a resident-safe message, a technical detail for
    logs and admins, and whether another provider may be tried."""

    def __init__(
        self,
        user_message: str,
        detail: str,
        *,
        fallback_ok: bool = True,
        retry_after: float | None = None,
        status: int | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(detail)
        self.user_message = user_message
        self.detail = detail
        self.fallback_ok = fallback_ok
        self.retry_after = retry_after
        self.status = status
        self.provider = provider

    def __repr__(self) -> str:
        return f"ProviderError({self.detail!r}, fallback_ok={self.fallback_ok})"


class Provider:
    """A configured model that streams text for a ChatRequest.

    `stream(request)` returns a ProviderStream: iterate it for str chunks; once iteration
    ends or fails (with ProviderError), `.usage` holds the Usage of what was produced.
    Subclasses implement `_chunks(request, tracker)`, an async generator of text pieces that
    reports server usage on the tracker, and may list their SDK's exception classes.
    """

    kind = "base"
    default_capabilities = NO_CAPABILITIES
    requires_key = True
    timeout_errors: tuple[type[BaseException], ...] = ()
    connection_errors: tuple[type[BaseException], ...] = ()

    def __init__(
        self,
        *,
        name: str = "",
        model: str = "",
        base_url: str = "",
        api_key: str | None = None,
        key_source: str = "",
        key_env: str = "",
        timeout: float = 30.0,
        max_output_tokens: int | None = None,
        capabilities: dict | None = None,
        config: Any = None,
    ) -> None:
        self.name = name or self.kind
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.key_source = key_source
        self.key_env = key_env
        self.timeout = timeout
        self.max_output_tokens = max_output_tokens
        self.capabilities = dict(capabilities or self.default_capabilities)
        self.config = config

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {self.model!r}>"

    def stream(self, request: ChatRequest):
        """Images go only to a provider that can read them (see payload.readable_by)."""
        from .payload import readable_by
        from .streaming import ProviderStream

        return ProviderStream(self, readable_by(self.capabilities, request))

    def output_limit(self, request: ChatRequest) -> int:
        if self.max_output_tokens:
            return min(request.max_output_tokens, self.max_output_tokens)
        return request.max_output_tokens

    async def _chunks(self, request: ChatRequest, tracker):  # pragma: no cover - abstract
        raise NotImplementedError
        yield ""
