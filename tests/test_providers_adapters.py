"""Real SDK clients (openai, anthropic, mistralai) against local fake servers: streaming,
usage and every scripted fault, parametrized across the three wire protocols."""

import asyncio
from decimal import Decimal

import pytest

from providers.base import ChatRequest, Message, Usage
from providers.errors import BUSY, INTERRUPTED, REJECTED, UNAVAILABLE
from providers.models import Price
from providers.pricing import cost_eur
from providers.tokens import estimate_tokens
from tests.support.fakellm import FakeServer, Script
from tests.support.providers import collect, provider_for
from tests.support.sockets import free_port_url, never_accepts

PROTOCOLS = ["openai", "anthropic", "mistral"]
TIMEOUT = 0.3


def ask(**kwargs) -> ChatRequest:
    kwargs.setdefault("system", "Tu es l'assistant de la mairie. Réponds simplement.")
    kwargs.setdefault("messages", [Message("user", "Quels sont les horaires de la mairie ?")])
    kwargs.setdefault("cacheable_prefix_chars", 30)
    kwargs.setdefault("max_output_tokens", 800)
    return ChatRequest(**kwargs)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_streams_chunk_by_chunk_in_order(protocol):
    script = Script(pause_after=2, input_tokens=321, output_tokens=17, cached_tokens=256)
    with FakeServer(protocol, script) as server:
        stream = provider_for(protocol, server.base_url, timeout=5).stream(ask())
        early = [await stream.__anext__(), await stream.__anext__()]
        # The server is still holding the rest of the answer: these came in before the end.
        assert not script.release.is_set()
        assert stream.usage is None
        script.release.set()
        rest, error = await collect(stream)
    assert error is None
    # Pieces that reach us in one network read may be passed on together; none is lost.
    assert "".join(early + rest) == "".join(script.pieces())
    assert len(early + rest) >= 2
    assert stream.usage.input_tokens == 321
    assert stream.usage.output_tokens == 17
    assert stream.usage.cached_tokens == 256
    assert stream.usage.estimated is False


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_asks_for_usage_and_sends_the_key_and_limits(protocol):
    with FakeServer(protocol, Script(expect_key="sk-town-123")) as server:
        provider = provider_for(protocol, server.base_url, api_key="sk-town-123")
        provider.max_output_tokens = 300
        chunks, error = await collect(provider.stream(ask(max_output_tokens=800)))
    assert error is None and chunks
    body = server.requests[0]["json"]
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    assert limit == 300
    if protocol == "openai":
        assert body["stream_options"] == {"include_usage": True}
    if protocol == "anthropic":
        first, second = body["system"]
        assert first["cache_control"] == {"type": "ephemeral"}
        assert first["text"] + second["text"] == ask().system
        assert len(first["text"]) == 30 and "cache_control" not in second
    else:
        assert body["messages"][0] == {"role": "system", "content": ask().system}
    assert body["stream"] is True


def status_fault(status, retry_after=None):
    return lambda: Script(status=status, retry_after=retry_after)


