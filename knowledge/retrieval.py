"""Find the town passages that answer a question: `search(query, k, today) -> list[Passage]`."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from .analysis import analyse, get_analyzer
from .index import backend_for, vectors
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


def index_terms(title: str, heading: str, text: str) -> list[str]:
    """The terms stored for a chunk (its document title, heading path and text), carrying
    that text so that the backend also stores the chunk's lead vector."""
    parts = heading.split(" > ")
    if parts and parts[0].strip() == title.strip():  # the path repeats the document title
        heading = " > ".join(parts[1:])
    return analyse("\n".join(part for part in (title, heading, text) if part))


def rank(query: str, limit: int, today: dt.date | None = None, backend=None, conn=None):
    """(row id, score) pairs for `query`, best first, from the backend's index: BM25F over
    the analysed terms fused with the dense similarity of the question and the leads."""
    conn = conn or connection
    backend = backend or backend_for(conn)
    terms = get_analyzer()(query)
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
            )
        )
    return passages
