"""Residents' requests to the town hall: preview with the personal-data guard, the resident's
choice, sending, listing, deleting, "My requests", the notice of new replies; each code sees
only its own requests on every endpoint."""

import datetime as dt
import json

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone

from accesscodes.models import AccessCode
from townhall.models import AI_MENTION, TownRequest
from townhall.workdays import add_working_days, due_date

pytestmark = pytest.mark.django_db

PREVIEW, SEND, LIST = "/requests/api/preview", "/requests/api/send", "/requests/api/"
NAMED = "👋 Je suis Jeanne Martin, quand passent les encombrants rue des Mouettes ?"


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def signed_in(code: AccessCode, plain: str) -> Client:
    client = Client()
    assert client.post("/signin", {"code": plain})["Location"] == "/chat/"
    return client


@pytest.fixture
def other_client(db):
    """A second resident, with a code of their own."""
    code, plain = AccessCode.issue()
    client = signed_in(code, plain)
    client.code = code
    return client


def utf16_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's text.slice(start, end) gives."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def test_it_previews_exactly_what_would_be_sent_with_utf16_offsets(resident_client):
    answer = "Les encombrants passent le 1er mardi du mois. Bonjour Jeanne Martin !"
    body = {"question": NAMED, "answer": answer, "include_answer": True}
    data = post_json(resident_client, PREVIEW, body).json()
    assert data["kinds"] == ["person"]
    [found] = data["question"]["findings"]
    assert utf16_slice(NAMED, found["start"], found["end"]) == "Jeanne Martin"
    assert data["question"]["masked"] == NAMED.replace("Jeanne Martin", "[nom masqué]")
    assert data["question"]["text"] == NAMED
    # In the answer, the name the question holds is found where it is repeated.
    [echo] = data["answer"]["findings"]
    assert utf16_slice(answer, echo["start"], echo["end"]) == "Jeanne Martin"
    assert "le nom d'une personne" in data["warning"]
    assert TownRequest.objects.count() == 0  # a preview stores nothing


def test_it_does_not_take_the_town_halls_own_numbers_in_an_answer_for_personal_data(
    resident_client,
):
    answer = "Appelez la mairie au 05 00 00 10 00, 1 place de la Mairie."
    body = {"question": "Où jeter un frigo ?", "answer": answer, "include_answer": True}
    data = post_json(resident_client, PREVIEW, body).json()
    assert data["kinds"] == [] and data["warning"] == ""
    assert data["answer"] == {"text": answer, "masked": answer, "findings": []}


def test_it_refuses_to_send_personal_data_before_the_resident_chose(resident_client):
    response = post_json(resident_client, SEND, {"question": NAMED})
    assert response.status_code == 409
    assert response.json()["error"] == "choose"
    assert TownRequest.objects.count() == 0


def test_it_stores_the_masked_texts_when_the_resident_chooses_to_mask(resident_client, resident):
    answer = "Bonjour Jeanne Martin, les encombrants passent le mardi."
    body = {"question": NAMED, "answer": answer, "include_answer": True, "personal_data": "mask"}
    response = post_json(resident_client, SEND, body)
    assert response.status_code == 201, response.content
    row = TownRequest.objects.get()
    assert row.code == resident
    assert "Jeanne Martin" not in row.question + row.answer
    assert row.question.startswith("👋 Je suis [nom masqué], quand")
    assert row.answer == "Bonjour [nom masqué], les encombrants passent le mardi."


def test_it_stores_the_text_as_written_when_the_resident_keeps_it(resident_client):
    body = {"question": NAMED, "personal_data": "keep"}
    assert post_json(resident_client, SEND, body).status_code == 201
    assert TownRequest.objects.get().question == NAMED.strip()


