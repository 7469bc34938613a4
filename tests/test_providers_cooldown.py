"""A provider answering 429 with Retry-After is set aside in the shared cache, then asked again."""

import asyncio

from providers import cooldown
from providers.base import ChatRequest, Message, Usage
from providers.chain import stream_answer
from providers.offline import OfflineProvider
from tests.support.fakellm import FakeServer, Script
from tests.support.providers import collect, provider_for


def ask() -> ChatRequest:
    return ChatRequest(
        system="Assistant de la mairie.",
        messages=[Message("user", "Horaires ?")],
        max_output_tokens=800,
    )


def chain_of(limited, backup=None):
    """Fresh provider objects each time, as each web process builds its own."""
    providers = [provider_for("openai", limited.base_url, name="vendor-a")]
    if backup is not None:
        providers.append(provider_for("mistral", backup.base_url, name="backup"))
    return [*providers, OfflineProvider()]


async def test_it_sends_the_next_questions_straight_to_the_fallback_while_cooling_down():
    limited_script = Script(status=429, retry_after="30")
    with FakeServer("openai", limited_script) as limited, FakeServer("mistral") as backup:
        first = stream_answer(ask(), chain_of(limited, backup))
        await collect(first)
        second = stream_answer(ask(), chain_of(limited, backup))
        chunks, error = await collect(second)
    assert first.provider.name == second.provider.name == "backup"
    assert len(limited.requests) == 1 and len(backup.requests) == 2
    assert error is None and "".join(chunks) == Script().text
    skipped = second.failures[0]
    assert skipped.provider.name == "vendor-a" and skipped.usage == Usage(0, 0)
    assert "rate limited, cooling down" in skipped.error.detail
    left = await cooldown.remaining(chain_of(limited))
    assert 25 < left["vendor-a"] <= 30


async def test_it_bounds_the_cool_down_to_five_minutes():
    with FakeServer("openai", Script(status=429, retry_after="86400")) as limited:
        await collect(stream_answer(ask(), chain_of(limited)))
    left = await cooldown.remaining(chain_of(limited))
    assert cooldown.MAX_SECONDS - 5 < left["vendor-a"] <= cooldown.MAX_SECONDS == 300


async def test_it_asks_the_provider_again_once_the_cool_down_is_over():
    with FakeServer("openai", Script(status=429, retry_after="0.5")) as limited:
        await collect(stream_answer(ask(), chain_of(limited)))
        await collect(stream_answer(ask(), chain_of(limited)))
        assert len(limited.requests) == 1
        await asyncio.sleep(0.6)
        limited.script = Script()
        answer = stream_answer(ask(), chain_of(limited))
        chunks, error = await collect(answer)
    assert len(limited.requests) == 2
    assert error is None and answer.provider.name == "vendor-a" and answer.failures == []


async def test_it_does_not_cool_down_without_retry_after_nor_on_other_errors():
    with FakeServer("openai", Script(status=429)) as limited:
        await collect(stream_answer(ask(), chain_of(limited)))
        limited.script = Script(status=503, retry_after="30")
        await collect(stream_answer(ask(), chain_of(limited)))
        await collect(stream_answer(ask(), chain_of(limited)))
    assert len(limited.requests) == 3
    assert await cooldown.remaining(chain_of(limited)) == {}
