"""Residents' opinions on answers: the signed token of an answer, one anonymous vote per
answer, and the comms team's page of rates per day and per cited document."""

import datetime as dt
import json
import secrets
import time

import pytest
from django.core import serializers, signing
from django.utils import timezone

from arcachat import feedback
from knowledge.models import Document, Feedback

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def documents(db):
    return [Document.objects.create(title=t, status="ready") for t in ("Magazine", "Agenda")]


def token_for(docs, provider="openai_compatible"):
    return feedback.answer_token(
        [{"n": i + 1, "document": d.pk} for i, d in enumerate(docs)], provider
    )


def vote(client, token, rating="down", reason="", **extra):
    body = {"token": token, "rating": rating, "reason": reason, "language": "fr", **extra}
    return client.post("/chat/feedback", json.dumps(body), content_type="application/json")


def test_it_records_an_anonymous_vote_with_the_cited_documents(resident_client, documents):
    response = vote(resident_client, token_for(documents), "down", "outdated")
    assert response.status_code == 200 and response.json() == {"ok": True}
    row = Feedback.objects.get()
    assert (row.rating, row.reason, row.provider) == ("down", "outdated", "openai_compatible")
    assert row.day == timezone.localdate()
    assert set(row.documents.all()) == set(documents)
    stored = json.loads(serializers.serialize("json", [row]))[0]["fields"]
    assert set(stored) == {"answer", "day", "rating", "reason", "documents", "provider"}


def test_it_keeps_one_vote_per_answer_the_last_choice_counting(resident_client, documents):
    token = token_for(documents[:1])
    vote(resident_client, token, "down")
    vote(resident_client, token, "down", "unclear")
    vote(resident_client, token, "up")
    row = Feedback.objects.get()
    assert (row.rating, row.reason) == ("up", "")
    vote(resident_client, token_for(documents[:1]), "up")  # another answer, another vote
    assert Feedback.objects.count() == 2


@pytest.mark.security
@pytest.mark.parametrize(
    "token",
    [
        "forged",
        signing.dumps({"a": "x", "d": [1], "p": "offline"}, salt="another.salt"),
        "",
        None,
    ],
)
def test_it_refuses_a_vote_without_a_token_the_server_issued(resident_client, documents, token):
    response = vote(resident_client, token)
    assert response.status_code == 400
    assert Feedback.objects.count() == 0


@pytest.mark.security
def test_it_refuses_a_token_older_than_a_day(resident_client, documents, monkeypatch):
    then = time.time() - feedback.TOKEN_SECONDS - 60
    monkeypatch.setattr(signing.time, "time", lambda: then)
    old = token_for(documents)
    monkeypatch.undo()
    assert vote(resident_client, old).status_code == 400


@pytest.mark.parametrize(("rating", "reason"), [("meh", ""), ("up", "wrong"), ("down", "rude")])
def test_it_refuses_ratings_and_reasons_off_the_list(resident_client, documents, rating, reason):
    assert vote(resident_client, token_for(documents), rating, reason).status_code == 400


@pytest.mark.security
def test_it_takes_votes_from_signed_in_residents_only(client, documents):
    assert vote(client, token_for(documents)).status_code == 401


@pytest.mark.security
def test_it_limits_how_often_a_code_votes(resident_client, documents, monkeypatch):
    monkeypatch.setattr(feedback, "FEEDBACK_RATE", "2/m")
    codes = [vote(resident_client, token_for(documents)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def _login(client, django_user_model, role):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(f"{role}-user", password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def _votes(doc, day, ratings):
    for rating, reason in ratings:
        row = Feedback.objects.create(
            answer=secrets.token_urlsafe(16), day=day, rating=rating, reason=reason
        )
        row.documents.add(doc)


def test_it_shows_the_comms_team_rates_per_day_and_per_document(
    client, django_user_model, documents
):
    magazine, agenda = documents
    today = timezone.localdate()
    _votes(magazine, today, [("up", ""), ("down", "outdated"), ("down", "outdated")])
    _votes(agenda, today - dt.timedelta(days=1), [("up", ""), ("up", ""), ("up", ""), ("down", "")])
    _votes(agenda, today - dt.timedelta(days=40), [("down", "wrong")])  # outside 30 days
    page = _login(client, django_user_model, "comms").get("/comms/feedback/")
    assert page.status_code == 200
    rows = {r["title"]: r for r in page.context["per_document"]}
    assert (rows["Magazine"]["up"], rows["Magazine"]["down"], rows["Magazine"]["rate"]) == (
        1,
        2,
        33,
    )
    assert (rows["Agenda"]["up"], rows["Agenda"]["down"], rows["Agenda"]["rate"]) == (3, 1, 75)
    assert page.context["per_document"][0]["title"] == "Magazine"  # most "not helpful" first
    assert dict(rows["Magazine"]["reasons"])["Plus à jour"] == 2
    days = {r["day"]: (r["up"], r["down"]) for r in page.context["per_day"]}
    assert days == {today: (1, 2), today - dt.timedelta(days=1): (3, 1)}
    assert page.context["summary"]["rate"] == 57  # 4 of 7
    html = page.content.decode()
    assert "Avis des habitants sur les réponses" in html and "Magazine" in html
    longer = client.get("/comms/feedback/?days=90").context
    assert sum(r["down"] for r in longer["per_day"]) == 4


@pytest.mark.security
def test_it_shows_the_opinions_to_the_comms_team_only(client, django_user_model):
    assert client.get("/comms/feedback/").status_code == 302  # to the staff sign-in
    counter = _login(client, django_user_model, "counter")
    assert counter.get("/comms/feedback/").status_code == 403
