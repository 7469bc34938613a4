"""Extractive answers: the sentences and list items of the found passages that answer a question.

This is what the offline provider says. `extraction_for()` is called by knowledge.prompt
.assemble and returns a *callable* (ChatRequest.extract), not the answer: a question answered
by a language model never pays for it; the offline provider calls it only when it answers
(from a thread: it reads the database). providers sits below knowledge, so the provider
only formats the Extraction it gets (providers.messages).

1. Candidates: the units of the passages found, with a window around each
   (knowledge.windows, knowledge.units); and, when the prompt's passages came from the
   retrieval, those of the next ones up to POOL_PASSAGES (the answer is often a passage or two
   further down than a language model needs: docs/benchmarks.md), of which the POOL_UNITS
   best by words in common and kind of fact are read by the encoder too.
2. Features of each unit, with the retrieval's own signals: BM25 (knowledge.scoring, over the
   analyzer's terms of the unit's heading path, its list opening or question, then its text;
   statistics of these units, so a word found in every unit of the window weighs little; the
   words that only say which kind of fact is asked, "combien", "heure", are left to the next
   signal) over its ceiling, a resident's age ("j'ai 78 ans") counting as a word of the
   units whose age condition it meets ("70 ans et plus": knowledge.ages); whether it gives
   the kind of fact asked (knowledge.answertypes; for a question asking several kinds, the
   mean with its section's share, as an event's facts are spread over its sentences);
   the retrieval's score of its chunk; the encoder's similarity to the question
   (knowledge.vectors), as the retrieval fuses it; and how well its section answers (the
   best words-and-similarity score of a unit of the same section), so that a sentence of the
   right section beats a look-alike one elsewhere.
3. Whether the documents answer at all (knowledge.coverage: the confidence over the units of
   the prompt's passages only, as calibrated, and two rules on words); if not, the answer is
   "not covered": the resident gets the town hall's contact and no extract.
4. Answer: the units knowledge.answerchoice chooses (the best, its list, those scoring
   nearly as well, a phone number to call). A unit from beyond the prompt's passages is
   cited by a new number: its passage is added to the request's passages (`merged`), so that
   the chat lists it under the answer. Each source cited is titled by the sections quoted.
5. Days: for a question about "ce week-end", "demain", "cette semaine", "samedi" or a public
   holiday, the units of an event on another day are left out. A vague "what is on" question
   ("Que faire la semaine prochaine ?") puts the events of those days first, is covered,
   whatever its confidence, when one falls on them, and is answered with each event once, in
   date order, by its first unit (knowledge.eventdays, knowledge.frdates). Once the coverage
   is decided, an event that is over weighs less when one to come scores nearly as well ("le
   prochain loto" read in December: the 19 December one, not November's).

Every weight was chosen on the dev set (bench/answers_dev.jsonl) by cross-validation on its
two halves, but the prior of units under no heading, chosen on both halves of another domain
(bench/spf_town_answers.py), and eventdays.PAST_WEIGHT, a rule of order (no question of the
sets is asked after an event it names): docs/benchmarks.md has the method and the figures.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

from providers.messages import AnswerUnit, Extraction

from . import ages, answertypes, coverage, vectors
from .analysis import get_analyzer
from .answerchoice import Scored, card, choose, lead_of, within
from .citations import source_title
from .eventdays import (
    events_in_order,
    in_season_first,
    on_the_days,
    past_events_later,
    whats_on,
)
from .frdates import written_days
from .scoring import Candidate, CorpusStats, Hybrid
from .synonyms import expansions, family
from .units import Unit
from .windows import pool

MAX_SOURCES = 3  # "to read more": at most this many sources
MEMO_UNITS = 4096  # unit vectors kept per process (float16, 1 kB each)
POOL_PASSAGES = 10  # passages read for the offline answer (the prompt has KNOWLEDGE_PASSAGES)
# 10 beat 5 and 15 on both halves of the dev set: docs/benchmarks.md (the wider pool)
POOL_UNITS = 10  # units beyond the prompt's passages that the encoder reads (2 views each)
DAY_WORDS = 0.5  # the days a question means weigh half its own words: inferred, not said
RELATED_WORDS = 0.5  # so do the words of the same family as its own and the documents' words
# for the residents' words it uses (knowledge.synonyms)


@dataclass(frozen=True)
class Weights:
    """How a unit's score is made from its features (docs/benchmarks.md: how chosen)."""

    lexical: float = 0.5
    dense: float = 0.5
    kind: float = 0.5
    # the retrieval's score of the unit's passage, for a unit under no heading only: in a
    # document without sections it is the one sign of which passage is about the question
    # (service-public.fr fiches as a town's documents: the first source cited was the right
    # fiche for 79% of the questions, 84% with it, up on both halves); under a heading the
    # section score does that, and the prior helped neither half of the dev set
    prior: float = 1.0
    section: float = 1.0  # the best lexical + dense score of the unit's section
    k1: float = 1.2  # BM25 saturation; no length normalisation (b = 0): units are short


