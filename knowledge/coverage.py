"""Whether the town's documents answer a question at all: the offline answerer's confidence.

Below it the resident gets the plain "not covered" answer with the town hall's contact,
never an unrelated extract (knowledge.extractive). Three rules, each on the units of the
prompt's passages (the wider pool would raise the chance of a look-alike):
- the confidence: the mean similarity to the question of the CONFIDENCE_UNITS units closest
  to it (the encoder, knowledge.vectors), at THRESHOLD or above. Words in common do not
  count here: an off-topic question often shares one with some unit ("médicaments", "mer"),
  and one close unit is not enough, the encoder finds one by chance now and then;
- from RESCUE up, a question one of whose units holds every word that says what it is about
  ("Comment avoir la téléassistance ?" under "La téléassistance"): the encoder misjudges
  short questions on a single rare word;
- never when the best unit shares no such word with the question: then it was chosen for
  its section and its kind of fact alone ("les horaires du bureau de poste" → a beach's);
- never when a French question names something (a capitalised word inside a sentence) that
  no document of the town mentions, nor any group of residents' words: "la carte Vitale",
  "un téléphone Samsung", "mon fils au Canada", "la plus belle plage de Bretagne". Over the
  298 town questions of bench/ not one does; 26 of the 100 off-topic ones do
  (docs/benchmarks.md, fifth session).
THRESHOLD and RESCUE are on the encoder's scale and were chosen on the dev and check sets'
halves (docs/benchmarks.md): after changing the encoder or the analyzer, rerun
`manage.py answer_bench` and bench/answer_score.py and set them again.
"""

import re

from .analysis import fold, get_analyzer
from .answertypes import subject_terms
from .retrieval import known_terms
from .synonyms import GROUPS

THRESHOLD = 0.21  # calibrated on the dev set's halves: docs/benchmarks.md (2026-12 section)
RESCUE = 0.15  # from here, a question all of whose words one unit holds is covered too
CONFIDENCE_UNITS = 2  # the confidence is the mean similarity of this many closest units


def confidence(cosines: list[float]) -> float:
    """The mean of the CONFIDENCE_UNITS best similarities (0 when there is none)."""
    best = sorted(cosines, reverse=True)[:CONFIDENCE_UNITS]
    return round(sum(best) / len(best), 4) if best else 0.0


def said_whole(question: str, units: list) -> bool:
    """Whether one unit (with its heading path and opening) holds every word of the question
    that says what it is about."""
    analyzer = get_analyzer()
    wanted = set(subject_terms(question))
    return any(wanted <= set(analyzer(f"{u.context}\n{u.text}")) for u in units)


_WORD = re.compile(r"[\w'’-]+")
_ELIDED = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_SENTENCE_START = '.!?:;«"(…'
_RESIDENTS_WORDS = frozenset(
    word for group in GROUPS for expression in group for word in expression.split()
)


def names(question: str) -> list[str]:
    """The capitalised words of a question that do not begin a sentence ("Vitale" in "ma
    carte Vitale"), elision aside ("l'Australie")."""
    found = []
    for match in _WORD.finditer(question):
        word = _ELIDED.sub("", match.group(0))
        before = question[: match.start()].rstrip()
        if len(word) >= 3 and word[0].isupper() and before and before[-1] not in _SENTENCE_START:
            found.append(word)
    return found


def names_unknown(question: str) -> bool:
    """Whether the question names something no document of the town mentions."""
    analyzer = get_analyzer()
    named = {w: analyzer(w) for w in names(question) if fold(w) not in _RESIDENTS_WORDS}
    named = {w: terms for w, terms in named.items() if terms}
    if not named:
        return False
    known = known_terms([t for terms in named.values() for t in terms])
    return any(not known & set(terms) for terms in named.values())


def covered(question: str, level: float, units: list, best, language: str = "fr") -> bool:
    """The rules above, for a question of confidence `level`, the `units` of the prompt's
    passages and `best`, the scored unit ranked first (knowledge.answerchoice.Scored), asked
    in `language` (the names rule reads French questions only: "Christmas" is no unknown
    name in an English one)."""
    if best.lexical <= 0 or (language == "fr" and names_unknown(question)):
        return False
    return level >= THRESHOLD or (level >= RESCUE and said_whole(question, units))
