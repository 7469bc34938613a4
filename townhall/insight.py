"""Comms insight without transcripts: one anonymous signal per chat answer, weekly figures.

`record_chat_answer()` is called by arcachat.chat when an answer is settled. It stores the
week, how sure the answer was and the documents/sections of its best passages: never the
question or answer text, never the code, never the time of day. The comms page reads these signals
and the requests residents chose to send (townhall.models.TownRequest), which stay counted
after their texts are erased.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.db import DatabaseError
from django.db.models import Count
from django.utils import timezone

from knowledge.citations import grounding
from knowledge.coverage import THRESHOLD
from knowledge.models import Document
from providers.offline import OfflineProvider

from .models import AnswerCard, AnswerSignal, TownRequest

log = logging.getLogger(__name__)

# An answer the offline answerer gave with a confidence under THRESHOLD (a rescued one, see
# knowledge.coverage) or less than LOW_BAND above it counts as a low-confidence one:
# docs/benchmarks.md measured the margin between the dev set's off-topic questions and its
# answered ones at 0.03, so a question in this band could as well have been "not covered".
# Measured on the dev set (manage.py answer_bench): 4 of its 58 answered questions fall in
# it. The answerer's own "not covered" decision counts apart.
LOW_BAND = 0.03
LOW_CONFIDENCE = THRESHOLD + LOW_BAND
TOPICS_PER_ANSWER = 3
SECTION_CHARS = 120
WEEKS_SHOWN = 8
# Signals older than this are deleted with the purge (townhall.retention): the page shows
# WEEKS_SHOWN weeks, half a year is enough to compare seasons of the same kind.
KEEP_WEEKS = 26

Level = AnswerSignal.Level


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def level_of(passages, confidence: float | None, covered: bool | None) -> str:
    """Not covered (no passage, or the answerer said so), low, sure, or unknown (no figure)."""
    if covered is False or not passages:
        return Level.NOT_COVERED
    if confidence is None:
        return Level.UNKNOWN
    return Level.LOW if confidence < LOW_CONFIDENCE else Level.SURE


def record_answer(
    passages, *, confidence: float | None = None, covered: bool | None = None, today=None
) -> None:
    """Note one settled answer: `passages` are the knowledge.retrieval.Passage objects of its
    prompt (best first), `confidence` the answerer's (0 to 1) when it gives one, `covered`
    False when it answered "the documents do not cover this". Never raises: a lost signal
    must not disturb the answer's settlement."""
    topics = [
        [p.document_id, (p.heading or "")[:SECTION_CHARS]] for p in passages[:TOPICS_PER_ANSWER]
    ]
    try:
        AnswerSignal.objects.create(
            week=monday(today or timezone.localdate()),
            level=level_of(passages, confidence, covered),
            topics=topics,
        )
    except DatabaseError as exc:
        log.warning("answer signal not recorded: %s", type(exc).__name__)


def record_chat_answer(chat_request, kind: str, text: str) -> None:
    """Note one settled chat answer: how sure it was comes from the offline answerer's
    extraction (already made for the answer, the request keeps it) or, for a language model,
    from whether the answer rests on the town's passages (knowledge.citations.grounding);
    `text` is read here and forgotten."""
    if kind == OfflineProvider.kind and chat_request.extract is not None:
        extraction = chat_request.extract()
        confidence, covered = extraction.confidence, extraction.covered
    else:
        confidence = None
        covered = grounding(text, chat_request.passages, chat_request.contact).grounded
    record_answer(chat_request.passages, confidence=confidence, covered=covered)


@dataclass
class Week:
    start: dt.date
    sent: int = 0  # requests residents sent to the town hall
    answers: int = 0
    low: int = 0
    uncovered: int = 0
    unknown: int = 0

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


def oldest_shown(today: dt.date | None = None) -> dt.date:
    """The Monday of the oldest week the insight page shows."""
    return monday(today or timezone.localdate()) - dt.timedelta(weeks=WEEKS_SHOWN - 1)


def weeks(today: dt.date | None = None) -> list[Week]:
    """The last WEEKS_SHOWN weeks, this one first, with their counts."""
    oldest = oldest_shown(today)
    starts = [oldest + dt.timedelta(weeks=n) for n in range(WEEKS_SHOWN)]
    rows = {start: Week(start) for start in starts}
    signals = AnswerSignal.objects.filter(week__gte=oldest).values("week", "level")
    signals = signals.annotate(n=Count("id"))
    for row in signals:
        week = rows.get(row["week"])
        if week is None:
            continue
        week.answers += row["n"]
        if row["level"] == Level.LOW:
            week.low += row["n"]
        elif row["level"] == Level.NOT_COVERED:
            week.uncovered += row["n"]
        elif row["level"] == Level.UNKNOWN:
            week.unknown += row["n"]
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(oldest, dt.time.min), zone)
    for created in TownRequest.objects.filter(created_at__gte=start).values_list(
        "created_at", flat=True
    ):
        week = rows.get(monday(timezone.localtime(created).date()))
        if week is not None:
            week.sent += 1
    return [rows[start] for start in sorted(rows, reverse=True)]


def _titles(ids) -> dict[int, str]:
    return {pk: doc.title for pk, doc in Document.objects.in_bulk(list(ids)).items()}


def weak_topics(week: dt.date, limit: int = 15) -> list[dict]:
    """The documents and sections that low-confidence and uncovered answers of the week drew
    on, most frequent first: {"title", "section", "count"} (title None: document deleted)."""
    counts: Counter = Counter()
    signals = AnswerSignal.objects.filter(week=week, level__in=[Level.LOW, Level.NOT_COVERED])
    for topics in signals.values_list("topics", flat=True):
        for doc_id, section in topics:
            counts[(doc_id, section)] += 1
    titles = _titles({doc_id for doc_id, _section in counts})
    return [
        {"title": titles.get(doc_id), "section": section, "count": n}
        for (doc_id, section), n in counts.most_common(limit)
    ]


def uncovered_without_topic(week: dt.date) -> int:
    """Answers of the week with no passage at all: the documents hold nothing near them."""
    return AnswerSignal.objects.filter(week=week, level=Level.NOT_COVERED, topics=[]).count()


def cards_answering(since: dt.date, limit: int | None = 10) -> list[dict]:
    """The answer cards that came first in the most answers since `since`:
    {"card", "count"}, most first (all of them with `limit` None)."""
    cards = {
        card.document_id: card
        for card in AnswerCard.objects.filter(document__isnull=False).select_related("service")
    }
    if not cards:
        return []
    counts: Counter = Counter()
    for topics in AnswerSignal.objects.filter(week__gte=since).values_list("topics", flat=True):
        if topics and topics[0][0] in cards:
            counts[topics[0][0]] += 1
    return [{"card": cards[doc_id], "count": n} for doc_id, n in counts.most_common(limit)]


def forget_old(today: dt.date | None = None) -> int:
    """Delete the signals older than KEEP_WEEKS; returns how many."""
    oldest = monday(today or timezone.localdate()) - dt.timedelta(weeks=KEEP_WEEKS)
    deleted, _ = AnswerSignal.objects.filter(week__lt=oldest).delete()
    return deleted
