"""Wire formats of the fake server: OpenAI, Anthropic and Mistral chat streaming (SSE)."""

from __future__ import annotations

import json


def sse(data: dict | str, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


class Wire:
    """One vendor's protocol: the path it serves, what its SDK's base URL adds to the root."""

    name: str
    path: str
    url_suffix = ""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model


class OpenAIWire(Wire):
    """POST {base}/v1/chat/completions; usage in a last chunk with no choices."""

    name = "openai"
    path = "/v1/chat/completions"
    url_suffix = "/v1"

    def _chunk(self, delta: dict | None, finish: str | None = None, usage=None) -> dict:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
        body = {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": self.model,
            "choices": choices,
        }
        if usage is not None:
            body["usage"] = usage
        return body

    def usage(self, script) -> dict:
        return {
            "prompt_tokens": script.input_tokens,
            "completion_tokens": script.output_tokens,
            "total_tokens": script.input_tokens + script.output_tokens,
            "prompt_tokens_details": {"cached_tokens": script.cached_tokens},
        }

    def start(self, script) -> list[bytes]:
        return [sse(self._chunk({"role": "assistant", "content": ""}))]

    def text(self, piece: str) -> bytes:
        return sse(self._chunk({"content": piece}))

    def end(self, script) -> list[bytes]:
        frames = [sse(self._chunk({}, finish="stop"))]
        if script.send_usage:
            frames.append(sse(self._chunk(None, usage=self.usage(script))))
        return [*frames, sse("[DONE]")]

    def error(self, status: int, message: str) -> dict:
        return {"error": {"message": message, "type": "fake_error", "code": str(status)}}


class MistralWire(OpenAIWire):
    """POST {server_url}/v1/chat/completions; usage rides on the chunk with finish_reason."""

    name = "mistral"
    url_suffix = ""

    def end(self, script) -> list[bytes]:
        usage = self.usage(script) if script.send_usage else None
        return [sse(self._chunk({"content": ""}, finish="stop", usage=usage)), sse("[DONE]")]

    def error(self, status: int, message: str) -> dict:
        return {"object": "error", "message": message, "type": "fake_error", "code": status}


class AnthropicWire(Wire):
    """POST {base}/v1/messages; input usage in message_start, all of it in message_delta."""

    name = "anthropic"
    path = "/v1/messages"

    def input_usage(self, script) -> dict:
        """Anthropic counts cache reads and cache writes apart from input_tokens."""
        return {
            "input_tokens": script.input_tokens - script.cached_tokens - script.cache_write_tokens,
            "cache_read_input_tokens": script.cached_tokens,
            "cache_creation_input_tokens": script.cache_write_tokens,
        }

    def start(self, script) -> list[bytes]:
        message = {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": self.model,
            "stop_reason": None,
            "stop_sequence": None,
        }
        if script.send_usage:
            message["usage"] = {**self.input_usage(script), "output_tokens": 1}
        block = {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        return [
            sse({"type": "message_start", "message": message}, "message_start"),
            sse(block, "content_block_start"),
            sse({"type": "ping"}, "ping"),
        ]

    def text(self, piece: str) -> bytes:
        delta = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": piece},
        }
        return sse(delta, "content_block_delta")

    def end(self, script) -> list[bytes]:
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        }
        if script.send_usage:  # cumulative counts, input ones included, as the API sends
            delta["usage"] = {**self.input_usage(script), "output_tokens": script.output_tokens}
        return [
            sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            sse(delta, "message_delta"),
            sse({"type": "message_stop"}, "message_stop"),
        ]

    def error(self, status: int, message: str) -> dict:
        return {"type": "error", "error": {"type": "fake_error", "message": message}}


WIRES = {"openai": OpenAIWire, "anthropic": AnthropicWire, "mistral": MistralWire}
