"""Mistral AI chat adapter (la Plateforme or a self-hosted Mistral endpoint)."""

from __future__ import annotations

from mistralai.client import Mistral, errors

from ..base import ChatRequest, Provider
from ..clients import client_for
from ..payload import openai_messages


def _text_of(content) -> str:
    """Delta content is a string, or a list of typed chunks of which we keep the text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(getattr(part, "text", "") or "" for part in content)
    return ""


class MistralProvider(Provider):
    kind = "mistral"
    default_capabilities = {"images": False, "prompt_caching": False}
    connection_errors = (errors.NoResponseError,)

    def client(self) -> Mistral:
        return client_for(
            self,
            lambda: Mistral(
                api_key=self.api_key,
                server_url=self.base_url or None,
                timeout_ms=int(self.timeout * 1000),
            ),
        )

    async def _chunks(self, request: ChatRequest, tracker):
        def image_part(url):
            return {"type": "image_url", "image_url": url}

        client = self.client()
        stream = await client.chat.stream_async(
            model=self.model,
            messages=openai_messages(request, image_part),
            max_tokens=self.output_limit(request),
        )
        tracker.accept()
        async with stream:
            async for event in stream:
                chunk = event.data
                if chunk.usage is not None:
                    extra = chunk.usage.additional_properties or {}
                    details = extra.get("prompt_tokens_details") or {}
                    tracker.report(
                        input_tokens=chunk.usage.prompt_tokens,
                        output_tokens=chunk.usage.completion_tokens,
                        cached_tokens=details.get("cached_tokens")
                        or extra.get("num_cached_tokens")
                        or 0,
                    )
                for choice in chunk.choices:
                    if choice.finish_reason:  # the SDK swallows [DONE]: this is the end
                        tracker.finish()
                    text = _text_of(choice.delta.content)
                    if text:
                        yield text
