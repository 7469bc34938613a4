"""The floor of the load bench: the thinnest Django ASGI relay of an OpenAI SDK stream.

Run by `bench/chat_load.py --floor` under uvicorn like the app (FAKE_PROVIDER_URL set). It
does what the chat endpoint cannot avoid doing with the stack the project is built on
(Django under uvicorn, the official OpenAI SDK) and nothing else: no session, no code check,
no retrieval, no metering, no middleware. It sends the question to the provider through the
SDK, reads the stream raw as the OpenAI adapter does (providers/openai_compat), and writes
one SSE `chunk` event per network read, then `done`. Whatever the app adds on top of these
figures is the cost of its own work.

FLOOR_CLIENT=httpx2 sends the same request with a bare httpx2 client instead of the SDK (the
transport the SDK itself uses), to show what the SDK's own layer costs.
"""

import json
import os
import secrets

from django.conf import settings

settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    MIDDLEWARE=[],
    SECRET_KEY=secrets.token_urlsafe(50),
)

import django  # noqa: E402

django.setup()

import httpx2  # noqa: E402
import openai  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpResponse, StreamingHttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

BASE_URL = os.environ["FAKE_PROVIDER_URL"]
client = openai.AsyncOpenAI(base_url=BASE_URL, api_key="fake", max_retries=0, timeout=30)
bare = httpx2.AsyncClient(base_url=BASE_URL, timeout=30)


def provider_stream(question: str):
    """The streamed request, as an async context manager whose response has iter_bytes()."""
    body = {
        "model": "fake",
        "messages": [{"role": "user", "content": question}],
        "max_tokens": 800,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if os.environ.get("FLOOR_CLIENT") == "httpx2":
        return BareStream(bare.stream("POST", "/chat/completions", json=body))
    return client.chat.completions.with_streaming_response.create(**body)


class BareStream:
    """httpx2's streamed response with the SDK's method name (iter_bytes)."""

    def __init__(self, context):
        self.context = context

    async def __aenter__(self):
        self.response = await self.context.__aenter__()
        self.iter_bytes = self.response.aiter_bytes
        return self

    async def __aexit__(self, *exc):
        return await self.context.__aexit__(*exc)


def text_of(event: bytes) -> str:
    if not event.startswith(b"data:") or event.endswith(b"[DONE]"):
        return ""
    choices = json.loads(event[5:]).get("choices") or ()
    return "".join((choice.get("delta") or {}).get("content") or "" for choice in choices)


async def ask(request):
    question = json.loads(request.body)["message"]

    async def events():
        async with provider_stream(question) as response:
            buffer = b""
            async for data in response.iter_bytes():
                *complete, buffer = (buffer + data).split(b"\n\n")
                text = "".join(text_of(event) for event in complete)
                if text:
                    yield f"event: chunk\ndata: {json.dumps({'text': text})}\n\n"
        yield 'event: done\ndata: {"remaining_percent": null}\n\n'

    return StreamingHttpResponse(events(), content_type="text/event-stream")


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("chat/ask", ask), path("healthz", healthz)]
application = get_asgi_application()
