"""What goes through a provider: the request and its messages, the usage, the one error type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from .tokens import estimate_tokens

# Rough cost of one attached image in input tokens when the server reports nothing.
IMAGE_TOKENS_ESTIMATE = 1000
# What each message adds to the prompt beyond its text (role markers of chat formats).
MESSAGE_TOKENS = 4


@dataclass
class Message:
    role: Literal["user", "assistant"]
    content: str


@dataclass
class AnswerUnit:
    """One sentence or list item of a town passage, in its own words, that answers the
    question; `source` is the passage number it is cited by ([n]); `lead` the heading or the
    list's opening sentence shown before it ("" when the unit says enough alone); items of one
    list share `list_id`."""

    text: str
    source: int
    kind: Literal["sentence", "item"] = "sentence"
    lead: str = ""
    list_id: int | None = None


@dataclass
class Extraction:
    """What the town's passages say in answer to the question (knowledge.extractive): the best
    units first (items of one list next to each other, in the list's order), the confidence
    that they answer it, whether that confidence is enough (`covered`), and the sources to
    read more, as (number, title, page or None)."""

    units: list[AnswerUnit]
    confidence: float
    covered: bool
    sources: list[tuple[int, str, int | None]] = field(default_factory=list)


@dataclass
class ChatRequest:
    """One question for a provider. system[:cacheable_prefix_chars] is the stable prefix;
    images are bytes or data: URLs; passages are knowledge.retrieval.Passage objects; `contact`
    is the town hall's, for answers that send the resident there. Built by
    knowledge.prompt.assemble.

    `extract` is a zero-argument callable returning the Extraction that the offline provider
    formats. It is a callable, not a value, so that a question answered by a language model
    never pays for it: the offline provider (the last of every chain) calls it only when it
    answers. It reads the database: call it from a thread (sync_to_async)."""

    system: str
    messages: list[Message]
    max_output_tokens: int
    cacheable_prefix_chars: int = 0
    images: list[bytes | str] = field(default_factory=list)
    passages: list[Any] = field(default_factory=list)
    language: str = "fr"
    contact: str = ""
    extract: Callable[[], Extraction] | None = None

    def input_tokens_estimate(self) -> int:
        """The one estimate of what the request costs in input tokens, before any vendor
        count: the prompt's text, each message's overhead and each image."""
        text = estimate_tokens(self.system)
        text += sum(estimate_tokens(m.content) + MESSAGE_TOKENS for m in self.messages)
        return text + IMAGE_TOKENS_ESTIMATE * len(self.images)


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
