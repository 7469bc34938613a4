"""The candidate answer units of the passages a question found, read with a window around each.

A passage is one chunk; the answer may be in the sentence before or after it, and a PDF's
sentences run over chunk boundaries. So the units (knowledge.units) are read from the found
chunks and their neighbours: for a PDF, the whole page (its lines are put back into
sentences); otherwise the chunk before and after in the same section. Each unit is tagged
with the number of its source among the merged passages (knowledge.prompt.merge_sources:
what the answer cites as [n]) and, in `extra["prior"]`, the retrieval's score of its chunk
over the best one's (0 for a neighbour that was not found itself).

The offline answerer also reads a wider pool than the passages of the prompt (`pool()`): the
units of the next passages found, numbered after them, without the units already read.
"""

from collections import defaultdict

from django.db.models import Q

from .models import Chunk
from .units import Unit, units_of


def _wanted(found: list) -> Q:
    """The chunks to read: the found ones' pages (PDF) or neighbours in their section."""
    rows = Chunk.objects.filter(pk__in=[p.chunk_id for p in found]).values_list(
        "document_id", "position", "page", "heading"
    )
    wanted = Q(pk__in=[])
    for document_id, position, page, heading in rows:
        if page is not None:
            wanted |= Q(document_id=document_id, page=page)
        else:
            near = [position - 1, position, position + 1]
            wanted |= Q(document_id=document_id, position__in=near, heading=heading)
    return wanted


def _tagged(units: list[Unit], prior: float, chunk: int | None = None) -> list[Unit]:
    """The units with their chunk's prior and, where one chunk holds them, that chunk's id
    (the source panel opens on it: knowledge.extractive)."""
    for unit in units:
        unit.extra["prior"] = prior
        unit.extra["chunk"] = chunk
    return units


def window(found: list, merged: list) -> list[Unit]:
    """The candidate units of the passages found, in reading order (see the module
    docstring); list ids are made unique across passages."""
    numbers = {(p.document_id, p.page): n for n, p in enumerate(merged, start=1)}
    titles = {p.document_id: p.title for p in merged}
    top = max((p.score for p in found), default=0.0) or 1.0
    prior = {p.chunk_id: max(p.score, 0.0) / top for p in found}
    rows = list(
        Chunk.objects.filter(_wanted(found))
        .order_by("document_id", "position")
        .values_list("pk", "document_id", "page", "heading", "text")
    )
    pages: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    units: list[Unit] = []
    for pk, document_id, page, heading, text in rows:
        source = numbers.get((document_id, page))
        if source is not None and page is None:
            own = units_of(text, heading=heading, source=source)
            units += _tagged(own, prior.get(pk, 0.0), pk)
        elif source is not None:
            pages[(document_id, page)].append((pk, text))
    for (document_id, page), chunks in pages.items():
        text = "\n".join(text for _, text in chunks)
        best = max(prior.get(pk, 0.0) for pk, _ in chunks)
        pdf = units_of(
            text, title=titles[document_id], pdf=True, source=numbers[(document_id, page)]
        )
        units += _tagged(pdf, best)
    read = {row[0] for row in rows}
    for passage in found:  # its chunk is gone (the document was replaced meanwhile)
        source = numbers.get((passage.document_id, passage.page))
        if passage.chunk_id not in read and source is not None:
            own = units_of(
                passage.text,
                heading=passage.heading,
                title=passage.title,
                pdf=passage.page is not None,
                source=source,
            )
            units += _tagged(own, prior.get(passage.chunk_id, 0.0))
    return _numbered(units)


def _numbered(units: list[Unit]) -> list[Unit]:
    lists: dict[tuple, int] = {}
    for order, unit in enumerate(units):
        unit.order = order
        if unit.list_id is not None:
            key = (unit.source, unit.heading, unit.list_id, unit.intro)
            unit.list_id = lists.setdefault(key, len(lists) + 1)
    return units


def pool(found: list, merged: list, more: list, sources: list) -> tuple[list[Unit], int]:
    """The units of window(found, merged), then those of the passages `more` found besides
    them, numbered by `sources` (`merged`, then the new documents' pages), without the units
    already read; and how many come first. Order and list ids run across all; the prior of a
    further unit is its chunk's score over the best of `found`."""
    core = window(found, merged)
    have = {(u.source, u.heading, u.text) for u in core}
    extra = [u for u in window(more, sources) if (u.source, u.heading, u.text) not in have]
    scale = max((p.score for p in more), default=0.0) / (
        max((p.score for p in found), default=0.0) or 1.0
    )
    offset = max((u.list_id for u in core if u.list_id is not None), default=0)
    for unit in extra:  # window() numbered these lists from 1 again: keep them apart
        unit.extra["prior"] *= scale
        if unit.list_id is not None:
            unit.list_id += offset
    for order, unit in enumerate(core + extra):
        unit.order = order
    return core + extra, len(core)
