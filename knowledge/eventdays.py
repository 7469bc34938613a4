"""The days a question means and the answer units: events on those days first, others left
out (`on_the_days`), and a vague "what is on" question covered when an event falls on them.

Used by knowledge.extractive; the days come from knowledge.frdates.days_meant.
"""

from . import answertypes
from .analysis import get_analyzer
from .frdates import on_days
from .units import Unit

OPENING_CHARS = 60  # a list item's opening, before its first ":", may name its event's day


def on_the_days(ranked: list, days, today) -> list:
    """For a question about given days ("ce week-end", "demain"): first the units of an event
    on one of those days, then those that name no day; a unit whose section heading (or, for
    a list item, its opening) names only other days is left out ("Samedi 14 novembre -
    Loto" is not this weekend's). The encoder reads the question alone, so the days are
    written out for the words in common only (`features`): the confidence stays calibrated."""
    if not days:
        return ranked
    on, undated = [], []
    for item in ranked:
        named = named_on(item.unit, days, today)
        if named is not False:
            (on if named else undated).append(item)
    return on + undated


def named_on(unit: Unit, days, today) -> bool | None:
    """Whether the day its section heading (or, for a list item, its opening) names is one of
    `days`; None when it names none (knowledge.frdates.on_days)."""
    named = on_days(unit.section, days, today)
    if named is None and unit.kind == "item":
        named = on_days(unit.text.split(":", 1)[0][:OPENING_CHARS], days, today)
    return named


def whats_on(question: str, ranked: list, days, today) -> bool:
    """Whether a vague "what is on these days" question is covered all the same: an event of
    the documents falls on one of the days it means (its units then come first: on_the_days),
    and holds every other word of the question ("pour les enfants"; "à la télé" is not the
    town's). Its words say little of a subject, so the encoder finds no unit close to it."""
    if not days or not answertypes.asks_whats_on(question):
        return False
    best = ranked[0].unit
    if not named_on(best, days, today):
        return False
    analyzer = get_analyzer()
    vague = set(analyzer(" ".join(answertypes.WHATS_ON_WORDS)))
    subject = set(analyzer(question)) - vague
    return subject <= set(analyzer(f"{best.context}\n{best.text}"))
