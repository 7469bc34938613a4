"""OpenAI chat completions adapter, also for OpenAI-compatible servers (vLLM, Ollama, Albert).

The official SDK sends the request (auth, base URL, timeouts, errors). Its stream is read raw
(`with_streaming_response`) and its server-sent events parsed here with `json`: the SDK's
typed chunk objects cost about a tenth of a millisecond each, and an answer has a hundred
of them. Every event that arrived in the same network read is passed on as one piece, so a
fast server costs one write to the resident per read, not per token; nothing is held back.
"""

from __future__ import annotations

import json

import openai

from ..base import ChatRequest, Provider
from ..clients import client_for
from ..payload import openai_messages

# Self-hosted servers often need no key, but the SDK insists on a non-empty one.
NO_KEY_PLACEHOLDER = "no-key"


class OpenAIProvider(Provider):
    kind = "openai"
    default_capabilities = {"images": True, "prompt_caching": True}
    timeout_errors = (openai.APITimeoutError,)
    connection_errors = (openai.APIConnectionError,)
    # OpenAI's reasoning models need max_completion_tokens; self-hosted servers know max_tokens.
    limit_param = "max_completion_tokens"

    def client(self) -> openai.AsyncOpenAI:
        return client_for(
            self,
            lambda: openai.AsyncOpenAI(
                api_key=self.api_key or NO_KEY_PLACEHOLDER,
                base_url=self.base_url or None,
                timeout=self.timeout,
                max_retries=0,
            ),
        )

    async def _chunks(self, request: ChatRequest, tracker):
        def image_part(url):
            return {"type": "image_url", "image_url": {"url": url}}

        client = self.client()
        async with client.chat.completions.with_streaming_response.create(
            model=self.model,
            messages=openai_messages(request, image_part),
            **{self.limit_param: self.output_limit(request)},
            stream=True,
            stream_options={"include_usage": True},
        ) as response:
            tracker.accept()
            buffer = b""
            async for data in response.iter_bytes():
                events, buffer = split_events(buffer + data)
                text = "".join(self._read(event, tracker, response) for event in events)
                if text:
                    yield text

    @staticmethod
    def _read(event: bytes, tracker, response) -> str:
        """The text of one `data:` event; usage and the end of the answer (a finish_reason
        or [DONE]) go to the tracker, errors are raised."""
        if event == b"[DONE]":
            tracker.finish()
            return ""
        chunk = json.loads(event)
        if chunk.get("error"):
            error = chunk["error"]
            message = error.get("message", "error") if isinstance(error, dict) else str(error)
            raise openai.APIError(message, response.http_request, body=error)
        usage = chunk.get("usage")
        if usage:
            details = usage.get("prompt_tokens_details") or {}
            tracker.report(
                input_tokens=usage.get("prompt_tokens"),
                output_tokens=usage.get("completion_tokens"),
                cached_tokens=details.get("cached_tokens") or 0,
            )
        choices = chunk.get("choices") or ()
        if any(choice.get("finish_reason") for choice in choices):
            tracker.finish()
        return "".join((choice.get("delta") or {}).get("content") or "" for choice in choices)


def split_events(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The `data:` payloads of the complete server-sent events in buffer, and the rest."""
    buffer = buffer.replace(b"\r\n", b"\n")
    *complete, rest = buffer.split(b"\n\n")
    events = []
    for block in complete:
        lines = [line[5:].lstrip() for line in block.split(b"\n") if line.startswith(b"data:")]
        if lines:
            events.append(b"\n".join(lines))
    return events, rest


class OpenAICompatibleProvider(OpenAIProvider):
    """Same wire protocol at a self-hosted or sovereign endpoint; the key is optional."""

    kind = "openai_compatible"
    default_capabilities = {"images": False, "prompt_caching": False}
    limit_param = "max_tokens"
    requires_key = False
