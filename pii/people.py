"""Person names: the spaCy model's PER entities, kept only in a personal context, plus names
that a cue introduces ("je m'appelle", "ma fille", "Mme", a signature).

The rule, tuned on the dev half of bench/pii_sentences.jsonl:
- a PER entity is trimmed of greetings and titles ("Bonjour Madame X" -> "X");
- it is dropped when it names a place: a street or public-place word before it ("école
  Jules Ferry", "salle Jean Moulin", "rue Victor Hugo") or as its first word;
- it is dropped after a public office ("Madame la Maire, Hélène Varenne", "l'adjointe ..."):
  elected people named in their role are public;
- a one-word entity opening a sentence is dropped ("Pouvez-vous", "Combien" are read as
  names by the small model) unless a cue introduces it;
- cues add the names the model misses, mostly first names alone ("mon mari Bernard") and
  lower-case names after "je m'appelle".
"""

import re

from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from .words import (
    CAP,
    DEMONYMS,
    GREETINGS,
    OFFICES,
    PARTICLE,
    PLACE_WORDS,
    STOP_WORDS,
    TITLE,
    word_after,
    words_before,
    wordset,
)

_NAME = rf"{CAP}(?:[ \t]+(?:{PARTICLE}[ \t]+)?{CAP}){{0,3}}"
# Two people at once: "M. et Mme Tessier", "Robert and Linda Clarke".
_AND = r"[ \t]+(?:et|and|&)[ \t]+"
_TITLES = rf"{TITLE}(?:{_AND}{TITLE})?"
_NAMES = rf"(?:{_TITLES}[ \t]+)?{_NAME}(?:{_AND}{_NAME})?"
_KIN = (
    "mari|femme|épouse|époux|compagne|compagnon|fils|fille|père|mère|frère|sœur|soeur|"
    "grand-mère|grand-père|petit-fils|petite-fille|belle-fille|belle-mère|beau-père|gendre|"
    "bru|tante|oncle|nièce|neveu|cousin|cousine|voisin|voisine|aide à domicile|aidante|"
    "aide-soignante|infirmière|infirmier|husband|wife|partner|son|daughter|father|mother|"
    "brother|sister|neighbour|neighbor|niece|nephew|carer|friend|ami|amie"
)
# "je m'appelle robert bonnet et ...": any case, up to three words before a stop word.
_CALLED = re.compile(
    r"(?i:je\s+m['’]appelle|je\s+me\s+nomme|mon\s+nom\s+(?:est|:)|my\s+name\s+is|"
    r"s['’]appelle|is\s+called)\s+"
    r"(?P<name>(?!(?i:et|and|je|I)\b)[\w'’-]+(?:[ \t]+(?!(?i:et|and|je|j|I|qui|who)\b)"
    r"[\w'’-]+){0,2})"
)
# "je suis X", "c'est X", "I'm X" also open "je suis Française", "c'est Noël bientôt": one
# word after them counts only when the sentence pauses after it ("C'est Josiane, de la
# résidence", "this is Emma from ...").
_SELF = re.compile(
    rf"(?i:\bje\s+suis|\bi['’]m|\bi\s+am|\bthis\s+is|\bc['’]est|\bici)\s+(?P<name>{_NAMES})"
)
_PAUSE = re.compile(r"\s*(?:[,.;:!?)]|$|(?i:de|du|d['’]|from|of)\b)")
_CUES = [
    re.compile(rf"(?i:\b(?:mon|ma|mes|my|our|notre)\s+(?:{_KIN}))\s*,?\s+(?P<name>{_NAMES})"),
    re.compile(rf"(?P<name>\b{_TITLES}[ \t]+{_NAME})"),
]
# A signature: a name alone at the end, after a closing word or a full stop. Two words at
# least: one word there is as often the town ("..., Port-Lumière.").
_SIGNATURE = re.compile(rf"(?:^|[.!,\n]\s*)(?P<name>{_NAMES})\s*[.!]?\s*$")


def _not_a_name(word: str) -> bool:
    lower = word.lower().rstrip(".")
    return (
        not word[0].isupper()
        or lower in GREETINGS
        or lower in STOP_WORDS
        or lower in DEMONYMS
        or re.fullmatch(TITLE, word) is not None
    )


def _name_words(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without greetings, titles or stop words at its edges ("Bonjour Madame X" ->
    "X", "John Smith and I" -> "John Smith"); None when nothing name-like is left or when it
    is an office ("Madame la Maire")."""
    words = [m.span() for m in re.finditer(r"[\w'’.-]+", text[start:end])]
    words = [(s + start, e + start) for s, e in words]
    while words and _not_a_name(text[slice(*words[0])]):
        words.pop(0)
    while words and _not_a_name(text[slice(*words[-1])]):
        words.pop()
    if not words or any(text[slice(*w)].lower() in OFFICES for w in words):
        return None
    return words[0][0], words[-1][1]


_ARTICLES = wordset("de du des la le les l d the a")


def _names_a_place_or_office(text: str, start: int, end: int) -> bool:
    before = [w for w in words_before(text, start, 5) if w not in _ARTICLES]
    first = text[start:end].split()[0].lower()
    if first in PLACE_WORDS or (before and before[-1] in PLACE_WORDS):
        return True
    if word_after(text, end) in {"school", "street", "road", "hall", "centre", "center"}:
        return True
    return any(w in OFFICES for w in before[-3:])


def _opens_sentence(text: str, start: int, end: int) -> bool:
    """One word with nothing but stop words before it in its sentence."""
    before = words_before(text, start, 50)
    return " " not in text[start:end] and all(w in STOP_WORDS or w in GREETINGS for w in before)


def ner_names(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept = []
    for start, end in spans:
        trimmed = _name_words(text, start, end)
        if trimmed is None or any(ch.isdigit() or ch == "@" for ch in text[start:end]):
            continue
        if _names_a_place_or_office(text, *trimmed) or _opens_sentence(text, *trimmed):
            continue
        kept.append(trimmed)
    return kept


def cue_names(text: str) -> list[tuple[int, int]]:
    found = [match.span("name") for match in _CALLED.finditer(text)]
    for match in _SELF.finditer(text):
        span = _name_words(text, *match.span("name"))
        if span and (" " in text[slice(*span)] or _PAUSE.match(text, span[1])):
            found.append(span)
    for cue in _CUES:
        for match in cue.finditer(text):
            span = _name_words(text, *match.span("name"))
            if span and not _names_a_place_or_office(text, *span):
                found.append(span)
    for match in _SIGNATURE.finditer(text):
        span = _name_words(text, *match.span("name"))
        if span and " " in text[slice(*span)] and not _names_a_place_or_office(text, *span):
            found.append(span)
    return found


class ResidentNameRecognizer(SpacyRecognizer):
    """presidio's spaCy recogniser (PER -> PERSON) with the rule above applied."""

    def __init__(self):
        super().__init__(supported_language="fr", supported_entities=["PERSON"])

    def analyze(self, text, entities, nlp_artifacts=None):
        ner = super().analyze(text, ["PERSON"], nlp_artifacts)
        spans = ner_names(text, [(r.start, r.end) for r in ner]) + cue_names(text)
        return [RecognizerResult("PERSON", start, end, 0.85) for start, end in spans]
