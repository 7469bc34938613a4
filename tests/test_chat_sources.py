"""The sources listed under an answer: only those it cites, titled by what it quotes."""

import json

import pytest

from knowledge.citations import cited_numbers, sources_of
from tests.support.answers import parse_sse
from tests.support.documents import add_document

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]
AGENDA = """# Agenda

## Samedi 14 novembre - Repair Café
Le Repair Café répare vos appareils avec des bénévoles, de 10 h à 12 h, maison de quartier.

## Samedi 12 décembre - Marché de Noël
Le marché de Noël réunit soixante exposants place de l'Horloge, de 10 h à 19 h.
"""


def _passage(title, page=None):
    from knowledge.retrieval import Passage

    return Passage(0, 0, title, "", page, "texte", f"/documents/1/file#page={page}", 1.0)


def test_it_lists_only_the_sources_an_answer_cites():
    passages = [_passage("Magazine", 1), _passage("Agenda", 2), _passage("Mairie", 3)]
    sources = sources_of(passages, "Le marché a lieu samedi [3], place du Port [1, 3].")
    assert [(s["n"], s["title"]) for s in sources] == [(1, "Magazine"), (3, "Mairie")]
    assert cited_numbers("voir [2] et [4;5] mais pas 6 ni [x]") == {2, 4, 5}


def test_it_lists_no_source_when_the_answer_cites_none():
    passages = [_passage("Magazine", 1), _passage("Agenda")]
    assert sources_of(passages, "Je ne sais pas.") == []
    assert sources_of(passages, "[9] n'existe pas") == []
    assert sources_of(passages, "Voir [2].")[0] == {
        "n": 2,
        "title": "Agenda",
        "page": None,
        "url": "/documents/1/file#page=None",
    }


def test_it_titles_an_extract_s_source_by_the_sections_it_quotes(resident_client):
    add_document(AGENDA.encode(), "agenda.md", kind="events_guide", title="Agenda")
    body = {"message": "Quand a lieu le marché de Noël ?", "history": [], "language": "fr"}
    response = resident_client.post("/chat/ask", json.dumps(body), content_type="application/json")
    events = dict(parse_sse(b"".join(response).decode()))
    [source] = events["sources"]["sources"]
    assert source["title"] == "Agenda — Samedi 12 décembre - Marché de Noël"  # not "Repair Café"
    # what it quotes from the source, for the panel to mark inside the passage
    assert source["quotes"] == [
        "Le marché de Noël réunit soixante exposants place de l'Horloge, de 10 h à 19 h."
    ]