# name -> (script factory, expected error fields, chunks produced before the error)
FAULTS = {
    "401": (
        status_fault(401),
        {"status": 401, "fallback_ok": True, "detail": "invalid key: check"},
    ),
    "429": (
        status_fault(429, "7"),
        {"status": 429, "retry_after": 7.0, "user_message": BUSY, "detail": "retry after 7 s"},
    ),
    "500": (status_fault(500), {"status": 500, "fallback_ok": True, "detail": "HTTP 500"}),
    "400": (
        status_fault(400),
        {"status": 400, "fallback_ok": False, "user_message": REJECTED, "detail": "rejected"},
    ),
    "read timeout": (
        lambda: Script(fault="read_timeout", fault_after=0),
        {"fallback_ok": True, "detail": "timed out after 0.3 s"},
    ),
    "malformed json": (
        lambda: Script(fault="malformed", fault_after=0),
        {"fallback_ok": True, "detail": "malformed response"},
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_maps_each_fault_before_any_text(protocol, fault):
    make_script, expected = FAULTS[fault]
    expected = dict(expected)
    with FakeServer(protocol, make_script()) as server:
        stream = provider_for(protocol, server.base_url, timeout=TIMEOUT).stream(ask())
        chunks, error = await collect(stream)
    assert chunks == []
    assert error is not None
    assert expected.pop("detail") in error.detail
    expected.setdefault("user_message", UNAVAILABLE)
    for field, value in expected.items():
        assert getattr(error, field) == value, field
    assert "scripted" not in str(error.user_message)
    assert stream.usage.output_tokens == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_reports_a_refused_connection(protocol):
    url = free_port_url() + ("/v1" if protocol == "openai" else "")
    # A refusal comes back at once; a generous timeout keeps a loaded CI machine (slow SDK
    # client set-up) from turning it into a timeout.
    stream = provider_for(protocol, url, timeout=5).stream(ask())
    chunks, error = await collect(stream)
    assert chunks == [] and error.fallback_ok and error.status is None
    assert "connection failed" in error.detail and url in error.detail
    assert stream.usage.output_tokens == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_times_out_when_the_server_never_accepts(protocol):
    with never_accepts() as url:
        started = asyncio.get_running_loop().time()
        stream = provider_for(protocol, url, timeout=TIMEOUT).stream(ask())
        chunks, error = await collect(stream)
        elapsed = asyncio.get_running_loop().time() - started
    assert chunks == [] and error.fallback_ok
    assert "timed out" in error.detail
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + 1


@pytest.mark.parametrize(
    "fault", ["cut", "read_timeout", "malformed"], ids=["cut", "stall", "malformed"]
)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_stops_mid_stream_and_bills_only_what_was_produced(protocol, fault):
    script = Script(fault=fault, fault_after=4, output_tokens=999)
    with FakeServer(protocol, script) as server:
        stream = provider_for(protocol, server.base_url, timeout=TIMEOUT).stream(ask())
        chunks, error = await collect(stream)
    assert "".join(chunks) == "".join(script.pieces()[:4])
    assert error.fallback_ok is False
    assert error.user_message == INTERRUPTED
    assert f"after {len(chunks)} chunks" in error.detail
    usage = stream.usage
    assert usage.estimated is True
    assert usage.output_tokens == estimate_tokens("".join(chunks)) < 999
    if protocol == "anthropic":  # input is known exactly from message_start
        assert usage.input_tokens == script.input_tokens
    else:
        assert usage.input_tokens == ask().input_tokens_estimate()


FRAMINGS = ["chunked", "close"]  # a chunked body, or one ended by closing the connection


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_calls_an_answer_whose_end_never_came_interrupted(protocol, framing):
    # A valid HTTP body that simply stops: no finish_reason, [DONE], message_stop or usage.
    script = Script(fault="unfinished", fault_after=4, output_tokens=999, framing=framing)
    with FakeServer(protocol, script) as server:
        stream = provider_for(protocol, server.base_url, timeout=TIMEOUT).stream(ask())
        chunks, error = await collect(stream)
    assert "".join(chunks) == "".join(script.pieces()[:4])
    assert error is not None and error.user_message == INTERRUPTED
    assert error.fallback_ok is False and "without its end" in error.detail
    assert stream.usage.estimated is True
    assert stream.usage.output_tokens == estimate_tokens("".join(chunks)) < 999


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_hands_over_when_the_answer_ends_before_any_text(protocol, framing):
    script = Script(fault="unfinished", fault_after=0, framing=framing)
    with FakeServer(protocol, script) as server:
        stream = provider_for(protocol, server.base_url, timeout=TIMEOUT).stream(ask())
        chunks, error = await collect(stream)
    assert chunks == [] and error.fallback_ok is True and error.user_message == UNAVAILABLE
    # The vendor accepted the question: it may bill the input, never output it did not write.
    assert stream.usage.output_tokens == 0 and stream.usage.input_tokens > 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_reads_a_complete_answer_ended_by_closing_the_connection(protocol):
    with FakeServer(protocol, Script(framing="close")) as server:
        stream = provider_for(protocol, server.base_url).stream(ask())
        chunks, error = await collect(stream)
    assert error is None and "".join(chunks) == Script().text
    assert stream.usage == Usage(120, 18)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_estimates_usage_when_the_server_sends_none(protocol):
    script = Script(send_usage=False)
    with FakeServer(protocol, script) as server:
        stream = provider_for(protocol, server.base_url).stream(ask())
        chunks, error = await collect(stream)
    assert error is None and "".join(chunks) == script.text
    usage = stream.usage
    assert usage.estimated is True
    assert usage.output_tokens == estimate_tokens(script.text)
    assert usage.input_tokens == ask().input_tokens_estimate() > 0
    assert usage.cached_tokens == 0


@pytest.mark.parametrize("protocol", ["anthropic", "mistral", "openai"])
async def test_it_says_which_variable_to_set_when_the_key_is_missing(protocol):
    with FakeServer(protocol) as server:
        provider = provider_for(protocol, server.base_url, api_key=None, key_env="TOWN_LLM_KEY")
        chunks, error = await collect(provider.stream(ask()))
    assert chunks == [] and error.fallback_ok
    assert "no key: set TOWN_LLM_KEY" in error.detail
    assert server.requests == []


async def test_it_lets_openai_compatible_endpoints_run_without_a_key():
    from providers.openai_compat import OpenAICompatibleProvider

    with FakeServer("openai") as server:
        provider = OpenAICompatibleProvider(name="albert", model="m", base_url=server.base_url)
        chunks, error = await collect(provider.stream(ask()))
    assert error is None and "".join(chunks) == Script().text
    assert "max_tokens" in server.requests[0]["json"]


PHOTO = b"\x89PNG\r\n\x1a\n" + b"0" * 16


def capabilities(images: bool) -> dict:
    return {"images": images, "prompt_caching": True}


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_attaches_images_to_the_last_question(protocol):
    with FakeServer(protocol) as server:
        provider = provider_for(protocol, server.base_url, capabilities=capabilities(True))
        chunks, error = await collect(provider.stream(ask(images=[PHOTO])))
    assert error is None
    content = server.requests[0]["json"]["messages"][-1]["content"]
    kinds = [part["type"] for part in content]
    assert "text" in kinds and ("image" in kinds or "image_url" in kinds)
    assert "image/png" in str(content)


@pytest.mark.parametrize(
    ("language", "images", "note"),
    [
        ("fr", [PHOTO], "[L'habitant a joint une photo que tu ne peux pas voir.]"),
        ("en", [PHOTO, PHOTO], "[The resident attached 2 photos that you cannot see.]"),
    ],
)
@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_it_leaves_images_out_for_a_provider_that_cannot_read_them(
    protocol, language, images, note
):
    with FakeServer(protocol) as server:
        provider = provider_for(protocol, server.base_url, capabilities=capabilities(False))
        stream = provider.stream(ask(images=images, language=language))
        chunks, error = await collect(stream)
    assert error is None and "".join(chunks) == Script().text
    body = server.requests[0]["json"]
    question = ask().messages[-1].content
    assert body["messages"][-1] == {"role": "user", "content": f"{question}\n\n{note}"}
    assert "image/png" not in str(body) and "base64" not in str(body)


async def test_it_counts_anthropic_cache_writes_apart_and_prices_them_exactly():
    script = Script(input_tokens=2000, cached_tokens=1200, cache_write_tokens=500)
    with FakeServer("anthropic", script) as server:
        stream = provider_for("anthropic", server.base_url).stream(ask())
        chunks, error = await collect(stream)
    assert error is None
    assert stream.usage == Usage(2000, 18, cached_tokens=1200, cache_write_tokens=500)
    price = Price(
        eur_per_million_input=Decimal("3"),
        eur_per_million_output=Decimal("15"),
        eur_per_million_cached_input=Decimal("0.30"),
    )
    # 300 plain at 3, 500 written at 3 x 1.25, 1200 read at 0.30, 18 output at 15.
    expected = (300 * 3 + 500 * Decimal("3.75") + 1200 * Decimal("0.30") + 18 * 15) / 10**6
    assert cost_eur(stream.usage, price) == expected == Decimal("0.003405")
