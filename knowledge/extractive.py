"""Extractive answers: the sentences and list items of the found passages that answer a question.

This is what the offline provider says. `extraction_for()` is called by knowledge.prompt
.assemble and returns a *callable* (ChatRequest.extract), not the answer: a question answered
by a language model never pays for it; the offline provider calls it only when it answers
(from a thread: it reads the database). providers sits below knowledge, so the provider
only formats the Extraction it gets (providers.messages).

1. Candidates: the units of the passages found, with a window around each
   (knowledge.windows, knowledge.units).
2. Features of each unit, with the retrieval's own signals: BM25 (knowledge.scoring, over the
   analyzer's terms of the unit's heading path, its list opening or question, then its text;
   statistics of these units, so a word found in every unit of the window weighs little; the
   words that only say which kind of fact is asked, "combien", "heure", are left to the next
   signal) over its ceiling; whether it gives the kind of fact asked (knowledge.answertypes);
   the retrieval's score of its chunk; and, for the best DENSE_CANDIDATES of these, the
   encoder's similarity to the question (knowledge.vectors), as the retrieval fuses it.
3. Confidence that the documents answer at all (`confidence()`); below THRESHOLD the
   answer is "not covered": the resident gets the town hall's contact and no extract.
4. Answer (`choose()`): the best unit; if it is an item of a short list, the whole list;
   else up to MAX_UNITS units scoring nearly as well (KEEP_RATIO) within ANSWER_WORDS; and,
   when none of them gives a phone number, the unit of the best one's section that does
   (what to do next is usually whom to call).

Every weight and the threshold were chosen on the dev set (bench/answers_dev.jsonl) by
cross-validation on its two halves: docs/benchmarks.md has the method and the figures. The
threshold is on the encoder's scale: after changing the encoder (knowledge.vectors) or the
analyzer, rerun `manage.py answer_bench` and bench/answer_score.py and set it again.
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from providers.messages import AnswerUnit, Extraction

from . import answertypes, vectors
from .analysis import get_analyzer
from .citations import source_title
from .scoring import Candidate, CorpusStats, Hybrid
from .units import Unit
from .windows import window

MAX_UNITS = 3
KEEP_RATIO = 0.85  # a unit after the best is kept if it scores this share of the best
ANSWER_WORDS = 70  # the units quoted stop before this many words (leads included)
LIST_WORDS = 60  # a list this short is quoted whole when its best item answers
SHORT_WORDS = 8  # a sentence this short needs its heading to be understood
MAX_SOURCES = 3  # "to read more": at most this many sources
THRESHOLD = 0.21  # calibrated on the dev set's halves: docs/benchmarks.md (2026-12 section)
CONFIDENCE_UNITS = 2  # the confidence is the mean similarity of this many closest units
MEMO_UNITS = 4096  # unit vectors kept per process (float16, 1 kB each)
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Weights:
    """How a unit's score is made from its features (docs/benchmarks.md: how chosen)."""

    lexical: float = 0.5
    dense: float = 0.5
    kind: float = 0.5
    prior: float = 0.0  # helped neither half: the window is already the retrieval's choice
    k1: float = 1.2  # BM25 saturation; no length normalisation (b = 0): units are short


WEIGHTS = Weights()


@dataclass
class Scored:
    unit: Unit
    lexical: float  # BM25 of the unit and its context over the question's ceiling, in [0, 1]
    kind: float  # share of the kinds of fact asked that the unit gives
    prior: float  # the retrieval's score of the unit's chunk over the best one's
    cosine: float = 0.0  # the encoder's similarity of the unit (and its section) to the question
    score: float = 0.0


class VectorMemo:
    """Unit vectors by text, the most recent `size` kept: the vector of a text never
    changes, so a unit quoted again is not encoded again (about 2 ms each). Nothing is
    stale when a document changes: a changed unit is another text."""

    def __init__(self, size: int):
        self.size = size
        self._vectors: OrderedDict[str, bytes | None] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> list[bytes | None]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        fresh = dict(zip(missing, vectors.encode_passages(missing), strict=True)) if missing else {}
        with self._lock:
            self._vectors.update(fresh)
            for text in texts:
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
            return [self._vectors[t] for t in texts]


unit_vectors = VectorMemo(MEMO_UNITS)


def words_of(text: str) -> int:
    return len(WORD.findall(text))


def _question_terms(question: str) -> list[str]:
    """The analysed terms of the question minus those that only say which kind of fact is
    asked ("combien", "heure"): the kind is weighed on its own."""
    analyzer = get_analyzer()
    terms = list(dict.fromkeys(analyzer(question)))
    kind_words = set(analyzer(" ".join(answertypes.KIND_WORDS)))
    return [t for t in terms if t not in kind_words] or terms


def features(question: str, units: list[Unit], k1: float = WEIGHTS.k1) -> list[Scored]:
    """Each unit's lexical, kind and prior features (no similarity yet)."""
    if not units:
        return []
    analyzer = get_analyzer()
    asked = _question_terms(question)
    terms = [analyzer(f"{u.context}\n{u.text}") for u in units]
    df: dict[str, int] = {}
    for unit_terms in terms:
        for term in set(unit_terms):
            df[term] = df.get(term, 0) + 1
    stats = CorpusStats(n=len(units), avgdl=sum(map(len, terms)) / len(units), df=df)
    bm25 = Hybrid(k1=k1, b=0.0, lead_terms=0, lead_weight=0.0, dense_weight=0.0)
    ceiling = bm25.ceiling(asked, stats) or 1.0
    candidates = [Candidate(i, unit_terms) for i, unit_terms in enumerate(terms)]
    lexical = dict(bm25.score(asked, candidates, stats)) if asked else {}
    wanted = answertypes.asked(question)
    out = []
    for i, unit in enumerate(units):
        gives = answertypes.given(f"{unit.intro} {unit.text}")
        gives |= answertypes.given(unit.heading) & {"date"}  # an event's date is its heading
        kind = len(wanted & gives) / len(wanted) if wanted else 0.0
        out.append(Scored(unit, lexical.get(i, 0.0) / ceiling, kind, unit.extra.get("prior", 0)))
    return out


