"""The JSON endpoints fuzzed from outside (issue 13, item 7): never a server error.

A live process gets the chat's question endpoint with hundreds of hostile bodies
(tests/security/fuzzjson.py: wrong types, sizes, nulls, deep nesting, broken UTF-8), as a
signed-in resident and as an anonymous visitor holding a CSRF token, under several content
types; and the comms status JSON with hostile `ids`. Every answer must be a plain refusal
(4xx) or a complete answer (200 ending with `done`), never a 5xx.
"""

import random

import pytest

from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .fuzzjson import bodies
from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_code, try_password

pytestmark = pytest.mark.security
SEED = 13
CONTENT_TYPES = ["application/json", "text/plain", "application/json; charset=latin-1", ""]


@pytest.fixture(scope="module")
def app():
    with IsolatedDatabase() as db:
        add_persona(db, "marius")
        code = db.shell(
            "from accesscodes.models import AccessCode; print(AccessCode.issue()[1])"
        ).split()[-1]
        env = {"WARM_UP": "0", "KNOWLEDGE_DENSE": "0", "CHAT_RATE": "100000/m"}
        with AppProcesses(db, **env) as live:
            live.code = code
            yield live


def failures(client, token: str, count: int) -> list[str]:
    rng = random.Random(SEED)
    found = []
    for label, body in bodies(SEED, count):
        kind = rng.choice(CONTENT_TYPES)
        headers = {"X-CSRFToken": token, **({"Content-Type": kind} if kind else {})}
        answer = client.post("/chat/ask", content=body, headers=headers)
        complete = answer.status_code != 200 or "event: done" in answer.text
        if answer.status_code >= 500 or not complete:
            found.append(f"{label} ({kind or 'no type'}): {answer.status_code} {body[:80]!r}")
    return found


def test_it_never_answers_a_hostile_question_body_with_a_server_error(app):
    with from_address(app.urls[0]) as resident:
        assert try_code(resident, app.code).status_code == 302
        token = csrf_of(resident.get("/chat/"))
        found = failures(resident, token, 300)
    assert found == []


def test_it_never_answers_a_hostile_body_from_an_anonymous_visitor_with_a_server_error(app):
    with from_address(app.urls[0]) as visitor:
        token = csrf_of(visitor.get("/"))
        found = failures(visitor, token, 100)
    assert found == []


HOSTILE_IDS = ["", ",,,", "1,2,3", "²", "٣", "-1", "9" * 5000, "9" * 30, "1e5", " 1", "\x00", "0x1"]


def test_it_never_answers_hostile_ids_to_the_status_json_with_a_server_error(app):
    with from_address(app.urls[0]) as comms:
        assert try_password(comms, "marius", STAFF_PASSWORD).status_code == 302
        statuses = {
            ids: comms.get("/comms/documents/status.json", params={"ids": ids}).status_code
            for ids in HOSTILE_IDS
        }
    assert {ids: s for ids, s in statuses.items() if s != 200} == {}
