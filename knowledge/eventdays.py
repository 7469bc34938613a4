"""Answer units in the order of the days they name: events on the days a question means
first, others left out (`on_the_days`), and a vague "what is on" question covered when an
event falls on them; the rules of the season in force first (`in_season_first`); events
that are over after those to come (`past_events_later`).

Used by knowledge.extractive; the days come from knowledge.frdates.days_meant.
"""

import dataclasses
import functools

from . import answertypes
from .analysis import get_analyzer
from .frdates import DAYS, MONTHS, in_season, named_days, names_time_of_year, on_days, over
from .units import Unit

OPENING_CHARS = 60  # a list item's opening, before its first ":", may name its event's day
SAME_EVENT = 2  # two events of one day sharing this many words are one, told twice
PAST_WEIGHT = 0.8  # an event that is over scores this share of its score (past_events_later)


def on_the_days(ranked: list, days, today, whats_on_asked: bool = False) -> list:
    """For a question about given days ("ce week-end", "demain"): a unit whose section heading
    (or, for a list item, its opening) names only other days is left out ("Samedi 14 novembre
    - Loto" is not this weekend's); for a what-is-on question, the units of an event on those
    days come first, before those that name no day (not for any question: Saturday's loto
    must not answer "La mairie est-elle ouverte samedi ?"). The encoder reads the question
    alone, so the days are written out for the words in common only (`features`): the
    confidence stays calibrated."""
    if not days:
        return ranked
    on, undated = [], []
    for item in ranked:
        named = named_on(item.unit, days, today)
        if named is not False:
            (on if named and whats_on_asked else undated).append(item)
    return on + undated


def in_season_first(question: str, ranked: list, today) -> list:
    """For a question naming no month nor season ("Je peux promener mon chien sur la plage ?"):
    the units of a season that does not hold today ("Du 1er avril au 30 septembre, les chiens
    sont interdits", under "Horaires d'été") after the others, each leaving its place to its
    section's unit for today's season if there is one ("Du 1er octobre au 31 mars, …")."""
    if today is None or names_time_of_year(question):
        return ranked
    held = {id(item): _season_of(item.unit, today) for item in ranked}
    if False not in held.values():
        return ranked
    placed, later = {}, []  # by id: the order of a dict, the membership of a set
    for item in ranked:
        if held[id(item)] is False:  # its place goes to its section's rule for today, if any
            later.append(item)
            item = next(
                (
                    other
                    for other in ranked
                    if held[id(other)]
                    and other.unit.heading == item.unit.heading
                    and id(other) not in placed
                ),
                None,
            )
        if item is not None:
            placed.setdefault(id(item), item)
    return [*placed.values(), *later]


def past_events_later(question: str, ranked: list, today) -> list:
    """The units re-ranked (copies: the scores of `ranked` are left as they are), each unit of
    an event that is over (its section heading, its list's opening or its own names only days
    before `today`) at PAST_WEIGHT of its score when a unit of an event to come shares as
    many of the question's words and scores at least that much: a November magazine's
    "Samedi 14 novembre : loto" read in December gives way to the guide's 19 December loto
    for "C'est quand le prochain loto ?". Nothing changes for a question naming a day, a
    month or a season ("Le loto du 14 novembre, c'était à quelle heure ?"), nor for an
    event with none to come: the resident reads its day, rather than something else."""
    if today is None or names_time_of_year(question) or named_days(question, today):
        return ranked
    held = {id(item): _over(item.unit, today) for item in ranked}
    coming = [item for item in ranked if held[id(item)] is False]
    out = []
    for item in ranked:
        if held[id(item)] and any(
            c.lexical >= item.lexical and c.score >= PAST_WEIGHT * item.score for c in coming
        ):
            item = dataclasses.replace(item, score=item.score * PAST_WEIGHT)
        out.append(item)
    return sorted(out, key=lambda s: (-s.score, s.unit.order))


def _over(unit: Unit, today) -> bool | None:
    """Whether the event the unit is part of is over; None when it names no day."""
    for text in (unit.section, unit.intro, _opening(unit)):
        named = over(text, today)
        if named is not None:
            return named
    return None


