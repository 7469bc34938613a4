"""Dates of birth: a date (day and month at least) that a birth word introduces.

"né le 3 mars 1950", "date de naissance : 12/04/1947", "DOB 21/07/1939", "born on 5 May
1950", "(née le 19/03/1944)". Any other date (a meeting, an appointment, an event) is the
town's business and stays. The birth word must come before the date in the same sentence,
at most eight words before: "Je suis né à Port-Lumière le 5 mai 1942".
"""

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult

from .words import words_before, wordset

_MONTHS_FR = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    r"(?<![\d/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 12/04/1947, 12.04.47
    r"|\d{4}-\d{2}-\d{2}"  # 1950-03-03
    rf"|(?:1er|\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?i:{_MONTHS_FR}|{_MONTHS_EN})\b(?:[ \t]+\d{{4}})?"
    rf"|(?i:{_MONTHS_EN})[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}"
    r")(?![\d/.-]*\d)"
)
_BIRTH = wordset("né née nés nées nee naissance naît born birth dob d.o.b birthday")
# "ne le 3 mars 1950" typed without its accent: "ne" alone is the negation, so it counts
# only right before the date.
_UNACCENTED = re.compile(r"(?i:\bnee?s?\s+(?:le\s+|en\s+)?)$")


def birthdate_spans(text: str) -> list[tuple[int, int]]:
    return [
        m.span()
        for m in _DATE.finditer(text)
        if _BIRTH & set(words_before(text, m.start(), 8)) or _UNACCENTED.search(text[: m.start()])
    ]


class BirthDateRecognizer(LocalRecognizer):
    def __init__(self):
        super().__init__(supported_entities=["BIRTHDATE"], supported_language="fr")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        return [RecognizerResult("BIRTHDATE", s, e, 0.85) for s, e in birthdate_spans(text)]