def test_it_sends_a_plain_question_due_five_working_days_later(resident_client, settings):
    settings.TOWNHALL_REPLY_WORKDAYS = 5
    body = {"question": "Où déposer un vieux frigo ?", "answer": "Rien trouvé."}
    response = post_json(resident_client, SEND, body)
    assert response.status_code == 201
    row = TownRequest.objects.get()
    assert row.answer == ""  # not included: include_answer was not set
    assert row.due_on == add_working_days(timezone.localdate(), 5)
    assert response.json()["request"]["status"] == "open"
    assert f"n° {row.pk}" in response.json()["message"]


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (dt.date(2027, 3, 1), 5, dt.date(2027, 3, 8)),  # Monday -> next Monday
        (dt.date(2027, 3, 5), 5, dt.date(2027, 3, 12)),  # Friday -> next Friday
        (dt.date(2027, 3, 6), 1, dt.date(2027, 3, 8)),  # Saturday -> Monday
        (dt.date(2027, 3, 4), 2, dt.date(2027, 3, 8)),  # Thursday -> Monday
    ],
)
def test_it_counts_due_dates_in_working_days(start, days, due):
    assert add_working_days(start, days) == due


def test_it_reads_the_due_days_from_the_setting(settings):
    settings.TOWNHALL_REPLY_WORKDAYS = 10
    assert due_date(dt.date(2027, 3, 1)) == dt.date(2027, 3, 15)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps(["a list"]),
        json.dumps({"question": 42}),
        json.dumps({"question": "   "}),
        json.dumps({"question": "x" * 2001}),
        json.dumps({"question": "ok", "answer": "y" * 6001, "include_answer": True}),
        json.dumps({"question": "ok", "personal_data": "sometimes"}),
    ],
)
def test_it_refuses_a_body_that_is_not_a_request_with_a_plain_sentence(resident_client, body):
    for url in (PREVIEW, SEND):
        response = resident_client.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["message"]
    assert TownRequest.objects.count() == 0


def test_it_refuses_signed_out_and_blocked_residents_as_json(resident_client, resident):
    anonymous = Client()
    for url in (PREVIEW, SEND):
        response = post_json(anonymous, url, {"question": "Bonjour"})
        assert response.status_code == 401 and response.json()["error"] == "signed_out"
    assert anonymous.get(LIST).status_code == 401
    resident.set_status(AccessCode.Status.SUSPENDED)
    response = post_json(resident_client, SEND, {"question": "Bonjour"})
    assert response.status_code == 403 and response.json()["error"] == "code_inactive"
    assert TownRequest.objects.count() == 0


def test_it_rate_limits_a_codes_posts(resident_client, other_client, settings):
    settings.TOWNHALL_RATE = "2/h"
    assert post_json(resident_client, PREVIEW, {"question": "un"}).status_code == 200
    assert post_json(resident_client, PREVIEW, {"question": "deux"}).status_code == 200
    refused = post_json(resident_client, SEND, {"question": "trois"})
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    assert TownRequest.objects.count() == 0
    assert post_json(other_client, PREVIEW, {"question": "un"}).status_code == 200  # per code


def test_it_caps_the_requests_waiting_for_a_reply(resident_client, settings):
    settings.TOWNHALL_MAX_OPEN = 2
    for n in range(2):
        assert post_json(resident_client, SEND, {"question": f"Question {n}"}).status_code == 201
    refused = post_json(resident_client, SEND, {"question": "Encore une"})
    assert refused.status_code == 429 and refused.json()["error"] == "too_many"
    TownRequest.objects.filter(question="Question 0").update(status="replied")
    assert post_json(resident_client, SEND, {"question": "Encore une"}).status_code == 201


def send(client, question="Où déposer un vieux frigo ?") -> int:
    response = post_json(client, SEND, {"question": question})
    assert response.status_code == 201
    return response.json()["request"]["id"]


