"""Which units an offline answer quotes, in what order (knowledge.extractive, step 4).

`choose()`: the best unit; if it is an item of a short list, the whole list; if it is a
sentence that the next one opens a short list from ("…, apportez :"), it and that list. Then
up to MAX_UNITS units (a list quoted whole counts as one) scoring nearly as well (KEEP_RATIO)
within ANSWER_WORDS, none repeating what another says; after a whole list, only units of the
same passage ("Les trois maisons de quartier sont fermées… du 24 décembre" after a house's
timetable; not "Parkings gratuits toute l'année" after the téléassistance's price, which a
chatty question scored as well). A short list some items of which are chosen is quoted
whole. And, when none of them gives a phone number, the unit of the best one's section that
does (what to do next is usually whom to call): after them when there is room, in place of
the last unit or list only when the question asks for a number. `card()`: a matching answer
card whole; `within()`: a what-is-on answer's events. `lead_of()`: what is shown before a
unit. The units come scored by knowledge.extractive, as `Scored` (defined here, below the
extractor).
"""

import datetime as dt
from dataclasses import dataclass

from . import answertypes
from .analysis import fold, get_analyzer
from .frdates import named_days
from .models import Document
from .units import UNIT_WORDS, Unit, words_of

MAX_UNITS = 3
MAX_EVENTS = 5  # a "what is on" answer lists up to this many events, each by its first unit
KEEP_RATIO = 0.85  # a unit after the best is kept if it scores this share of the best
ANSWER_WORDS = UNIT_WORDS  # units are added within this many words (leads included); a short
# list one of whose items is quoted is then completed, LIST_WORDS more at most
LIST_WORDS = 60  # a list this short is quoted whole when one of its items is
SHORT_WORDS = 8  # a sentence this short needs its heading to be understood
CARD_WORDS = 150  # an answer card that matches best is quoted whole up to this length


@dataclass
class Scored:
    unit: Unit
    lexical: float  # BM25 of the unit and its context over the question's ceiling, in [0, 1]
    kind: float  # share of the kinds of fact asked that the unit gives
    prior: float  # the retrieval's score of the unit's chunk over the best one's
    cosine: float = 0.0  # the encoder's similarity of the unit (and its section) to the question
    closeness: float = 0.0  # the same, the question with the documents' words (coverage)
    score: float = 0.0


def lead_of(unit: Unit) -> str:
    """What to show before a unit: its question or list opening; for an item, else its
    section's heading; for a sentence, its section's heading only when the sentence does not
    say what it is about: a short one ("14 h, salle Océane.") or under a dated heading (an
    event's) that it does not repeat."""
    if unit.intro:
        return unit.intro
    if unit.kind == "item":
        return unit.section
    analyzer = get_analyzer()
    about = set(analyzer(unit.section))
    missing = about - set(analyzer(unit.text))
    short = words_of(unit.text) <= SHORT_WORDS
    dated = bool(named_days(unit.section, dt.date.today()))  # a day, not "novembre et décembre"
    return unit.section if about and (short or dated) and len(missing) * 2 > len(about) else ""


def _size(item: Scored) -> int:
    return words_of(item.unit.text) + words_of(lead_of(item.unit))


def _whole_list(ranked: list[Scored]) -> list[Scored] | None:
    """All the items of the best unit's list, if it is an item of a short list."""
    best = ranked[0].unit
    if best.kind != "item" or best.list_id is None:
        return None
    items = [s for s in ranked if s.unit.list_id == best.list_id]
    return items if _short(items) else None


def _short(items: list[Scored]) -> bool:
    """Whether a list's items, with what is shown before them, fit in LIST_WORDS."""
    words = sum(words_of(s.unit.text) for s in items) + words_of(lead_of(items[0].unit))
    return words <= LIST_WORDS


def _list_after(ranked: list[Scored]) -> list[Scored] | None:
    """The best unit and the whole list right after it, if it is a sentence that the next one
    opens a list from, under the same heading, and both fit in ANSWER_WORDS: "Un décès se
    déclare dans les 24 heures…" then "Si vous le faites vous-même, apportez : • …"; the
    list is what the sentence goes on to say (the documents to bring, the steps)."""
    best = ranked[0].unit
    listed = {s.unit.order: s for s in ranked if s.unit.source == best.source}
    after = listed.get(best.order + 1)
    if best.kind != "sentence" or after is None:
        return None
    first = after.unit
    if first.kind != "item" or not first.intro or first.heading != best.heading:
        return None
    items, order = [], first.order
    while order in listed and listed[order].unit.list_id == first.list_id:  # this run only
        items.append(listed[order])
        order += 1
    words = _size(ranked[0]) + words_of(first.intro) + sum(words_of(s.unit.text) for s in items)
    return [ranked[0], *items] if words <= ANSWER_WORDS else None


def _gives_phone(item: Scored) -> bool:
    return "phone" in answertypes.given(item.unit.text)


