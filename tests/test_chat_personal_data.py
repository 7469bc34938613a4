"""The chat's personal-data check: POST /chat/check for the page, and the same check enforced
on /chat/ask (409 until the resident chose), never logging the text."""

import json
import logging

import pytest

from arcachat import personaldata
from tests.support.answers import parse_sse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]

JEANNE = "Bonjour, je suis Jeanne Martin, 12 rue du Port, quand a lieu le marché ?"


def check(client, text, **extra):
    body = json.dumps({"text": text, "language": "fr", **extra})
    return client.post("/chat/check", body, content_type="application/json")


def ask(client, message, **extra):
    body = {"message": message, "history": [], "language": "fr", **extra}
    return client.post("/chat/ask", json.dumps(body), content_type="application/json")


def test_it_finds_a_name_and_an_address_for_the_page(resident_client):
    response = check(resident_client, JEANNE)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    found = response.json()
    assert found["kinds"] == ["person", "address"]
    spans = [JEANNE[f["start"] : f["end"]] for f in found["findings"]]
    assert spans == ["Jeanne Martin", "12 rue du Port"]
    assert found["masked"] == (
        "Bonjour, je suis [nom masqué], [adresse masquée], quand a lieu le marché ?"
    )


def test_it_counts_offsets_as_javascript_does_after_an_emoji(resident_client):
    text = "🙂🙂 je suis Jeanne Martin"
    finding = check(resident_client, text).json()["findings"][0]
    utf16 = text.encode("utf-16-le")
    assert utf16[2 * finding["start"] : 2 * finding["end"]].decode("utf-16-le") == "Jeanne Martin"


def test_it_finds_nothing_in_a_question_about_the_town(resident_client):
    found = check(resident_client, "Où est la rue de la Mairie ? Le marché place du Port ?").json()
    assert found["findings"] == [] and found["kinds"] == []


@pytest.mark.security
def test_it_checks_only_for_a_signed_in_resident(client):
    assert check(client, JEANNE).status_code == 401


@pytest.mark.parametrize("body", [{"text": 3}, {"text": "x" * 2001}, {}])
def test_it_refuses_what_is_not_a_question_to_check(resident_client, body):
    response = resident_client.post(
        "/chat/check", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"] == "bad_request"


@pytest.mark.security
def test_it_limits_how_often_a_code_checks(resident_client, monkeypatch):
    monkeypatch.setattr(personaldata, "CHECK_RATE", "2/m")
    assert [check(resident_client, "Bonjour").status_code for _ in range(3)] == [200, 200, 429]


def test_it_says_when_the_check_cannot_run(resident_client, monkeypatch):
    def broken(text, language):
        raise RuntimeError("model missing")

    monkeypatch.setattr(personaldata.pii, "check", broken)
    response = check(resident_client, JEANNE)
    assert response.status_code == 503 and response.json()["error"] == "unavailable"


@pytest.mark.security
def test_it_refuses_to_forward_a_name_the_resident_did_not_choose_to_send(
    resident_client, town, fake_llm
):
    response = ask(resident_client, JEANNE)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "personal_data" and body["kinds"] == ["person", "address"]
    assert body["masked"].startswith("Bonjour, je suis [nom masqué]")
    assert "informations personnelles" in body["message"]
    assert len(fake_llm.requests) == 0
    # Any value other than the two choices is no choice.
    assert ask(resident_client, JEANNE, personal_data="yes").status_code == 409
    assert len(fake_llm.requests) == 0


@pytest.mark.parametrize("choice", ["masked", "kept"])
def test_it_answers_once_the_resident_chose(resident_client, town, fake_llm, choice):
    response = ask(resident_client, JEANNE, personal_data=choice)
    events = parse_sse(b"".join(response).decode())
    assert [name for name, _ in events][-1] == "done"
    assert len(fake_llm.requests) == 1


def test_it_answers_a_question_without_personal_data_at_once(resident_client, town, fake_llm):
    events = parse_sse(b"".join(ask(resident_client, "Quand a lieu le marché ?")).decode())
    assert [name for name, _ in events][-1] == "done"


def test_it_lets_a_question_through_when_the_check_cannot_run(
    resident_client, town, fake_llm, monkeypatch, caplog
):
    def broken(text, language):
        raise RuntimeError(f"cannot read {text}")

    monkeypatch.setattr(personaldata.pii, "check", broken)
    response = ask(resident_client, JEANNE)
    assert response.status_code == 200  # the page's own check ran before sending
    b"".join(response)
    assert "RuntimeError" in caplog.text and "Jeanne" not in caplog.text


@pytest.mark.security
def test_it_never_logs_the_checked_text(resident_client, town, fake_llm, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    check(resident_client, "Je suis Zorglub Quintanilla, 7 impasse des Mouettes")
    ask(resident_client, "Je suis Zorglub Quintanilla, 7 impasse des Mouettes")
    logged = caplog.text + "".join(capfd.readouterr())
    assert "Zorglub" not in logged and "Mouettes" not in logged


def test_it_loads_the_guard_when_the_app_starts(monkeypatch):
    from arcachat import asgi

    checked = []
    monkeypatch.setattr(asgi.pii, "check", lambda text, language: checked.append(language))
    asgi.warm_up()
    assert checked == ["fr"]  # the model is in memory before the first resident's question


@pytest.mark.security
def test_it_trusts_its_own_clear_check_of_the_same_text_only(
    resident_client, resident, monkeypatch, town
):
    """A "nothing found" from /chat/check spares /chat/ask a second run of the model, for that
    code and that very text only: any other text, code or a forged token is checked again."""
    question = "Quand a lieu le marché ?"
    clear = check(resident_client, question).json()["clear"]
    runs = []
    real = personaldata.pii.check
    monkeypatch.setattr(personaldata.pii, "check", lambda *a: runs.append(a) or real(*a))
    assert ask(resident_client, question, checked=clear).status_code == 200
    assert runs == []  # trusted: checked once, by /chat/check
    assert ask(resident_client, JEANNE, checked=clear).status_code == 409  # another text
    assert ask(resident_client, question, checked=clear + "x").status_code == 200
    assert len(runs) == 2  # both checked again
    other = personaldata.clearance(resident.pk + 1, question)  # another code's clearance
    assert ask(resident_client, question, checked=other).status_code == 200 and len(runs) == 3
    assert "clear" not in check(resident_client, JEANNE).json()  # nothing vouched for


def test_it_lets_a_clearance_expire(resident, monkeypatch):
    token = personaldata.clearance(resident.pk, "Quand a lieu le marché ?")
    assert personaldata.is_cleared(token, resident.pk, " Quand a lieu le marché ? ")
    monkeypatch.setattr(personaldata, "CLEAR_SECONDS", -1)
    assert not personaldata.is_cleared(token, resident.pk, "Quand a lieu le marché ?")