def test_it_never_shows_a_request_to_another_code_on_any_endpoint(resident_client, other_client):
    mine = send(resident_client, "La question du premier habitant")
    theirs = send(other_client, "La question du second habitant")

    listed = resident_client.get(LIST).json()["requests"]
    assert [item["id"] for item in listed] == [mine]
    page = resident_client.get("/requests/").content.decode()
    assert "premier habitant" in page and "second habitant" not in page

    # Deleting another code's request: not found, and it is still there.
    assert resident_client.post(f"/requests/api/{theirs}/delete").status_code == 404
    assert resident_client.post(f"/requests/{theirs}/delete").status_code == 404
    assert TownRequest.objects.filter(pk=theirs).exists()
    assert [item["id"] for item in other_client.get(LIST).json()["requests"]] == [theirs]

    # Each may delete their own, through the API or the page's button.
    assert resident_client.post(f"/requests/api/{mine}/delete").json() == {"deleted": mine}
    response = other_client.post(f"/requests/{theirs}/delete")
    assert response.status_code == 302 and response["Location"] == "/requests/"
    assert TownRequest.objects.count() == 0


def reply_to(pk: int, text: str, ai: bool):
    TownRequest.objects.filter(pk=pk).update(
        status="replied", reply=text, ai_assisted=ai, handled_at=timezone.now()
    )


def test_it_shows_the_reply_with_the_mention_and_then_counts_it_as_read(resident_client):
    pk = send(resident_client)
    page = resident_client.get("/requests/").content.decode()
    assert "En attente de réponse" in page and "Réponse attendue au plus tard le" in page
    reply_to(pk, "La déchetterie reprend les frigos gratuitement.", ai=True)
    assert resident_client.get(LIST).json()["unread"] == 1
    page = resident_client.get("/requests/").content.decode()
    assert "La déchetterie reprend les frigos gratuitement." in page
    assert (
        "Réponse de la mairie, préparée avec l&#x27;aide de l&#x27;IA et relue par un agent" in page
    )
    assert "Nouveau" in page
    assert resident_client.get(LIST).json()["unread"] == 0
    assert "Nouveau" not in resident_client.get("/requests/").content.decode()


def test_it_shows_no_mention_under_a_reply_written_without_a_draft(resident_client, english):
    pk = send(resident_client)
    reply_to(pk, "Written by hand.", ai=False)
    [item] = resident_client.get(LIST).json()["requests"]
    assert item["reply"] == "Written by hand." and item["mention"] == ""
    reply_to(pk, "Written from a draft.", ai=True)
    [item] = resident_client.get(LIST).json()["requests"]
    assert item["mention"] == str(AI_MENTION)


def test_it_notices_a_new_reply_after_sign_in_until_it_is_read(resident, resident_client):
    pk = send(resident_client)
    reply_to(pk, "Voici la réponse.", ai=False)
    client = Client()
    client.post("/signin", {"code": resident.plain})  # the resident comes back
    landing = client.get("/").content.decode()
    assert "La mairie a répondu à votre demande." in landing
    assert 'href="/requests/"' in landing
    client.get("/requests/")
    assert "La mairie a répondu" not in client.get("/").content.decode()


def render_partial(name: str, client) -> str:
    """A partial the chat page includes, rendered for the signed-in resident of `client`."""
    request = RequestFactory().get("/chat/")
    request.session = client.session
    return Template('{% include "' + name + '" %}').render(Context({"request": request}))


def test_it_gives_the_chat_a_widget_with_the_notice_dialog_and_settings(resident_client):
    reply_to(send(resident_client), "Voici.", ai=False)
    html = render_partial("townhall/_chat_widget.html", resident_client)
    assert 'id="townhall-notice"' in html and 'id="ask-town"' in html
    assert "js/ask-town.js" in html and 'id="townhall-config"' in html
    script = html.split('id="townhall-config" type="application/json">')[1]
    config = json.loads(script.split("<")[0])
    assert config["preview_url"] == PREVIEW and config["send_url"] == SEND
    assert 0 < config["low_confidence"] < 1
    menu = render_partial("townhall/_chat_menu.html", resident_client)
    assert 'href="/requests/"' in menu and "1 nouvelle réponse" in menu
