"""PostgreSQL restarted while answers stream, and down while a question arrives.

A private PostgreSQL cluster (tests/faults/services.py) serves two uvicorn processes with the
shipped settings, each with a pool of its own and a resident of its own. The vendor pauses
both answers after two chunks; the server restarts (a fast shutdown ends every connection);
the answers go on, and each is settled on a fresh connection (Metering.settle retries once).
Then a question is asked while the server restarts, and one while it stays down longer than
the connection pool waits (10 s): a plain 503 the chat page offers to retry. The timeline
runs once; each test checks one promise.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.kit import (
    BOOKS_LIVE,
    ISSUE_LIVE,
    NORMAL,
    NORMAL_RECORD,
    SETUP_LIVE,
    UNAVAILABLE,
    Books,
    french,
)
from tests.faults.services import PrivatePostgres, postgres_available
from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase
from tests.support.liveclient import live_ask, live_json, live_sign_in

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(postgres_available() is not None, reason=str(postgres_available())),
]

LONG = Script(text="La déchetterie ouvre le lundi et le jeudi de 9 h à 12 h. " * 4, chunk_chars=10)
FIRST, SECOND = 0, 1  # the two app processes, each with its resident


def books_of(db) -> Books:
    return Books.of(json.loads(db.shell(BOOKS_LIVE).splitlines()[-1]))


def ask_across_a_restart(postgres, fake, urls, sessions):
    """Both residents ask; both answers pause at the vendor; the server restarts."""
    fake.script = Script(text=LONG.text, chunk_chars=10, pause_after=2)
    asked = len(fake.requests)
    with ThreadPoolExecutor(len(urls)) as pool:
        futures = [pool.submit(live_ask, url, s) for url, s in zip(urls, sessions, strict=True)]
        deadline = time.monotonic() + 10
        while len(fake.requests) < asked + len(urls) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # both reservations are held, both answers are streaming
        postgres.restart()
        fake.script.release.set()
        return [future.result() for future in futures]


@pytest.fixture(scope="module")
def restart():
    seen = {}
    with PrivatePostgres() as postgres, FakeServer("openai", Script()) as fake:
        env = {"CELERY_EAGER": "1", "CHAT_RATE": "100/m"}
        with IsolatedDatabase(postgres.url, None, **env) as db:
            first = db.shell(SETUP_LIVE.format(url=fake.base_url, timeout=5)).split()[-2:]
            second = db.shell(ISSUE_LIVE).split()[-2:]
            seen["codes"] = [int(first[0]), int(second[0])]
            with AppProcesses(db, 2) as app:
                urls = app.urls
                sessions = [live_sign_in(urls[0], first[1])[1], live_sign_in(urls[1], second[1])[1]]
                seen["before"] = [live_ask(url, s) for url, s in zip(urls, sessions, strict=True)]
                seen["during"] = ask_across_a_restart(postgres, fake, urls, sessions)
                fake.script = Script()
                seen["health"] = live_json(urls[FIRST] + "/healthz")
                seen["after"] = [live_ask(url, s) for url, s in zip(urls, sessions, strict=True)]

                postgres.stop()  # a question arrives while the server restarts
                with ThreadPoolExecutor(1) as pool:
                    waiting = pool.submit(live_ask, urls[FIRST], sessions[FIRST])
                    time.sleep(1.0)
                    postgres.start()
                    seen["asked during restart"] = waiting.result()

                postgres.stop()  # down for longer than the pool waits for a connection
                try:
                    seen["asked while down"] = live_ask(urls[FIRST], sessions[FIRST])
                finally:
                    postgres.start()
                seen["after down"] = live_ask(urls[FIRST], sessions[FIRST])
            seen["books"] = books_of(db)
            seen["released"] = int(
                db.shell(
                    "from django.utils import timezone\n"
                    "from metering.admission import release_stale\n"
                    "print(release_stale(timezone.now() + timezone.timedelta(minutes=11)))"
                ).split()[-1]
            )
            seen["books released"] = books_of(db)
    return seen


def answered(reply, text: str = NORMAL.text) -> bool:
    return reply.status == 200 and reply.names[-2:] == ["sources", "done"] and reply.text == text


def test_it_finishes_the_answers_streaming_across_a_database_restart(restart):
    assert all(answered(reply, LONG.text) for reply in restart["during"])


def test_it_answers_the_next_question_without_restarting_the_app(restart):
    assert all(answered(reply) for reply in restart["before"])
    status, health, _seconds = restart["health"]
    assert status == 200 and health["database"] == "ok"
    assert all(answered(reply) for reply in restart["after"])


def test_it_waits_for_the_database_when_a_question_arrives_during_the_restart(restart):
    reply = restart["asked during restart"]
    assert answered(reply) and reply.total_s < 10


def test_it_recovers_once_the_database_is_back_after_a_long_outage(restart):
    assert answered(restart["after down"])


@pytest.mark.parametrize("process", [FIRST, SECOND], ids=["first process", "second process"])
def test_it_records_the_answer_streamed_across_a_restart(restart, process):
    """One `ok` record per question answered, the one settled after the restart included:
    none lost, none charged twice."""
    asked = [restart["before"][process], restart["during"][process], restart["after"][process]]
    if process == FIRST:
        asked += [restart["asked during restart"], restart["after down"]]  # not the 503
    assert answered(restart["during"][process], LONG.text)
    assert restart["books"].of_code(restart["codes"][process]) == [NORMAL_RECORD] * len(asked)


def test_it_leaves_nothing_reserved_after_a_restart(restart):
    """Every settle landed, so release_stale has nothing to free and the ledgers hold exactly
    what the records charge; releasing charges nothing."""
    before, after = restart["books"], restart["books released"]
    before.assert_balanced()
    assert restart["released"] == 0
    after.assert_balanced()
    assert after.records == before.records


def test_it_tells_the_resident_plainly_when_the_database_stays_down(restart):
    """A 503 JSON (not a raw 500 page) after the pool's 10 s; static/js/chat.js shows the
    message and offers a retry for "unavailable" (see test_database_down.py)."""
    reply = restart["asked while down"]
    assert reply.status == 503, (reply.status, reply.raw[:200])
    assert reply.body == {"error": "unavailable", "message": french(UNAVAILABLE)}
    assert reply.total_s < 20  # the pool waits 10 s, then the answer: no hang
