"""Provider faults seen through two real app processes sharing one database and one Redis.

A 429 with Retry-After received by one process sets the provider aside for every process
(providers/cooldown.py, in Redis), then it is asked again by itself. A resident whose
browser leaves mid-answer (the answer takes longer than they wait) is settled as a partial
answer, charged only for what was written, with nothing left reserved.
"""

import json
import os
import time

import pytest

from providers.tokens import estimate_tokens
from tests.faults.kit import (
    BOOKS_LIVE,
    INTERRUPTED_FR,
    NORMAL,
    OFFLINE_FR,
    SETUP_LIVE,
    Books,
)
from tests.faults.services import PrivateRedis, redis_available
from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase
from tests.support.liveclient import live_ask, live_sign_in

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(redis_available() is not None, reason=str(redis_available())),
]

SLOW = Script(text="Le marché a lieu le samedi matin, place du Port. " * 8, chunk_chars=10)


class Live:
    """The two processes, the fake vendor, a signed-in resident per process, the books."""

    def __init__(self, db, app, fake, sessions, redis):
        self.db, self.app, self.fake, self.sessions = db, app, fake, sessions
        self.redis = redis

    def forget_cool_downs(self) -> None:
        """Empty the shared cache (sessions stay in the database): no provider set aside."""
        import redis

        redis.Redis.from_url(self.redis.url).flushdb()

    def ask(self, process: int, **kwargs):
        return live_ask(self.app.urls[process], self.sessions[process], **kwargs)

    def books(self) -> Books:
        return Books.of(json.loads(self.db.shell(BOOKS_LIVE).splitlines()[-1]))


@pytest.fixture(scope="module")
def live():
    with PrivateRedis() as redis, FakeServer("openai", Script()) as fake:
        database = IsolatedDatabase(os.environ.get("DATABASE_URL"), redis.url, CHAT_RATE="100/m")
        with database as db:
            _pk, code = db.shell(SETUP_LIVE.format(url=fake.base_url, timeout=5)).split()[-2:]
            with AppProcesses(db, 2) as app:
                sessions = [live_sign_in(url, code)[1] for url in app.urls]
                yield Live(db, app, fake, sessions, redis)


def answered(reply) -> bool:
    return reply.status == 200 and reply.names[-2:] == ["sources", "done"]


def test_it_sets_a_rate_limited_provider_aside_in_every_process_then_asks_it_again(live):
    live.forget_cool_downs()
    before = len(live.books().records)
    live.fake.script = Script(status=429, retry_after="3")
    asked = len(live.fake.requests)
    first = live.ask(0)  # process 0 gets the 429...
    limited_at = time.monotonic()  # the cool-down started before this
    second = live.ask(1)  # ...process 1 does not even ask
    assert len(live.fake.requests) == asked + 1
    for reply in (first, second):
        assert answered(reply) and OFFLINE_FR in reply.text  # no documents in this town
        assert reply.last("sources")["provider"] == "offline"

    live.fake.script = Script()
    time.sleep(max(0.0, 3.2 - (time.monotonic() - limited_at)))
    third = live.ask(1)  # the cool-down is over: asked again, by itself
    assert answered(third) and third.text == NORMAL.text
    assert len(live.fake.requests) == asked + 2

    books = live.books()
    books.assert_balanced()  # a 429 is never billed
    kinds = [(kind, outcome) for kind, outcome, *_ in books.records[before:]]
    assert kinds == [("offline", "ok"), ("offline", "ok"), ("openai_compatible", "ok")]


def test_it_settles_a_partial_answer_when_the_browser_leaves_mid_answer(live):
    live.forget_cool_downs()
    before = len(live.books().records)
    live.fake.script = Script(text=SLOW.text, chunk_chars=10, delay=0.1)  # ~4 s in all
    left = live.ask(0, leave_after=0.5)
    assert left.text and SLOW.text.startswith(left.text) and "done" not in left.names

    deadline = time.monotonic() + 10
    while len((books := live.books()).records) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    books.assert_balanced()  # settled although nobody read the end: nothing left reserved
    [(kind, outcome, tokens_in, tokens_out, estimated, _cost)] = books.records[before:]
    assert (kind, outcome, estimated) == ("openai_compatible", "partial", True)
    assert tokens_in > 0 and 0 < tokens_out < estimate_tokens(SLOW.text)

    live.fake.script = Script()
    again = live.ask(0)  # the same resident asks again at once
    assert answered(again) and again.text == NORMAL.text


@pytest.mark.parametrize("framing", ["close", "chunked"])
def test_it_tells_the_resident_when_the_vendor_ends_the_answer_unannounced(live, framing):
    # A valid body (ended by closing the connection, or by its last chunk) that stops
    # mid-answer with no finish_reason, no [DONE] and no usage: the answer was cut.
    live.forget_cool_downs()
    before = len(live.books().records)
    live.fake.script = Script(
        text=SLOW.text, chunk_chars=10, fault="unfinished", fault_after=5, framing=framing
    )
    reply = live.ask(1)
    assert reply.names[-2:] == ["sources", "error"], reply.names
    assert reply.text == SLOW.text[:50]
    assert reply.last("error") == {
        "code": "provider",
        "message": INTERRUPTED_FR,
        "kept": True,
        "retry": True,
    }
    books = live.books()
    books.assert_balanced()
    [(kind, outcome, tokens_in, tokens_out, estimated, _cost)] = books.records[before:]
    assert (kind, outcome, estimated) == ("openai_compatible", "partial", True)
    assert tokens_in > 0 and tokens_out == estimate_tokens(reply.text)

    live.fake.script = Script()
    again = live.ask(1)
    assert answered(again) and again.text == NORMAL.text
