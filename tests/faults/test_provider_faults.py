"""Provider faults through the real chat endpoint: what the resident reads, what is metered.

The provider is a fake vendor speaking real HTTP (tests/support/fakellm.py) with a 0.5 s timeout.
Before any text, a failing provider hands over to the offline provider: the resident gets
the town's document extracts, and only a vendor that accepted the request is charged its
input. After some text, the answer stops with a plain French message, the text is kept and
charged as a partial answer. Each case ends with a normal answer, with no restart.
"""

import time
from contextlib import contextmanager

import pytest

from providers.tokens import estimate_tokens
from tests.faults.kit import (
    EXTRACTS_FR,
    INTERRUPTED_FR,
    NORMAL,
    NORMAL_COST,
    Books,
    ask,
    priced_provider,
)
from tests.support.fakellm import FakeServer, Script
from tests.support.sockets import free_port_url, never_accepts

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]

# fault -> (script of the fake vendor, whether the vendor accepted the request: then it may
# bill the input, which is charged on a "failover" record of its own, not counted as a question).
BEFORE_TEXT = {
    "connect timeout": (None, False),
    "connection refused": (None, False),
    "read timeout before any text": (Script(fault="read_timeout", fault_after=0), True),
    "HTTP 500": (Script(status=500), False),
    "HTTP 401 invalid key": (Script(status=401), False),
    "stream cut before any text": (Script(fault="cut", fault_after=0), True),
    "malformed event before any text": (Script(fault="malformed", fault_after=0), True),
    "body closed before any text": (
        Script(fault="unfinished", fault_after=0, framing="close"),
        True,
    ),
}

# fault -> the fake vendor's fault; "unannounced end": a valid body (chunked, or ended by
# closing the connection) that stops mid-answer without the vendor's end of answer.
MID_ANSWER = {
    "read timeout mid-answer": {"fault": "read_timeout"},
    "stream cut mid-answer": {"fault": "cut"},
    "malformed event mid-answer": {"fault": "malformed"},
    "unannounced end of a chunked body": {"fault": "unfinished"},
    "unannounced end of a body closed": {"fault": "unfinished", "framing": "close"},
}

LONG = Script(text="La mairie est ouverte du lundi au vendredi, de 9 h à 17 h. " * 3)


@contextmanager
def address_for(fault: str, fake):
    """Where the provider is: a socket that never accepts, a closed port, or the fake."""
    if fault == "connect timeout":
        with never_accepts() as url:
            yield url + "/v1"
    elif fault == "connection refused":
        yield free_port_url() + "/v1"
    else:
        yield fake.base_url


def assert_answers_normally(client, fake, config) -> None:
    """Recovery: the provider is healthy again and the very next question is answered."""
    config.base_url = fake.base_url
    config.save()
    fake.script = Script()
    before = len(Books.read().records)
    reply = ask(client, "Et le dimanche ?")
    assert reply.status == 200 and reply.names[-2:] == ["sources", "done"], reply
    assert reply.text == NORMAL.text and reply.last("done")["generated"] is True
    books = Books.read()
    assert books.records[before:] == [("openai_compatible", "ok", 120, 18, False, NORMAL_COST)]
    books.assert_balanced()


