"""Find the town passages that answer a question: `search(query, k, today) -> list[Passage]`.

Answer cards (documents of kind ANSWER_CARD, published by the townhall app) come first when
they match well enough: see `cards_first`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from . import synonyms, vectors
from .analysis import analyse, get_analyzer
from .index import backend_for
from .models import Chunk, Document


@dataclass
class Passage:
    chunk_id: int
    document_id: int
    title: str
    heading: str
    page: int | None
    text: str
    url: str
    score: float
    kind: str = ""  # the document's Document.Kind; "answer_card": validated by the town hall
    dated: dt.date | None = None  # the document's publication date (a card's validation day)


# An answer card goes first when its score is at least this share of the best passage's: a
# tie-breaker for the town's validated answer. Measured on the demo town with three cards
# (tests/test_townhall_cards.py): the 8 questions a card answers in other words already rank
# it first; of 12 questions the documents answer, 3 whose words are close to a card rank it
# at 0.81-0.94 of the best, the others at 0.64 or below. A lower share would put those 3
# wrong cards first. (A question in words no card holds, "frigo" for "réfrigérateur", does
# not find the card at all: that is the vocabulary of the ranker, not this rule.)
CARD_SHARE = 0.97


def index_terms(title: str, heading: str, text: str) -> list[str]:
    """The terms stored for a chunk (its document title, heading path and text), carrying
    that text so that the backend also stores the chunk's lead vector."""
    parts = heading.split(" > ")
    if parts and parts[0].strip() == title.strip():  # the path repeats the document title
        heading = " > ".join(parts[1:])
    return analyse("\n".join(part for part in (title, heading, text) if part))


def rank(query: str, limit: int, today: dt.date | None = None, backend=None, conn=None):
    """(row id, score) pairs for `query`, best first, from the backend's index: BM25F over
    the analysed terms, with the documents' words for the residents' words it uses
    (knowledge.synonyms), fused with the dense similarity of the question and the leads."""
    conn = conn or connection
    backend = backend or backend_for(conn)
    analyzer = get_analyzer()
    terms = analyzer(query) + analyzer("\n".join(synonyms.expansions(query)))
    if not terms:
        return []
    pending = vectors.pending_query(query, in_thread=backend.encode_in_thread)
    return backend.search(conn, terms, limit, today, pending)


def document_url(doc: Document, page: int | None = None) -> str:
    """Where a resident reads the source: the web page itself, or the file served by us."""
    if doc.kind == Document.Kind.WEB_PAGE and doc.source_url:
        return doc.source_url
    if not doc.file:
        return doc.source_url
    url = reverse("document-file", args=[doc.pk])
    return f"{url}#page={page}" if page and doc.is_pdf else url


def known_terms(terms: list[str]) -> set[str]:
    """The analysed terms that some chunk of the town's index holds."""
    return backend_for(connection).known(connection, terms)


def search(query: str, k: int = 5, today: dt.date | None = None) -> list[Passage]:
    """The k best passages from READY documents valid today (valid_from <= today <= valid_until,
    either bound optional)."""
    today = today or timezone.localdate()
    if not query.strip():
        return []
    hits = rank(query, k, today)
    chunks = Chunk.objects.select_related("document").in_bulk([cid for cid, _ in hits])
    passages = []
    for chunk_id, score in hits:
        chunk = chunks.get(chunk_id)
        if chunk is None:
            continue
        doc = chunk.document
        passages.append(
            Passage(
                chunk_id=chunk.pk,
                document_id=doc.pk,
                title=doc.title,
                heading=chunk.heading,
                page=chunk.page,
                text=chunk.text,
                url=document_url(doc, chunk.page),
                score=score,
                kind=doc.kind,
                dated=doc.published_on,
            )
        )
    return cards_first(passages)


def cards_first(passages: list[Passage]) -> list[Passage]:
    """The answer cards scoring at least CARD_SHARE of the best passage, best first, then
    every other passage in rank order: a town hall's validated answer beats an extract that
    matches slightly better, never one that matches much better."""
    if not passages:
        return passages
    floor = passages[0].score * CARD_SHARE
    first = [p for p in passages if p.kind == Document.Kind.ANSWER_CARD and p.score >= floor]
    chosen = {p.chunk_id for p in first}
    return first + [p for p in passages if p.chunk_id not in chosen]