WEIGHTS = Weights()


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


def features(question: str, units: list[Unit], k1: float = WEIGHTS.k1, days=()) -> list[Scored]:
    """Each unit's lexical, kind and prior features (no similarity yet); the `days` the
    question means count as words of it, written as documents write them ("samedi 12
    décembre", "jours fériés": knowledge.frdates.written_days), at DAY_WORDS of its own."""
    if not units:
        return []
    analyzer = get_analyzer()
    said = answertypes.subject_terms(question)
    day_terms = answertypes.subject_terms("\n".join(written_days(days)))
    inferred = [t for t in day_terms if t not in said]
    terms = [analyzer(f"{u.context}\n{u.text}") for u in units]
    related = family(said + inferred, terms)
    documents_words = analyzer("\n".join(expansions(question)))  # "objets trouvés" whole
    related += [t for t in documents_words if t not in related]
    df: dict[str, int] = {}
    for unit_terms in terms:
        for term in set(unit_terms):
            df[term] = df.get(term, 0) + 1
    stats = CorpusStats(n=len(units), avgdl=sum(map(len, terms)) / len(units), df=df)
    bm25 = Hybrid(k1=k1, b=0.0, lead_terms=0, lead_weight=0.0, dense_weight=0.0)
    candidates = [Candidate(i, unit_terms) for i, unit_terms in enumerate(terms)]
    lexical: dict[int, float] = {}
    ceiling = 0.0
    for words, weight in ((said, 1.0), (inferred, DAY_WORDS), (related, RELATED_WORDS)):
        if words:
            ceiling += weight * bm25.ceiling(words, stats)
            for i, score in bm25.score(words, candidates, stats):
                lexical[i] = lexical.get(i, 0.0) + weight * score
    ceiling += _credit_ages(question, units, lexical, bm25, k1)
    ceiling = ceiling or 1.0
    kinds = _kinds(question, units)
    return [
        Scored(unit, lexical.get(i, 0.0) / ceiling, kinds[i], unit.extra.get("prior", 0))
        for i, unit in enumerate(units)
    ]


def _kinds(question: str, units: list[Unit]) -> list[float]:
    """Each unit's share of the kinds of fact asked that it gives (an event's date is its
    heading's); for a question asking several ("combien, et où faut-il s'inscrire ?"), the
    mean of that and its section's share: the facts of an event are often in several
    sentences, and a section giving them all answers better than one sentence of another
    giving two ("tournoi de belote à la salle Océane (inscription 5 €)")."""
    wanted = answertypes.asked(question)
    if not wanted:
        return [0.0] * len(units)
    given = [
        answertypes.given(f"{u.intro} {u.text}", question)
        | (answertypes.given(u.heading) & {"date"})
        for u in units
    ]
    sections: dict[tuple, set] = {}
    for unit, gives in zip(units, given, strict=True):
        sections.setdefault((unit.source, unit.heading), set()).update(gives)
    shares = []
    for unit, gives in zip(units, given, strict=True):
        share = len(wanted & gives) / len(wanted)
        if len(wanted) > 1:
            share = (share + len(wanted & sections[(unit.source, unit.heading)]) / len(wanted)) / 2
        shares.append(share)
    return shares


