"""Redis killed mid-conversation under real app processes, then started again.

A private redis-server (cache, sessions' copies, rate limits, provider cool-downs, sign-in
lockout and Celery broker) serves two uvicorn processes with the shipped settings on one
database (PostgreSQL in the PostgreSQL pass, else SQLite). While Redis is down, sessions are
read from and written to the database (accesscodes.sessions) and the chat's rate limit is
skipped, so residents keep asking and signing in; a session made by one process is read by
the other. The timeline runs once per module; each test checks one promise about it.
"""

import json
import os

import pytest

from tests.faults.kit import (
    BOOKS_LIVE,
    NORMAL,
    NORMAL_RECORD,
    SETUP_LIVE,
    Books,
)
from tests.faults.services import PrivateRedis, redis_available
from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase
from tests.support.liveclient import live_ask, live_json, live_sign_in

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(redis_available() is not None, reason=str(redis_available())),
]


@pytest.fixture(scope="module")
def outage():
    """Answers before, during and after a Redis outage, from both processes, and the books."""
    seen = {}
    with PrivateRedis() as redis, FakeServer("openai", Script()) as fake:
        database = IsolatedDatabase(os.environ.get("DATABASE_URL"), redis.url, CHAT_RATE="100/m")
        with database as db:
            _pk, code = db.shell(SETUP_LIVE.format(url=fake.base_url, timeout=5)).split()[-2:]
            with AppProcesses(db, 2) as app:
                one, two = app.urls
                session = live_sign_in(one, code)[1]  # signed in before the outage
                seen["before"] = [live_ask(url, session) for url in (one, two)]
                redis.stop()
                try:
                    seen["health down"] = live_json(one + "/healthz")
                    seen["ask down"] = [live_ask(url, session) for url in (one, two)]
                    seen["sign in down"], fresh = live_sign_in(one, code)
                    # the session written by one process during the outage, read by the other
                    seen["new session down"] = fresh and live_ask(two, fresh)
                finally:
                    redis.start()
                seen["health up"] = live_json(one + "/healthz")
                seen["after"] = [live_ask(url, session) for url in (one, two)]
                seen["outage session after"] = fresh and live_ask(one, fresh)
                seen["sign in after"], later = live_sign_in(two, code)
                seen["new session after"] = later and live_ask(one, later)
            seen["books"] = Books.of(json.loads(db.shell(BOOKS_LIVE).splitlines()[-1]))
    return seen


def answered(reply) -> bool:
    return bool(reply) and reply.status == 200 and reply.names[-2:] == ["sources", "done"]


def test_it_reports_the_cache_as_failed_while_redis_is_down_then_ok_again(outage):
    status, health, _seconds = outage["health down"]
    assert status == 503
    assert health["cache"] == "failed" and health["broker"] == "failed"
    assert health["database"] == "ok"
    status, health, _seconds = outage["health up"]
    assert status == 200 and set(health.values()) == {"ok"}


def test_it_never_leaves_a_request_hanging_while_redis_is_down(outage):
    replies = [*outage["ask down"], outage["new session down"]]
    assert all(reply.total_s < 10 for reply in replies if reply)  # Redis timeouts are 2 s
    assert outage["health down"][2] < 10


def test_it_answers_a_signed_in_resident_while_redis_is_down(outage):
    """Read from the database session, in either process; the rate limit is skipped."""
    for reply in outage["ask down"]:
        assert answered(reply), (reply.status, reply.raw[:200])
        assert reply.text == NORMAL.text


def test_it_lets_a_resident_sign_in_while_redis_is_down(outage):
    assert outage["sign in down"] == 302
    assert answered(outage["new session down"]) and outage["new session down"].text == NORMAL.text


def test_it_recovers_by_itself_when_redis_comes_back(outage):
    assert all(answered(reply) for reply in outage["before"])
    assert all(answered(reply) and reply.text == NORMAL.text for reply in outage["after"])
    assert answered(outage["outage session after"])  # no copy in Redis: read from the database
    assert outage["sign in after"] == 302 and answered(outage["new session after"])


def test_it_meters_exactly_the_answers_given_across_the_outage(outage):
    replies = [*outage["before"], *outage["ask down"], outage["new session down"]]
    replies += [*outage["after"], outage["outage session after"], outage["new session after"]]
    books = outage["books"]
    books.assert_balanced()
    given = sum(answered(reply) for reply in replies)
    assert books.records == [NORMAL_RECORD] * given
