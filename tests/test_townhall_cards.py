"""Answer cards: published by the comms team as knowledge documents, put first by retrieval
when they match, shown with their kind and date, dropped once expired or withdrawn."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from knowledge import retrieval
from knowledge.demo import load_demo_town
from knowledge.models import Chunk, Document
from knowledge.prompt import assemble
from knowledge.retrieval import CARD_SHARE, Passage, cards_first
from tests.support.documents import add_pdf_document
from townhall.cards import publish
from townhall.models import AnswerCard, LogEntry, Service, TownRequest

# Publishing a card queues its document's ingestion: run inline even with a real broker.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

HENS = (
    "Peut-on élever des poules dans son jardin ?",
    "Oui. À Port-Lumière, vous pouvez avoir jusqu'à 10 poules sans déclaration. Le poulailler "
    "doit être à plus de 10 mètres des habitations voisines et tenu propre.",
)
FRIDGE = (
    "Où jeter un vieux réfrigérateur ?",
    "Un réfrigérateur se dépose gratuitement à la déchetterie des Salines, ou il est repris par "
    "le magasin qui vous en vend un neuf. Ne le laissez jamais sur le trottoir.",
)
DOGS = (
    "Les chiens sont-ils autorisés sur la plage en hiver ?",
    "Oui, du 1er octobre au 31 mars, les chiens tenus en laisse sont acceptés sur toutes les "
    "plages. Ramassez toujours leurs déjections.",
)
# Questions each card answers, in other words.
ASKED_AGAIN = {
    HENS[0]: [
        "J'aimerais installer un poulailler chez moi, est-ce autorisé ?",
        "Ai-je le droit d'avoir des poules ?",
        "Combien de poules puis-je garder dans mon jardin ?",
        "Est-ce que je peux avoir un poulailler ?",
    ],
    FRIDGE[0]: [
        "Mon congélateur ne marche plus, où le jeter ?",
        "Le réfrigérateur de ma mère est cassé, qui le récupère ?",
    ],
    DOGS[0]: [
        "Puis-je promener mon chien sur la plage en décembre ?",
        "Mon chien peut-il venir à la plage l'hiver ?",
    ],
}
# Questions the town's documents answer, some in words close to a card's.
FOR_DOCUMENTS = [
    "Les chiens sont-ils interdits sur la plage en été ?",
    "Les chiens peuvent-ils aller à la plage des Dunes en juillet ?",
    "Où est la déchetterie des Salines ?",
    "Quels sont les horaires de la déchetterie ?",
    "Combien coûte un composteur ?",
    "Où déposer mes déchets verts du jardin ?",
    "Quels sont les horaires de la médiathèque ?",
    "Comment refaire ma carte d'identité ?",
    "Où se garer près de la plage ?",
    "Quand passent les encombrants ?",
    "La plage est-elle surveillée en juillet ?",
    "Quels déchets vont dans la poubelle jaune ?",
]


@pytest.fixture
def waste(db):
    # get_or_create: a transactional test run before may have flushed the seeded services.
    return Service.objects.get_or_create(name="Déchets et propreté")[0]


@pytest.fixture
def publish_now(django_capture_on_commit_callbacks, marius, waste):
    """Publish a card and read its document at once (the commit runs the ingestion)."""

    def make(question, answer, days=30) -> AnswerCard:
        valid_until = timezone.localdate() + dt.timedelta(days=days)
        card = AnswerCard(question=question, answer=answer, service=waste, valid_until=valid_until)
        with django_capture_on_commit_callbacks(execute=True):
            publish(card, marius)
        card.document.refresh_from_db()
        return card

    return make


def titles(query: str) -> list[str]:
    return [passage.title for passage in retrieval.search(query, 5)]


def test_it_publishes_a_card_as_a_document_the_knowledge_app_indexes(publish_now):
    card = publish_now(*HENS, days=60)
    doc = card.document
    assert doc.kind == Document.Kind.ANSWER_CARD and doc.status == Document.Status.READY
    assert doc.title == HENS[0]
    assert doc.valid_until == timezone.localdate() + dt.timedelta(days=60)
    [chunk] = Chunk.objects.filter(document=doc)
    assert "jusqu'à 10 poules" in chunk.text
    assert LogEntry.objects.get().action == "card"


def test_it_puts_a_matching_card_first_and_leaves_documents_first_otherwise(publish_now):
    load_demo_town()
    for question, answer in (HENS, FRIDGE, DOGS):
        publish_now(question, answer)
    for card, questions in ASKED_AGAIN.items():
        for question in questions:
            assert titles(question)[0] == card, question
    cards = {HENS[0], FRIDGE[0], DOGS[0]}
    for question in FOR_DOCUMENTS:
        assert titles(question)[0] not in cards, question


def test_it_gives_a_card_first_place_only_when_it_scores_close_to_the_best():
    def passage(n, score, kind="faq"):
        return Passage(n, n, f"t{n}", "", None, "", "", score, kind=kind)

    close = [passage(1, 1.0), passage(2, CARD_SHARE, "answer_card"), passage(3, 0.5)]
    assert [p.chunk_id for p in cards_first(close)] == [2, 1, 3]
    below = [passage(1, 1.0), passage(2, CARD_SHARE - 0.01, "answer_card"), passage(3, 0.5)]
    assert [p.chunk_id for p in cards_first(below)] == [1, 2, 3]
    assert cards_first([]) == []


def test_it_marks_a_card_passage_with_its_kind_and_date_in_the_prompt(publish_now):
    add_pdf_document("Magazine", ["Les poules du jardin public sont nourries par la ville."])
    publish_now(*HENS)
    request = assemble("Ai-je le droit d'avoir des poules ?", [], timezone.localdate())
    first = request.passages[0]
    assert first.kind == "answer_card" and first.dated == timezone.localdate()
    assert first.title == HENS[0] and "10 poules" in request.system
    assert request.passages[1].kind == "magazine"


def test_it_quotes_a_matching_card_whole_in_the_offline_answer(publish_now):
    load_demo_town()
    sentences = [
        "Vous pouvez avoir jusqu'à 10 poules sans déclaration.",
        "Le poulailler doit être à plus de 10 mètres des habitations voisines.",
        "Nettoyez-le chaque semaine pour éviter les odeurs.",
        "Les coqs sont déconseillés en centre-ville à cause du bruit le matin.",
    ]
    publish_now(HENS[0], " ".join(sentences))
    request = assemble("Combien de poules puis-je garder ?", [], timezone.localdate())
    quoted = " ".join(unit.text for unit in request.extract().units)
    # Every sentence of the validated answer, in its order: not only the closest one.
    assert [quoted.find(sentence) for sentence in sentences] == sorted(
        quoted.find(sentence) for sentence in sentences
    )
    assert all(sentence in quoted for sentence in sentences), quoted


def test_it_drops_an_expired_card_like_an_expired_document(publish_now):
    publish_now(*HENS, days=3)
    question = "Ai-je le droit d'avoir des poules ?"
    assert titles(question) == [HENS[0]]
    in_four_days = timezone.localdate() + dt.timedelta(days=4)
    assert retrieval.search(question, 5, in_four_days) == []


def test_it_lets_comms_publish_a_sent_reply_as_a_card_and_withdraw_it(
    marius, waste, django_capture_on_commit_callbacks
):
    row = TownRequest.objects.create(
        question="Bonjour, je voudrais avoir des poules, c'est permis ?",
        reply="Oui, jusqu'à 10 poules sans déclaration.",
        status="replied",
        handled_at=timezone.now(),
        due_on=timezone.localdate(),
        service=waste,
    )
    client = Client()
    client.force_login(marius)
    form = client.get(f"/townhall/cards/new/?from={row.pk}").content.decode()
    assert "jusqu&#x27;à 10 poules sans déclaration." in form  # the reply, ready to edit
    assert "Publier la demande" in client.get("/townhall/cards/").content.decode()
    until = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    data = {"question": HENS[0], "answer": HENS[1], "service": waste.pk, "valid_until": until}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/townhall/cards/new/", {**data, "source": row.pk})
    assert response.status_code == 302
    card = AnswerCard.objects.get()
    assert card.source_request == row and card.published_by == marius
    assert titles("Ai-je le droit d'avoir des poules ?") == [HENS[0]]
    page = client.get("/townhall/cards/").content.decode()
    assert "<strong>en service</strong>" in page
    assert "Publier la demande" not in page  # published: no longer offered

    client.post(f"/townhall/cards/{card.pk}/withdraw")
    card.refresh_from_db()
    assert card.withdrawn_at is not None and card.document.status == "retired"
    assert titles("Ai-je le droit d'avoir des poules ?") == []
    actions = list(LogEntry.objects.values_list("action", flat=True))
    assert actions == ["uncard", "card"]


def test_it_refuses_a_card_that_has_already_ended_or_has_no_service(marius):
    client = Client()
    client.force_login(marius)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    data = {"question": HENS[0], "answer": HENS[1], "service": "", "valid_until": yesterday}
    page = client.post("/townhall/cards/new/", data).content.decode()
    assert "La date de fin doit être aujourd&#x27;hui ou plus tard." in page
    assert AnswerCard.objects.count() == 0 and Document.objects.count() == 0