def views(unit: Unit) -> tuple[str, str]:
    """The two texts of a unit the encoder reads: the unit alone, and the unit under its
    heading path and opening. Their similarities are averaged: each view alone misjudges
    some units (docs/benchmarks.md)."""
    return unit.text, f"{unit.context}\n{unit.text}"


def rank(question: str, scored: list[Scored], weights: Weights = WEIGHTS) -> list[Scored]:
    """The units best first, each scored from its features and its similarity."""
    query = vectors.encode_query(question) if scored else None
    cosines = [0.0] * len(scored)
    if query is not None:
        texts = [text for s in scored for text in views(s.unit)]
        both = vectors.cosines(query, unit_vectors.encode(texts))
        cosines = [(both[i] + both[i + 1]) / 2 for i in range(0, len(both), 2)]
    for item, cosine in zip(scored, cosines, strict=True):
        item.cosine = cosine
        item.score = (
            weights.lexical * item.lexical
            + weights.dense * cosine
            + weights.kind * item.kind
            + weights.prior * item.prior
        )
    return sorted(scored, key=lambda s: (-s.score, s.unit.order))


def confidence(ranked: list[Scored]) -> float:
    """How surely the documents answer the question: the mean similarity to the question
    of the CONFIDENCE_UNITS units closest to it. Words in common do not count: an off-topic
    question often shares one with some unit ("médicaments", "mer"); and one close unit is
    not enough, the encoder finds one by chance now and then."""
    best = sorted((s.cosine for s in ranked), reverse=True)[:CONFIDENCE_UNITS]
    return round(sum(best) / len(best), 4) if best else 0.0


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
    dated = "date" in answertypes.given(unit.section)
    return unit.section if about and (short or dated) and len(missing) * 2 > len(about) else ""


def _size(item: Scored) -> int:
    return words_of(item.unit.text) + words_of(lead_of(item.unit))


def _whole_list(ranked: list[Scored]) -> list[Scored] | None:
    """All the items of the best unit's list, if it is an item of a short list."""
    best = ranked[0].unit
    if best.kind != "item" or best.list_id is None:
        return None
    items = [s for s in ranked if s.unit.list_id == best.list_id]
    words = sum(words_of(s.unit.text) for s in items) + words_of(lead_of(best))
    return items if words <= LIST_WORDS else None


def _contact(ranked: list[Scored], chosen: list[Scored]) -> Scored | None:
    """The unit of the best one's section that gives a phone number, if none chosen does."""
    if any("phone" in answertypes.given(s.unit.text) for s in chosen):
        return None
    section = (ranked[0].unit.source, ranked[0].unit.heading)
    for item in ranked:
        same = (item.unit.source, item.unit.heading) == section
        if same and item not in chosen and "phone" in answertypes.given(item.unit.text):
            return item
    return None


def choose(ranked: list[Scored]) -> list[Scored]:
    """The units of the answer (see the module docstring, step 4), in answer order."""
    if not ranked:
        return []
    chosen = _whole_list(ranked)
    whole = chosen is not None
    if chosen is None:
        best = ranked[0]
        chosen, used = [best], _size(best)
        for item in ranked[1:]:
            if len(chosen) == MAX_UNITS or item.score < KEEP_RATIO * best.score:
                break
            if used + _size(item) <= ANSWER_WORDS:
                chosen.append(item)
                used += _size(item)
    contact = _contact(ranked, chosen)
    if contact is not None:  # in place of the last unit if there are MAX_UNITS already
        kept = chosen if whole or len(chosen) < MAX_UNITS else chosen[: MAX_UNITS - 1]
        chosen = [*kept, contact]
    return _in_lists(chosen)


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


def extract(question: str, found: list, merged: list, weights: Weights = WEIGHTS) -> Extraction:
    """The Extraction for a question from the passages found and their merged sources."""
    ranked = rank(question, features(question, window(found, merged), weights.k1), weights)
    level = confidence(ranked)
    if level < THRESHOLD:
        return Extraction(units=[], confidence=level, covered=False)
    units = [
        AnswerUnit(s.unit.text, s.unit.source, s.unit.kind, lead_of(s.unit), s.unit.list_id)
        for s in choose(ranked)
    ]
    cited = list(dict.fromkeys(u.source for u in units))[:MAX_SOURCES]
    sources = [
        (n, source_title(merged[n - 1].title, merged[n - 1].heading), merged[n - 1].page)
        for n in cited
    ]
    return Extraction(units=units, confidence=level, covered=True, sources=sources)


def extraction_for(question: str, found: list, merged: list):
    """ChatRequest.extract: a callable that extracts once, when first called."""
    done: list[Extraction] = []

    def extraction() -> Extraction:
        if not done:
            done.append(extract(question, found, merged) if found else _nothing())
        return done[0]

    return extraction


def _nothing() -> Extraction:
    return Extraction(units=[], confidence=0.0, covered=False)