def _credit_ages(question: str, units: list[Unit], lexical: dict, bm25, k1: float) -> float:
    """Credit the units whose age condition the resident's age meets ("70 ans et plus" for
    "j'ai 78 ans") as holding the age, a word of the question (knowledge.ages); returns what
    the word adds to the ceiling (nothing when no unit fits)."""
    said = ages.ages_said(question)
    fitting = [i for i, u in enumerate(units) if said and ages.fits(said, f"{u.intro} {u.text}")]
    if not fitting:
        return 0.0
    idf = bm25.idf(len(fitting), len(units))  # one occurrence, no length normalisation
    for i in fitting:
        lexical[i] = lexical.get(i, 0.0) + idf
    return idf * (k1 + 1)


def views(unit: Unit) -> tuple[str, str]:
    """The two texts of a unit the encoder reads: the unit alone, and the unit under its
    heading path and opening. Their similarities are averaged: each view alone misjudges
    some units (docs/benchmarks.md)."""
    return unit.text, f"{unit.context}\n{unit.text}"


def _similarities(question: str, scored: list[Scored]) -> tuple[list[float], list[float]]:
    """Each unit's similarity to the question (the mean of its two `views`) and, for the
    confidence only, to the question with the documents' words for the resident's."""
    if not scored:
        return [], []
    vecs = unit_vectors.encode([text for s in scored for text in views(s.unit)])

    def to(text: str) -> list[float]:
        both = vectors.cosines(vectors.encode_query(text), vecs)
        return [(both[i] + both[i + 1]) / 2 for i in range(0, len(both), 2)]

    cosines = to(question)
    more = expansions(question)
    return cosines, (to(" ".join([question, *more])) if more else cosines)


def rank(question: str, scored: list[Scored], weights: Weights = WEIGHTS) -> list[Scored]:
    """The units best first, each scored from its features, its similarity and its
    section's best (words and similarity only: the kind of fact is the unit's own)."""
    cosines, closeness = _similarities(question, scored)
    sections: dict[tuple, float] = {}
    for item, cosine, close in zip(scored, cosines, closeness, strict=True):
        item.cosine, item.closeness = cosine, close
        item.score = weights.lexical * item.lexical + weights.dense * cosine
        key = (item.unit.source, item.unit.heading)
        sections[key] = max(sections.get(key, item.score), item.score)
    for item in scored:
        item.score += (
            weights.kind * item.kind
            + weights.prior * item.prior * (not item.unit.heading.strip())
            + weights.section * sections[(item.unit.source, item.unit.heading)]
        )
    return sorted(scored, key=lambda s: (-s.score, s.unit.order))


def shortlist(scored: list[Scored], size: int, weights: Weights = WEIGHTS) -> list[Scored]:
    """The `size` units with the best words in common and kind of fact (no encoder yet): of
    the units beyond the prompt's passages, only these are worth encoding, 2 ms each
    (docs/benchmarks.md: 10 to 40 give the same answers, 5 one fewer)."""
    best = sorted(scored, key=lambda s: -(weights.lexical * s.lexical + weights.kind * s.kind))
    return best[:size]


