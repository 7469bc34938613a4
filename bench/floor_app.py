"""The floor of the load bench: the thinnest Django ASGI relay of an OpenAI SDK stream.

Run by `bench/chat_load.py --floor` under uvicorn like the app (FAKE_PROVIDER_URL set). It
does what the chat endpoint cannot avoid doing with the stack the project is built on
(Django under uvicorn, the official OpenAI SDK) and nothing else: no session, no code check,
no retrieval, no metering, no middleware. It sends the question to the provider through the
SDK, reads the stream raw as the OpenAI adapter does (providers/openai_compat), and writes
one SSE `chunk` event per network read, then `done`. Whatever the app adds on top of these
figures is the cost of its own work.
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

import openai  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpResponse, StreamingHttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

client = openai.AsyncOpenAI(
    base_url=os.environ["FAKE_PROVIDER_URL"], api_key="fake", max_retries=0, timeout=30
)


def text_of(event: bytes) -> str:
    if not event.startswith(b"data:") or event.endswith(b"[DONE]"):
        return ""
    choices = json.loads(event[5:]).get("choices") or ()
    return "".join((choice.get("delta") or {}).get("content") or "" for choice in choices)


async def ask(request):
    question = json.loads(request.body)["message"]

    async def events():
        async with client.chat.completions.with_streaming_response.create(
            model="fake",
            messages=[{"role": "user", "content": question}],
            max_tokens=800,
            stream=True,
            stream_options={"include_usage": True},
        ) as response:
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
