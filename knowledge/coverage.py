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
  its section and its kind of fact alone ("les horaires du bureau de poste" → a beach's).
THRESHOLD and RESCUE are on the encoder's scale and were chosen on the dev and check sets'
halves (docs/benchmarks.md): after changing the encoder or the analyzer, rerun
`manage.py answer_bench` and bench/answer_score.py and set them again.
"""

from .analysis import get_analyzer
from .answertypes import subject_terms

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


def covered(question: str, level: float, units: list, best) -> bool:
    """The rules above, for a question of confidence `level`, the `units` of the prompt's
    passages and `best`, the scored unit ranked first (knowledge.answerchoice.Scored)."""
    if best.lexical <= 0:
        return False
    return level >= THRESHOLD or (level >= RESCUE and said_whole(question, units))
