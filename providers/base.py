"""The provider contract: a Provider streams text for a ChatRequest and reports its Usage.

The request, usage and error types live in providers.messages and are re-exported here, so an
adapter imports everything it implements against from this one module.
"""

from __future__ import annotations

from typing import Any

from .messages import ChatRequest, Message, ProviderError, Usage
from .payload import readable_by
from .streaming import ProviderStream

__all__ = ["ChatRequest", "Message", "Provider", "ProviderError", "Usage"]

NO_CAPABILITIES = {"images": False, "prompt_caching": False}


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

    def stream(self, request: ChatRequest) -> ProviderStream:
        """Images go only to a provider that can read them (see payload.readable_by)."""
        return ProviderStream(self, readable_by(self.capabilities, request))

    def output_limit(self, request: ChatRequest) -> int:
        if self.max_output_tokens:
            return min(request.max_output_tokens, self.max_output_tokens)
        return request.max_output_tokens

    async def _chunks(self, request: ChatRequest, tracker):  # pragma: no cover - abstract
        raise NotImplementedError
        yield ""
