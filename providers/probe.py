"""Test a provider's connection with a tiny request: latency in ms, or the exact error."""

from __future__ import annotations

import time
from dataclasses import dataclass

from asgiref.sync import async_to_sync

from .base import ChatRequest, Message, ProviderError, Usage

# Enough room for a reasoning model to think a little and still say OK.
PROBE_OUTPUT_TOKENS = 64
PROBE_REQUEST = ChatRequest(
    system="You are a connection test. Reply with the single word OK.",
    messages=[Message("user", "OK?")],
    max_output_tokens=PROBE_OUTPUT_TOKENS,
)
NO_TEXT = (
    "connected, but the model wrote no text within {limit} output tokens (a reasoning model "
    "may spend them all thinking: check its max output tokens)"
)


@dataclass
class ProbeResult:
    """ok: the server answered. first_chunk_ms is None when it answered with no text,
    which still proves the endpoint, key and model work; detail then says so."""

    ok: bool
    first_chunk_ms: int | None
    total_ms: int
    text: str = ""
    detail: str = ""
    usage: Usage | None = None


async def aprobe(provider) -> ProbeResult:
    started = time.perf_counter()
    first = None
    stream = provider.stream(PROBE_REQUEST)
    try:
        async for _chunk in stream:
            if first is None:
                first = round((time.perf_counter() - started) * 1000)
    except ProviderError as error:
        total = round((time.perf_counter() - started) * 1000)
        if stream.empty:
            limit = provider.output_limit(PROBE_REQUEST)
            detail = NO_TEXT.format(limit=limit)
            return ProbeResult(True, None, total, "", detail, stream.usage)
        return ProbeResult(False, first, total, stream.text, error.detail, stream.usage)
    total = round((time.perf_counter() - started) * 1000)
    return ProbeResult(True, first, total, stream.text, usage=stream.usage)


def probe(provider) -> ProbeResult:
    return async_to_sync(aprobe)(provider)
