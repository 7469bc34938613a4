"""Offline provider: no network, no key; quotes the town's most relevant passages."""

from __future__ import annotations

import asyncio
import re

from django.conf import settings

from ..base import ChatRequest, Provider

MAX_PASSAGES = 3
MAX_QUOTE_CHARS = 600
CHUNK_CHARS = 24

WORDING = {
    "fr": {
        "intro": (
            "Voici des extraits des documents de la mairie qui parlent de votre question. "
            "Ce sont des passages recopiés tels quels, pas une réponse rédigée pour vous."
        ),
        "quote": "[{number}] « {text} »\nSource : {source}",
        "page": "page",
        "outro": "Pour une réponse précise à votre situation, contactez la mairie : {contact}.",
        "nothing": (
            "Je n'ai rien trouvé sur ce sujet dans les documents de la mairie. "
            "Pour vous renseigner, contactez la mairie : {contact}."
        ),
    },
    "en": {
        "intro": (
            "Here are excerpts from the town hall's documents about your question. "
            "They are passages copied as they are, not an answer written for you."
        ),
        "quote": "[{number}] “{text}”\nSource: {source}",
        "page": "page",
        "outro": "For an answer that fits your situation, contact the town hall: {contact}.",
        "nothing": (
            "I found nothing on this subject in the town hall's documents. "
            "To find out more, contact the town hall: {contact}."
        ),
    },
}


def _field(passage, name: str):
    if isinstance(passage, dict):
        return passage.get(name)
    return getattr(passage, name, None)


def _quote(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    cut = text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + " …"


def compose(request: ChatRequest, contact: str) -> str:
    """The whole fixed-wording answer for this request's passages, language and contact."""
    words = WORDING.get((request.language or "fr")[:2].lower(), WORDING["fr"])
    passages = [p for p in request.passages if (_field(p, "text") or "").strip()]
    if not passages:
        return words["nothing"].format(contact=contact)
    parts = [words["intro"]]
    for number, passage in enumerate(passages[:MAX_PASSAGES], start=1):
        source = _field(passage, "title") or ""
        heading = _field(passage, "heading")
        if heading and heading != source:
            source = f"{source} — {heading}" if source else heading
        page = _field(passage, "page")
        if page:
            source += f", {words['page']} {page}"
        text = _quote(_field(passage, "text"))
        parts.append(words["quote"].format(number=number, text=text, source=source))
    parts.append(words["outro"].format(contact=contact))
    return "\n\n".join(parts)


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
        # The request carries the contact set on the prompt page; settings' is the last resort.
        for piece in pieces(compose(request, request.contact or settings.TOWN_CONTACT)):
            yield piece
            await asyncio.sleep(0)
