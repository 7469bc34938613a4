"""Comms insight without transcripts: one wordless signal per chat answer, weekly counts,
weak topics, the cards that answered; and the page the comms team reads."""

import datetime as dt
import json

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from knowledge.retrieval import Passage
from tests.support.answers import parse_sse
from tests.support.documents import add_pdf_document
from townhall import insight
from townhall.models import AnswerCard, AnswerSignal, Service, TownRequest

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]
Level = AnswerSignal.Level


@pytest.fixture(autouse=True)
def _only_this_tests_signals(db):
    """A chat answer is settled on a worker thread's own database connection, which commits:
    on PostgreSQL the signals of earlier tests' answers are still there. Each test here
    counts only its own (the deletion is rolled back with the test)."""
    AnswerSignal.objects.all().delete()


def ask(client, message):
    body = {"message": message, "history": [], "language": "fr"}
    response = client.post("/chat/ask", json.dumps(body), content_type="application/json")
    return parse_sse(b"".join(response).decode())


def test_it_records_a_wordless_signal_when_a_chat_answer_is_settled(resident_client, town):
    question = "Quand a lieu le marché du samedi ?"
    events = ask(resident_client, question)
    assert events[-1][0] == "done" and events[-1][1]["grounded"]
    [signal] = AnswerSignal.objects.all()
    assert signal.week == insight.monday(timezone.localdate())
    assert signal.level in (Level.SURE, Level.LOW)  # the offline answerer's confidence
    assert [topic[0] for topic in signal.topics] == [town.pk]
    stored = json.dumps(list(AnswerSignal.objects.values()), default=str)
    assert "marché" not in stored and "samedi" not in stored


def test_it_counts_the_offline_not_covered_answer_as_not_covered(resident_client, town):
    events = ask(resident_client, "Quelle est la recette de la blanquette de veau ?")
    assert events[-1][1]["grounded"] is False
    assert AnswerSignal.objects.get().level == Level.NOT_COVERED


def test_it_sorts_a_language_models_answers_by_whether_they_rest_on_the_documents(
    resident_client, town, fake_llm
):
    fake_llm.script.chunks = ["Le marché a lieu le samedi matin [1]."]
    ask(resident_client, "Quand a lieu le marché ?")
    fake_llm.script.chunks = ["La blanquette se cuit deux heures."]  # general knowledge
    ask(resident_client, "Comment faire une blanquette ?")
    levels = list(AnswerSignal.objects.order_by("pk").values_list("level", flat=True))
    assert levels == [Level.UNKNOWN, Level.NOT_COVERED]


@pytest.mark.parametrize(
    ("passages", "confidence", "covered", "level"),
    [
        ([], None, None, Level.NOT_COVERED),
        (["p"], 0.9, False, Level.NOT_COVERED),
        (["p"], insight.LOW_CONFIDENCE - 0.01, True, Level.LOW),
        (["p"], insight.LOW_CONFIDENCE, True, Level.SURE),
        (["p"], None, True, Level.UNKNOWN),
    ],
)
def test_it_sorts_answers_by_how_sure_they_were(passages, confidence, covered, level):
    assert insight.level_of(passages, confidence, covered) == level


def test_it_never_lets_a_lost_signal_disturb_the_answer(monkeypatch, caplog):
    def down(**fields):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(AnswerSignal.objects, "create", down)
    insight.record_answer([])  # no exception
    assert "answer signal not recorded" in caplog.text


def passage(doc_id, heading="", title="t"):
    return Passage(doc_id * 10, doc_id, title, heading, None, "texte", "", 1.0)


def test_it_counts_weeks_weak_topics_and_requests_sent(resident):
    today = dt.date(2027, 3, 10)  # a Wednesday
    beaches = add_pdf_document("Plages", ["Les plages sont surveillées en été."])
    insight.record_answer([passage(beaches.pk, "Chiens")], confidence=0.2, today=today)
    insight.record_answer([passage(beaches.pk, "Chiens")], covered=False, today=today)
    insight.record_answer([passage(beaches.pk, "Sécurité")], confidence=0.9, today=today)
    insight.record_answer([], today=today)
    insight.record_answer([passage(beaches.pk)], today=today - dt.timedelta(days=7))
    sent = timezone.make_aware(dt.datetime(2027, 3, 9, 10, 0))
    TownRequest.objects.create(code=resident, question="?", created_at=sent, due_on=today)
    weeks = insight.weeks(today)
    assert len(weeks) == insight.WEEKS_SHOWN and weeks[0].start == dt.date(2027, 3, 8)
    this, last = weeks[0], weeks[1]
    assert (this.sent, this.answers, this.low, this.uncovered) == (1, 4, 1, 2)
    assert (last.answers, last.unknown, last.sent) == (1, 1, 0)
    topics = insight.weak_topics(this.start)
    assert topics == [{"title": "Plages", "section": "Chiens", "count": 2}]
    assert insight.uncovered_without_topic(this.start) == 1


def test_it_counts_the_cards_that_came_first(marius):
    doc = add_pdf_document("Fiche poules", ["Jusqu'à 10 poules sans déclaration."])
    card = AnswerCard.objects.create(
        question="Poules ?",
        answer="Oui.",
        valid_until=timezone.localdate(),
        document=doc,
        service=Service.objects.get_or_create(name="Seniors et solidarité")[0],
    )
    other = add_pdf_document("Magazine", ["Autre chose."])
    insight.record_answer([passage(doc.pk), passage(other.pk)])
    insight.record_answer([passage(doc.pk)])
    insight.record_answer([passage(other.pk), passage(doc.pk)])  # second: not its answer
    since = insight.oldest_shown()
    assert insight.cards_answering(since) == [{"card": card, "count": 2}]


def test_it_shows_the_comms_team_a_week_without_any_conversation(marius, resident):
    TownRequest.objects.create(
        code=resident, question="Peut-on avoir des poules ?", due_on=timezone.localdate()
    )
    beaches = add_pdf_document("Plages et littoral", ["Les chiens sont interdits en été."])
    insight.record_answer([passage(beaches.pk, "Les chiens sur les plages")], covered=False)
    client = Client()
    client.force_login(marius)
    page = client.get("/townhall/insight/").content.decode()
    assert "Peut-on avoir des poules ?" in page  # sent to the town hall by the resident
    assert "Plages et littoral" in page and "Les chiens sur les plages" in page
    assert "Pas encore disponible" in page  # no feedback model on main yet
