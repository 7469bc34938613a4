"""Offline provider: no network, no key; answers with the town documents' own sentences.

It only formats. What to say comes with the request: `ChatRequest.extract()` (set by
knowledge.prompt.assemble, see knowledge.extractive) gives the sentences and list items that
answer the question, best first, with their source numbers, or says that the documents do not
cover it. providers sits below knowledge and never imports it.

The answer: the units in the documents' own words, each group followed by its citation [n]
(a list stays a list, under its opening or heading), then a short "to read more" list of the
sources. When the documents do not cover the question: one plain sentence saying so, with the
town hall's contact, and no extract.
"""

from __future__ import annotations

import asyncio
import re

from asgiref.sync import sync_to_async
from django.conf import settings

from ..base import ChatRequest, Provider
from ..messages import AnswerUnit, Extraction

CHUNK_CHARS = 24
BULLET = "•"

WORDING = {
    "fr": {
        "more": "Pour en savoir plus :",
        "page": "page",
        "nothing": (
            "Les documents de la mairie ne parlent pas de cette question : je ne peux donc pas "
            "y répondre. Pour vous renseigner, contactez la mairie : {contact}."
        ),
    },
    "en": {
        "more": "To read more:",
        "page": "page",
        "nothing": (
            "The town hall's documents do not cover this question, so I cannot answer it. "
            "To find out more, contact the town hall: {contact}."
        ),
    },
}


def wording(language: str) -> dict[str, str]:
    return WORDING.get((language or "fr")[:2].lower(), WORDING["fr"])


def _with_lead(unit: AnswerUnit) -> str:
    if not unit.lead:
        return unit.text
    if unit.lead.endswith(("?", ":", "!", ".")):
        return f"{unit.lead} {unit.text}"
    return f"{unit.lead} : {unit.text}"


def _groups(units: list[AnswerUnit]) -> list[list[AnswerUnit]]:
    """Consecutive items of one list together; the sentences of one source under the same
    lead together, where the first of them is (an event's sentences under its heading, said
    once, even when another event's came between); every other unit alone."""
    groups: list[list[AnswerUnit]] = []
    for unit in units:
        if groups and _together(groups[-1][-1], unit):
            groups[-1].append(unit)
            continue
        same = [g for g in groups if unit.kind != "item" and _together(g[-1], unit)]
        if same:
            same[0].append(unit)
        else:
            groups.append([unit])
    return groups


def _together(last: AnswerUnit, unit: AnswerUnit) -> bool:
    if unit.kind == "item" and last.kind == "item":
        return unit.list_id is not None and unit.list_id == last.list_id
    same_lead = bool(unit.lead) and unit.lead == last.lead and unit.source == last.source
    return same_lead and unit.kind != "item" and last.kind != "item"


def _block(group: list[AnswerUnit]) -> str:
    """One group as text: sentences after their lead, or a list under its lead."""
    first = group[0]
    marker = f" [{first.source}]"
    if first.kind != "item":
        return " ".join([_with_lead(first), *(unit.text for unit in group[1:])]) + marker
    lines = []
    if first.lead:
        lines.append(first.lead if first.lead.endswith((":", "?")) else f"{first.lead} :")
    lines += [f"{BULLET} {unit.text}" for unit in group]
    lines[-1] += marker
    return "\n".join(lines)


def compose(extraction: Extraction | None, language: str, contact: str) -> str:
    """The whole answer: the units that answer, then the sources; or the plain "not covered"
    with the contact."""
    words = wording(language)
    if extraction is None or not extraction.covered or not extraction.units:
        return words["nothing"].format(contact=contact)
    blocks = [_block(group) for group in _groups(extraction.units)]
    sources = []
    for number, title, page in extraction.sources:
        where = f", {words['page']} {page}" if page else ""
        sources.append(f"[{number}] {title}{where}")
    blocks.append("\n".join([words["more"], *sources]))
    return "\n\n".join(blocks)


def answer_part(text: str) -> str:
    """An offline answer without its "to read more" list (in any language): what the resident
    reads as the answer itself."""
    for words in WORDING.values():
        cut = text.find(f"\n\n{words['more']}\n")
        if cut >= 0:
            return text[:cut]
    return text


def pieces(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Split text into small chunks on word boundaries (whitespace kept)."""
    out, current = [], ""
    for token in re.findall(r"\S+\s*", text):
        if current and len(current) + len(token) > size:
            out.append(current)
            current = ""
        current += token
    if current:
        out.append(current)
    return out


class OfflineProvider(Provider):
    kind = "offline"
    requires_key = False

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("name", "offline")
        kwargs.setdefault("model", "town-documents")
        super().__init__(**kwargs)

    async def _chunks(self, request: ChatRequest, tracker):
        # The extraction reads the database: in a worker thread, never in the event loop.
        extraction = await sync_to_async(request.extract)() if request.extract else None
        # The request carries the contact set on the prompt page; settings' is the last resort.
        contact = request.contact or settings.TOWN_CONTACT
        for piece in pieces(compose(extraction, request.language, contact)):
            yield piece
            await asyncio.sleep(0)