def extract(
    question: str,
    found: list,
    merged: list,
    wider=None,
    weights: Weights = WEIGHTS,
    days=(),
    today=None,
    language: str = "fr",
) -> Extraction:
    """The Extraction for a question from the passages found and their merged sources;
    `wider` gives (the further passages found, every source numbered) for the wider pool.
    A further source the answer cites is appended to `merged` (see the module docstring).
    `days`: the days the question means on `today` (see `on_the_days`)."""
    more, sources = wider() if wider else ([], merged)
    units, core = pool(found, merged, more, sources)
    scored = features(question, units, weights.k1, days)
    kept = scored[:core] + shortlist(scored[core:], POOL_UNITS, weights)
    asked = answertypes.asks_whats_on(question)
    best_first = rank(question, kept, weights)
    ranked = _ordered(question, best_first, days, today, asked)  # the coverage's, as calibrated
    level = coverage.confidence([s.closeness for s in kept[:core]])
    listed = asked and whats_on(question, ranked, days, today)
    core_units = [s.unit for s in kept[:core]]
    answers = bool(ranked) and (
        listed or coverage.covered(question, level, core_units, ranked[0], language)
    )
    if not answers:
        return Extraction(units=[], confidence=level, covered=False)
    ranked = _ordered(question, past_events_later(question, best_first, today), days, today, asked)
    events = events_in_order(question, ranked, days, today) if asked else []
    wanted = answertypes.asked(question)
    chosen = card(ranked, sources) or (within(events) if events else choose(ranked, wanted))
    numbers = _cite(chosen, merged, sources)
    _open_on_quoted(chosen, numbers, merged)
    units = [
        AnswerUnit(u.text, numbers[u.source], u.kind, lead_of(u), u.list_id)
        for u in (s.unit for s in chosen)
    ]
    cited = list(dict.fromkeys(u.source for u in units))[:MAX_SOURCES]
    shown = [
        (n, _quoted_title(chosen, numbers, merged[n - 1], n), merged[n - 1].page) for n in cited
    ]
    return Extraction(units=units, confidence=level, covered=True, sources=shown)


def _ordered(question: str, ranked: list[Scored], days, today, asked: bool) -> list[Scored]:
    """The units in answer order: the days' events first, then the season's rules."""
    return in_season_first(question, on_the_days(ranked, days, today, asked), today)


def _quoted_title(chosen: list[Scored], numbers: dict, passage, number: int) -> str:
    """A cited source as "document — the sections quoted from it": a passage merged from
    several sections names only those the answer quotes (the whole list, else)."""
    quoted = [s.unit.heading for s in chosen if numbers[s.unit.source] == number]
    heading = " / ".join(dict.fromkeys(h for h in quoted if h)) or passage.heading
    return source_title(passage.title, heading)


def _cite(chosen: list[Scored], merged: list, sources: list) -> dict[int, int]:
    """The number each chosen unit is cited by: its own for the prompt's passages; the next
    free ones, in answer order, for further passages, which are appended to `merged`."""
    numbers = {n: n for n in range(1, len(merged) + 1)}
    for item in chosen:
        source = item.unit.source
        if source not in numbers:
            merged.append(sources[source - 1])
            numbers[source] = len(merged)
    return numbers


def _open_on_quoted(chosen: list[Scored], numbers: dict, merged: list) -> None:
    """Point each cited source at the chunk of its first quoted unit: a source puts together
    the passages found in one document (knowledge.prompt.merge_sources) under the first one's
    chunk, and the chat's source panel highlights one chunk (knowledge.passages). A PDF
    page's units have no single chunk: that source keeps its own (the panel shows the page)."""
    opened = set()
    for item in chosen:
        number, chunk = numbers[item.unit.source], item.unit.extra.get("chunk")
        if number in opened or chunk is None:
            continue
        opened.add(number)
        if merged[number - 1].chunk_id != chunk:
            merged[number - 1] = replace(merged[number - 1], chunk_id=chunk)


def extraction_for(
    question: str, found: list, merged: list, wider=None, days=(), today=None, language="fr"
):
    """ChatRequest.extract: a callable that extracts once, when first called. `merged` is
    the request's own list of passages (a further source cited is added to it); `wider`, a
    callable giving the wider pool (knowledge.prompt.pool_for), or None; `days`, the days
    the question means (knowledge.frdates.days_meant) on `today`."""
    done: list[Extraction] = []

    def extraction() -> Extraction:
        if not done:
            if found:
                done.append(
                    extract(
                        question, found, merged, wider, days=days, today=today, language=language
                    )
                )
            else:
                done.append(_nothing())
        return done[0]

    return extraction


def _nothing() -> Extraction:
    return Extraction(units=[], confidence=0.0, covered=False)
