"""Anthropic Messages API adapter; the stable system prefix is marked cacheable.

Anthropic counts input in three disjoint parts: `input_tokens` (plain),
`cache_read_input_tokens` and `cache_creation_input_tokens`; message_start carries them and
message_delta may repeat them (cumulative) with the output count. Our Usage.input_tokens is
their sum, cached_tokens the cache reads and cache_write_tokens the cache writes, which
providers.pricing bills at 1.25x the input price (the 5-minute cache we ask for).
"""

from __future__ import annotations

import anthropic

from ..base import ChatRequest, Provider
from ..clients import client_for
from ..payload import image_parts

INPUT_PARTS = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


def report_usage(tracker, counts: dict, usage, *, final: bool) -> None:
    """Merge an event's usage (fields left out keep their earlier value) into counts and
    report it on the tracker; the output count is final only in message_delta."""
    for name in (*INPUT_PARTS, "output_tokens") if final else INPUT_PARTS:
        value = getattr(usage, name, None)
        if value is not None:
            counts[name] = value
    if "input_tokens" in counts:
        tracker.report(
            input_tokens=sum(counts.get(name, 0) for name in INPUT_PARTS),
            cached_tokens=counts.get("cache_read_input_tokens", 0),
            cache_write_tokens=counts.get("cache_creation_input_tokens", 0),
        )
    if "output_tokens" in counts:
        tracker.report(output_tokens=counts["output_tokens"])


class AnthropicProvider(Provider):
    kind = "anthropic"
    default_capabilities = {"images": True, "prompt_caching": True}
    timeout_errors = (anthropic.APITimeoutError,)
    connection_errors = (anthropic.APIConnectionError,)

    def client(self) -> anthropic.AsyncAnthropic:
        return client_for(
            self,
            lambda: anthropic.AsyncAnthropic(
                api_key=self.api_key,
                base_url=self.base_url or None,
                timeout=self.timeout,
                max_retries=0,
            ),
        )

    def system_blocks(self, request: ChatRequest) -> list[dict]:
        prefix_len = request.cacheable_prefix_chars if self.capabilities["prompt_caching"] else 0
        prefix, rest = request.system[:prefix_len], request.system[prefix_len:]
        blocks = []
        if prefix:
            blocks.append({"type": "text", "text": prefix, "cache_control": {"type": "ephemeral"}})
        if rest:
            blocks.append({"type": "text", "text": rest})
        return blocks

    def messages(self, request: ChatRequest) -> list[dict]:
        messages: list[dict] = [{"role": m.role, "content": m.content} for m in request.messages]
        if request.images and messages and messages[-1]["role"] == "user":
            images = []
            for image in request.images:
                media_type, data = image_parts(image)
                source = {"type": "base64", "media_type": media_type, "data": data}
                images.append({"type": "image", "source": source})
            messages[-1]["content"] = [*images, {"type": "text", "text": messages[-1]["content"]}]
        return messages

    async def _chunks(self, request: ChatRequest, tracker):
        client = self.client()
        stream = await client.messages.create(
            model=self.model,
            system=self.system_blocks(request),
            messages=self.messages(request),
            max_tokens=self.output_limit(request),
            stream=True,
        )
        tracker.accept()
        counts: dict[str, int] = {}
        async with stream:
            async for event in stream:
                if event.type == "content_block_delta" and event.delta.type == "text_delta":
                    yield event.delta.text
                elif event.type == "message_start":
                    report_usage(tracker, counts, event.message.usage, final=False)
                elif event.type == "message_delta":
                    report_usage(tracker, counts, getattr(event, "usage", None), final=True)
                    if getattr(event.delta, "stop_reason", None):
                        tracker.finish()
                elif event.type == "message_stop":
                    tracker.finish()
