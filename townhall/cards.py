"""Answer cards' publication (townhall's) on top of knowledge's documents (retrieval's).

A card is published as a knowledge Document of kind ANSWER_CARD: a small Markdown file (the
question as its heading, the validated answer as its text), its end date as `valid_until`.
The knowledge app then reads, chunks and indexes it like any document, serves it only while
valid (expired cards drop out with expired documents) and knowledge.retrieval puts it first
when it matches a question. Withdrawing a card retires its document.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from knowledge.ingest import content_hash, retire
from knowledge.models import Document
from knowledge.tasks import start_ingestion

from .models import AnswerCard, LogEntry


def card_text(question: str, answer: str) -> str:
    """The card's document: the question is its heading (and title), the answer its text."""
    heading = " ".join(question.split()).lstrip("#").strip()
    return f"# {heading}\n\n{answer.strip()}\n"


@transaction.atomic
def publish(card: AnswerCard, by) -> AnswerCard:
    """Save `card` and publish its document; it is read and indexed once committed (inline
    in the embedded default, by a worker otherwise)."""
    data = card_text(card.question, card.answer).encode()
    card.save()
    doc = Document(
        title=card.question[:300],
        kind=Document.Kind.ANSWER_CARD,
        published_on=timezone.localdate(),
        valid_until=card.valid_until,
        uploaded_by=by,
        content_hash=content_hash(data),
        content_type="text/markdown",
        original_name=f"card-{card.pk}.md",
    )
    doc.file.save(doc.original_name, ContentFile(data), save=True)
    card.document = doc
    card.save(update_fields=["document"])
    LogEntry.record(by, LogEntry.Action.CARD_PUBLISHED, card=card)
    transaction.on_commit(lambda: start_ingestion(doc.pk))
    return card


@transaction.atomic
def withdraw(card: AnswerCard, by) -> None:
    """The assistant stops using the card at once; the card stays listed as withdrawn."""
    if card.document is not None:
        retire(card.document)
    card.withdrawn_at = timezone.now()
    card.save(update_fields=["withdrawn_at"])
    LogEntry.record(by, LogEntry.Action.CARD_WITHDRAWN, card=card)