def _opening(unit: Unit) -> str:
    """A unit's opening, before its first ":" (a list item's may name its event's day)."""
    return unit.text.split(":", 1)[0][:OPENING_CHARS]


def _season_of(unit: Unit, today) -> bool | None:
    """Whether the season its section heading, its list's opening or its own opening ("Horaires
    d'été (du 1er avril au 30 septembre) : …") names holds today; None when none names one."""
    for text in (unit.section, unit.intro, _opening(unit)):
        held = in_season(text, today)
        if held is not None:
            return held
    return None


def named_on(unit: Unit, days, today) -> bool | None:
    """Whether the day its section heading (or, for a list item, its opening) names is one of
    `days`; None when it names none (knowledge.frdates.on_days)."""
    named = on_days(unit.section, days, today)
    if named is None and unit.kind == "item":
        named = on_days(_opening(unit), days, today)
    return named


def whats_on(question: str, ranked: list, days, today) -> bool:
    """Whether a vague what-is-on question (answertypes.asks_whats_on) is covered all the
    same: an event of the documents falls on one of the days it means (its units then come
    first: on_the_days), and holds every other word of the question ("pour les enfants"; "à
    la télé" is not the town's). Its words say little of a subject, so the encoder finds no
    unit close to it."""
    if not days:
        return False
    best = ranked[0].unit
    if not named_on(best, days, today):
        return False
    return _subject(question) <= set(get_analyzer()(f"{best.context}\n{best.text}"))


def events_in_order(question: str, ranked: list, days, today) -> list:
    """For a what-is-on question (answertypes.asks_whats_on): each event on the days once, by
    its first unit in the document (an events guide says when and where first), earliest
    event first. An event is a dated section, or a list item that names its day; one told
    by two documents (the guide and the magazine's agenda) is said once; when the question
    names a subject ("pour les enfants"), only the events that speak of it, and none when no
    event does ("Que faire si la collecte ne passe pas samedi ?" is not about events)."""
    if not days:
        return []
    first: dict[tuple, object] = {}
    words: dict[tuple, set] = {}
    analyzer = get_analyzer()
    for item in ranked:
        unit = item.unit
        if not named_on(unit, days, today):
            continue
        own = unit.kind == "item" and on_days(unit.section, days, today) is None
        key = (unit.source, unit.order) if own else (unit.source, unit.heading)
        if key not in first or unit.order < first[key].unit.order:
            first[key] = item
        told = unit.text if own else f"{unit.section}\n{unit.text}"  # not the document's title
        words.setdefault(key, set()).update(analyzer(told))
    subject = _subject(question)
    keys = [k for k in first if subject <= words[k]]  # none: the question is about else
    day_of = {k: _first_day(first[k].unit, days, today) for k in keys}
    keys.sort(key=lambda k: (day_of[k], first[k].unit.order))
    chosen, said = [], []  # said: (day, own words) of each event chosen
    for key in keys:
        own = {t for t in words[key] - _date_terms() if not t.isdigit()}
        day = day_of[key]
        if not any(day == d and len(own & w) >= SAME_EVENT for d, w in said):
            said.append((day, own))
            chosen.append(first[key])
    return chosen


def _subject(question: str) -> set[str]:
    """The question's words that name a subject: not what-is-on words, not days."""
    return set(get_analyzer()(question)) - _vague_terms()


@functools.lru_cache(maxsize=1)
def _vague_terms() -> frozenset[str]:
    return frozenset(get_analyzer()(" ".join(answertypes.WHATS_ON_WORDS)))


@functools.lru_cache(maxsize=1)
def _date_terms() -> frozenset[str]:
    """The terms of day and month names: an event's other words tell two of one day apart
    (numbers too, below)."""
    return frozenset(get_analyzer()(" ".join([*DAYS, *MONTHS])))


def _first_day(unit: Unit, days, today):
    return min(day for day in days if named_on(unit, [day], today))
