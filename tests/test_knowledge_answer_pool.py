"""The offline answer's wider pool: further passages, their sources, the section score."""

import datetime as dt
import json

import pytest

from knowledge import coverage, extractive, prompt
from knowledge.citations import sources_of
from knowledge.demo import load_demo_town
from knowledge.models import Chunk
from knowledge.prompt import assemble, merge_sources
from knowledge.retrieval import search
from knowledge.units import Unit, units_of
from knowledge.windows import pool
from tests.support.answers import parse_sse
from tests.support.documents import add_document

TODAY = dt.date(2026, 11, 2)
QUESTION = "Se débarrasser de meubles encombrants : qui appeler ?"
PICKUP = """# Collecte des déchets

## Les encombrants

Les encombrants sont enlevés devant chez vous, sur rendez-vous, deux fois par an.

- meubles et matelas ;
- gros électroménager.
"""
PHONE = """# Allô Propreté

## Nous joindre

Pour les encombrants, appelez Allô Propreté au 05 00 00 40 00.

- du lundi au vendredi ;
- de 8 h 30 à 17 h.
"""


@pytest.fixture
def two_documents():
    pickup = add_document(PICKUP.encode(), "collecte.md", title="Collecte des déchets")
    phone = add_document(PHONE.encode(), "proprete.md", title="Allô Propreté")
    return pickup, phone


def _passages(question, document):
    return [p for p in search(question, 10, TODAY) if p.document_id == document.pk]


@pytest.mark.django_db
def test_it_answers_from_a_further_passage_and_cites_it_by_the_next_number(two_documents):
    pickup, phone = two_documents
    found, more = _passages(QUESTION, pickup), _passages(QUESTION, phone)
    merged = merge_sources(found)
    alone = extractive.extract(QUESTION, found, list(merged))
    assert alone.covered and not any("40 00" in u.text for u in alone.units)

    shown = list(merged)
    extraction = extractive.extract(
        QUESTION, found, shown, lambda: (more, merge_sources([*found, *more]))
    )
    quoted = [u for u in extraction.units if "05 00 00 40 00" in u.text]
    assert quoted and quoted[0].source == len(merged) + 1
    assert shown[-1].document_id == phone.pk and len(shown) == len(merged) + 1
    assert (len(shown), "Allô Propreté — Nous joindre", None) in extraction.sources
    assert extraction.confidence == alone.confidence  # calibrated on the prompt's passages


@pytest.mark.django_db
def test_it_reads_each_unit_once_and_keeps_the_lists_apart(two_documents):
    pickup, phone = two_documents
    found, more = _passages(QUESTION, pickup), _passages(QUESTION, phone)
    sources = merge_sources([*found, *more])
    units, core = pool(found, merge_sources(found), found + more, sources)
    keys = [(u.source, u.heading, u.text) for u in units]
    assert len(keys) == len(set(keys)) and 0 < core < len(units)
    items = [u for u in units if u.kind == "item"]
    first = {u.list_id for u in items if u.source == 1}
    second = {u.list_id for u in items if u.source == 2}
    assert first and second and not first & second
    assert [u.order for u in units] == list(range(len(units)))


@pytest.mark.django_db
def test_it_searches_the_wider_pool_only_when_the_offline_answer_is_made(
    two_documents, settings, monkeypatch
):
    pickup, phone = two_documents
    settings.KNOWLEDGE_PASSAGES = 1
    calls = []
    real = prompt.search
    monkeypatch.setattr(prompt, "search", lambda *a: calls.append(a[1]) or real(*a))
    request = assemble(QUESTION, [], TODAY)
    assert calls == [1] and [p.document_id for p in request.passages] == [pickup.pk]
    extraction = request.extract()
    assert calls == [1, extractive.POOL_PASSAGES]
    assert [p.document_id for p in request.passages] == [pickup.pk, phone.pk]
    answer = " ".join(f"{u.text} [{u.source}]" for u in extraction.units)
    listed = sources_of(request.passages, answer)
    assert "05 00 00 40 00. [2]" in answer and {s["n"] for s in listed} == {1, 2}


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_it_lists_a_further_source_in_the_chat_with_its_ids(
    two_documents, settings, resident_client
):
    pickup, phone = two_documents
    settings.KNOWLEDGE_PASSAGES = 1
    body = {"message": QUESTION, "history": [], "language": "fr"}
    response = resident_client.post("/chat/ask", json.dumps(body), content_type="application/json")
    events = parse_sse(b"".join(response).decode())
    answer = "".join(p["text"] for name, p in events if name == "chunk")
    sources = dict(events)["sources"]
    assert "05 00 00 40 00. [2]" in answer and sources["provider"] == "offline"
    further = [s for s in sources["sources"] if s["n"] == 2]
    assert further and further[0]["document"] == phone.pk
    assert further[0]["title"] == "Allô Propreté — Nous joindre"


