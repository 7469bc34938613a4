"""A resident's age and the documents' age conditions ("70 ans et plus", "moins de 12 ans").

Seniors often say their age ("J'ai 78 ans et plus de voiture…", "ma fille, qui a 55 ans"),
and the documents say whom a service is for by an age: "pour les habitants de 70 ans et
plus", "accompagnant de moins de 70 ans : 28 €". No document writes the resident's "78", so
the words in common miss the one sentence meant for them; the offline answerer credits a unit
whose condition the age meets as holding that word (knowledge.extractive). Plain French
forms only, on the accent-folded text: nothing here is about one town.
"""

import re

from .analysis import fold

OLDEST = 130  # the upper end of an open condition ("65 ans et plus")
# "j'ai 78 ans", "qui a 55 ans", "vient d'avoir 16 ans", "âgée de 80 ans", "ma femme en a 66"
SAID = re.compile(
    r"(?<!\by )\b(?:ai|a|as|avons|avez|ont|avoir|agee?s? de) (\d{1,3}) ?ans\b"  # not "il y a"
    r"|\ben a (\d{1,3})\b(?! ?[€h])"
)
CONDITIONS = (  # pattern, (lowest, highest) from the numbers it reads
    (re.compile(r"\b(\d{1,3}) ans (?:et|ou) plus\b"), lambda n: (n, OLDEST)),
    (re.compile(r"\bplus de (\d{1,3}) ans\b"), lambda n: (n + 1, OLDEST)),
    (re.compile(r"\bmoins de (\d{1,3}) ans\b"), lambda n: (0, n - 1)),
    (re.compile(r"\b(?:des|a partir de) (\d{1,3}) ans\b"), lambda n: (n, OLDEST)),
    (re.compile(r"\bjusqu'a (\d{1,3}) ans\b"), lambda n: (0, n)),
    (re.compile(r"\bde (\d{1,3}) a (\d{1,3}) ans\b"), lambda n, m: (n, m)),
    (re.compile(r"(?<!de )\b(\d{1,3}) a (\d{1,3}) ans\b"), lambda n, m: (n, m)),
    (re.compile(r"\ba (\d{1,3}) ans\b"), lambda n: (n, n)),  # "le recensement à 16 ans"
)


def _folded(text: str) -> str:
    return fold(text).replace("’", "'")


def ages_said(question: str) -> list[int]:
    """The ages a question gives ("J'ai 78 ans" → [78])."""
    found = [int(a or b) for a, b in SAID.findall(_folded(question))]
    return [n for n in found if 0 < n <= OLDEST]


def conditions(text: str) -> list[tuple[int, int]]:
    """The age ranges a text names, both ends included."""
    folded = _folded(text)
    found = []
    for pattern, bounds in CONDITIONS:
        for match in pattern.finditer(folded):
            found.append(bounds(*(int(n) for n in match.groups())))
    return found


def fits(ages: list[int], text: str) -> bool:
    """Whether one of the ages meets one of the text's age conditions."""
    return any(low <= age <= high for age in ages for low, high in conditions(text))