@pytest.mark.parametrize("fault", list(BEFORE_TEXT))
def test_it_quotes_the_town_documents_when_the_provider_fails_before_any_text(
    resident_client, town, fake, fault
):
    script, accepted = BEFORE_TEXT[fault]
    fake.script = script or Script()
    with address_for(fault, fake) as url:
        config = priced_provider(url)
        started = time.monotonic()
        reply = ask(resident_client)
        elapsed = time.monotonic() - started

    assert elapsed < 5, "the resident waited for a dead provider"
    assert reply.status == 200 and reply.names[-2:] == ["sources", "done"], reply
    assert EXTRACTS_FR in reply.text and "place du Port" in reply.text
    assert reply.last("sources")["provider"] == "offline"
    assert reply.last("done")["generated"] is False  # the page says: extracts, not an answer
    books = Books.read()
    books.assert_balanced()
    kinds = [(kind, outcome) for kind, outcome, *_ in books.records]
    assert ("offline", "ok") in kinds
    failed = [r for r in books.records if r[0] == "openai_compatible"]
    if accepted:  # the vendor took the request: its input may be billed, no output was made
        [(_kind, outcome, tokens_in, tokens_out, estimated, cost)] = failed
        assert outcome == "failover" and tokens_in > 0 and tokens_out == 0 and estimated
        assert cost == tokens_in
    else:  # refused or never reached: vendors bill nothing, nothing is charged
        assert failed == []
    assert_answers_normally(resident_client, fake, config)


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "mistral"])
@pytest.mark.parametrize("fault", list(MID_ANSWER))
def test_it_keeps_the_partial_answer_and_charges_only_what_was_written(
    resident_client, town, fault, protocol
):
    script = Script(text=LONG.text, chunk_chars=12, delay=0.02, **MID_ANSWER[fault])
    with FakeServer(protocol, script) as vendor:
        config = priced_provider(vendor.base_url, protocol)
        reply = ask(resident_client)
        kind = config.kind

        assert reply.status == 200 and reply.names[-2:] == ["sources", "error"], reply
        assert reply.text and LONG.text.startswith(reply.text) and reply.text != LONG.text
        assert reply.last("error") == {
            "code": "provider",
            "message": INTERRUPTED_FR,
            "kept": True,
            "retry": True,
        }
        books = Books.read()
        books.assert_balanced()
        [(record_kind, outcome, tokens_in, tokens_out, estimated, _cost)] = books.records
        assert (record_kind, outcome, estimated) == (kind, "partial", True)
        assert tokens_in > 0  # the vendor accepted the request: its input is billed
        assert tokens_out == estimate_tokens(reply.text)  # only the text really written

        vendor.script = Script()
        after = ask(resident_client, "Et le dimanche ?")
        assert after.names[-2:] == ["sources", "done"] and after.text == NORMAL.text
        assert Books.read().records[-1][:4] == (kind, "ok", 120, 18)
        Books.read().assert_balanced()


def test_it_cools_a_rate_limited_provider_down_then_asks_it_again(resident_client, town, fake):
    fake.script = Script(status=429, retry_after="2")
    config = priced_provider(fake.base_url)

    first = ask(resident_client)
    second = ask(resident_client)
    assert len(fake.requests) == 1, "a cooling provider must not be asked again"
    for reply in (first, second):
        assert reply.names[-2:] == ["sources", "done"] and EXTRACTS_FR in reply.text
        assert reply.last("sources")["provider"] == "offline"
    books = Books.read()
    books.assert_balanced()  # a 429 is not billed: only the two free offline answers
    assert [(kind, outcome) for kind, outcome, *_ in books.records] == [("offline", "ok")] * 2

    time.sleep(2.1)  # the Retry-After is over: the provider is asked again by itself
    assert_answers_normally(resident_client, fake, config)
    assert len(fake.requests) == 2


def test_it_tells_the_resident_plainly_when_even_the_extracts_fail(
    resident_client, town, fake, monkeypatch
):
    """The offline provider is the last resort; if it breaks too, the resident is told so."""
    from providers.offline import OfflineProvider

    async def broken(self, request, tracker):
        raise RuntimeError("disk error")
        yield ""

    fake.script = Script(status=500)
    config = priced_provider(fake.base_url)
    with monkeypatch.context() as patch:
        patch.setattr(OfflineProvider, "_chunks", broken)
        reply = ask(resident_client)
    assert reply.status == 200 and reply.names == ["error"]
    error = reply.last("error")
    assert error["kept"] is False and error["retry"] is True
    assert error["message"].startswith("L'assistant ne peut pas répondre pour le moment")
    books = Books.read()
    books.assert_balanced()
    # One record of the failed question: no provider answered, nothing charged.
    assert books.records == [("", "error", 0, 0, False, 0)]
    assert_answers_normally(resident_client, fake, config)