@pytest.mark.django_db
def test_it_gives_the_same_not_covered_with_or_without_the_wider_pool(two_documents):
    question = "Écrivez-moi un poème sur l'automne et les feuilles mortes."
    found = search(question, 5, TODAY) or search(QUESTION, 1, TODAY)
    merged = merge_sources(found)
    everything = search(QUESTION, 10, TODAY)
    wider = extractive.extract(
        question, found, list(merged), lambda: (everything, merge_sources(found + everything))
    )
    alone = extractive.extract(question, found, list(merged))
    assert wider.covered is alone.covered is False
    assert wider.confidence == alone.confidence < coverage.THRESHOLD


def _scored(text, section, lexical):
    unit = Unit(text, "sentence", heading=f"Guide > {section}", source=1)
    return extractive.Scored(unit, lexical=lexical, kind=0.0, prior=0.0)


@pytest.mark.django_db
def test_it_prefers_a_sentence_of_the_section_that_answers():
    units = [
        _scored("Le badge se retire à l'accueil.", "Déchetterie", 0.9),
        _scored("Apportez un justificatif de domicile.", "Déchetterie", 0.3),
        _scored("Le marché a lieu le mardi.", "Marché", 0.35),
    ]
    words_only = extractive.Weights(dense=0.0, kind=0.0, section=0.0)
    with_section = extractive.Weights(dense=0.0, kind=0.0, section=1.0)
    order = [s.unit.text for s in extractive.rank("Badge ?", list(units), words_only)]
    assert order[1:] == ["Le marché a lieu le mardi.", "Apportez un justificatif de domicile."]
    order = [s.unit.text for s in extractive.rank("Badge ?", list(units), with_section)]
    assert order[1:] == ["Apportez un justificatif de domicile.", "Le marché a lieu le mardi."]


def test_it_weighs_the_search_s_choice_for_units_under_no_heading_only():
    def found(text, heading, source, prior):
        return extractive.Scored(Unit(text, "sentence", heading, source=source), 0.5, 0.0, prior)

    text = "La demande se fait en ligne."  # the same sentence in two documents
    plain = [found(text, "", 1, 0.4), found(text, "", 2, 1.0)]
    assert [s.unit.source for s in extractive.rank("La demande ?", plain)] == [2, 1]
    # under a heading, the section score decides, not the passage the search put first
    headed = [found(text, "Carte grise", 1, 0.4), found(text, "Carte grise", 2, 1.0)]
    no_prior = extractive.Weights(prior=0.0)
    scores = [s.score for s in extractive.rank("La demande ?", headed)]
    assert scores == [s.score for s in extractive.rank("La demande ?", headed, no_prior)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "question",
    [
        "J'ai 72 ans et ma femme en a 66, elle peut venir au repas des aînés ? Elle devra payer ?",
        "Où et quand a lieu l'atelier mémoire ?",
        "Quand Madame la Maire reçoit-elle, et quel numéro appeler pour un rendez-vous ?",
    ],
)
def test_it_opens_each_source_on_the_chunk_it_quotes(question):
    load_demo_town()
    request = assemble(question, [], TODAY)
    extraction = request.extract()
    assert extraction.covered
    first = {}
    for unit in extraction.units:
        first.setdefault(unit.source, unit.text)
    for number, text in first.items():
        chunk = Chunk.objects.get(pk=request.passages[number - 1].chunk_id)
        if chunk.page is None:  # a PDF page's units span its chunks
            said = [u.text for u in units_of(chunk.text, heading=chunk.heading)]
            assert text in said, (number, text)