def _contact(ranked: list[Scored], chosen: list[Scored], asked=frozenset()) -> Scored | None:
    """The unit of the best one's section that gives a phone number, if none chosen does.
    When a number is asked, it must be that of the chosen unit sharing most words with the
    question ("Madame la Maire reçoit…", not the deputy's sentence with a number before it):
    the sentence right after it, if that one gives it."""
    if "phone" in asked:
        anchor = max(chosen, key=lambda s: s.lexical)
        after = [
            s
            for s in ranked
            if s.unit.source == anchor.unit.source and s.unit.order == anchor.unit.order + 1
        ]
        if not _gives_phone(anchor) and after and _gives_phone(after[0]):
            return None if after[0] in chosen else after[0]
    if any(_gives_phone(s) for s in chosen):
        return None
    section = (ranked[0].unit.source, ranked[0].unit.heading)
    for item in ranked:
        same = (item.unit.source, item.unit.heading) == section
        if same and item not in chosen and _gives_phone(item):
            return item
    return None


def card(ranked: list[Scored], sources: list) -> list[Scored] | None:
    """The whole of an answer card when it matches best: the town hall's validated answer
    is quoted as it was validated, never cut down to its closest sentence."""
    best = ranked[0].unit.source
    if getattr(sources[best - 1], "kind", "") != Document.Kind.ANSWER_CARD:
        return None
    units = sorted((s for s in ranked if s.unit.source == best), key=lambda s: s.unit.order)
    return units if sum(_size(s) for s in units) <= CARD_WORDS else None


def choose(ranked: list[Scored], asked: frozenset[str] = frozenset()) -> list[Scored]:
    """The units of the answer (see the module docstring), in answer order."""
    if not ranked:
        return []
    opening = _whole_list(ranked) or _list_after(ranked)
    best = ranked[0]
    groups = [list(opening) if opening else [best]]  # a unit, or a list quoted whole
    used = _words(groups)
    for item in ranked[1:]:
        if len(groups) == MAX_UNITS or item.score < KEEP_RATIO * best.score:
            break
        chosen = [c for group in groups for c in group]
        if item in chosen or (opening and item.unit.source != best.unit.source):
            continue
        if used + _size(item) <= ANSWER_WORDS and not _repeats(item, chosen):
            groups.append([item])
            used += _size(item)
    groups = _lists_whole(ranked, groups, bool(opening))
    contact = _contact(ranked, [c for group in groups for c in group], asked)
    room = bool(opening) or len(groups) < MAX_UNITS
    if contact is not None and (room or "phone" in asked):
        # in place of the last unit (or list) if there are MAX_UNITS already and a number is asked
        groups = [*(groups if room else groups[:-1]), [contact]]
    return _in_lists([c for group in groups for c in group])


def _words(groups: list[list[Scored]]) -> int:
    return sum(_size(c) for group in groups for c in group)


def _lists_whole(ranked: list[Scored], groups: list[list[Scored]], opened: bool) -> list:
    """The groups, each item chosen alone from a short list replaced by its whole list
    (LIST_WORDS at most, even past ANSWER_WORDS): half a timetable ("Mardi…", "Samedi…")
    reads as if the other days were closed. The opening, when `opened`, is quoted as far
    as it should be already."""
    out = groups[:1] if opened else []
    done = {c.unit.list_id for group in out for c in group}
    for group in groups[1:] if opened else groups:
        item = group[0]
        if any(item in kept for kept in out):  # an item of a list completed before
            continue
        items = [s for s in ranked if s.unit.list_id == item.unit.list_id]
        whole = item.unit.list_id is not None and item.unit.list_id not in done
        if whole and _short(items):
            done.add(item.unit.list_id)
            group = items
        out.append(group)
    return out


def _repeats(item: Scored, chosen: list[Scored]) -> bool:
    """Whether a unit says nothing the chosen ones do not ("Courriel : mairie@…" after "Par
    courriel : mairie@…", from another section), or says again word for word what one of
    them says (the magazine's paragraph holding the guide's sentence); an event's day, in its
    heading, is news."""
    mine, theirs = _told(item.unit), [_told(c.unit) for c in chosen]
    plain = _plain(mine)
    if any(_plain(other) in plain or plain in _plain(other) for other in theirs):
        return True
    analyzer = get_analyzer()
    return set(analyzer(mine)) <= {t for other in theirs for t in analyzer(other)}


def _told(unit: Unit) -> str:
    """What a unit tells: its text, with its section's heading when that names a day."""
    dated = named_days(unit.section, dt.date.today())
    return f"{unit.section} {unit.text}" if dated else unit.text


def _plain(text: str) -> str:
    """A text for comparing wordings: folded, spaces and end punctuation aside."""
    return " ".join(fold(text).split()).rstrip(" .;:")


def within(units: list[Scored]) -> list[Scored]:
    """The first units, in their order, up to MAX_EVENTS and ANSWER_WORDS (the first always)."""
    chosen, used = units[:1], _size(units[0])
    for item in units[1:MAX_EVENTS]:
        if used + _size(item) > ANSWER_WORDS:
            break
        chosen.append(item)
        used += _size(item)
    return chosen


def _in_lists(chosen: list[Scored]) -> list[Scored]:
    """Items of one list together, in the list's order, where its best item was."""
    out: list[Scored] = []
    for item in chosen:
        list_id = item.unit.list_id
        if list_id is None:
            out.append(item)
        elif all(o.unit.list_id != list_id for o in out):
            same = [c for c in chosen if c.unit.list_id == list_id]
            out.extend(sorted(same, key=lambda c: c.unit.order))
    return out
