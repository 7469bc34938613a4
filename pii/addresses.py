"""Street addresses that locate someone's home, not the town's public places.

The rule, tuned on the dev half of bench/pii_sentences.jsonl:
- an address is a chain of parts: a house number and a street ("12 rue du Port", "8 bis
  allée des Oyats", "au 40 de l'avenue des Pins"), a street or residence without number,
  a flat or building ("appartement 14", "bâtiment B"), a postcode and town;
- it is personal when it has a house number, or when the resident introduces it as a home
  ("j'habite rue des Mimosas", "mon adresse :", "I live at");
- a numbered address in a sentence about a public service ("le CCAS est-il toujours au
  12 rue des Tamaris ?") is the service's address, not a home, unless a first-person word
  says otherwise;
- a street without a number and without such a cue is a place in the town ("travaux avenue
  de la République", "la mairie est-elle rue de la Mairie ?"): never flagged.
The spaCy model has no address label (its LOC covers towns, streets and beaches alike), so
this is a pattern, run as a presidio recogniser.
"""

import re

from presidio_analyzer import LocalRecognizer, RecognizerResult

from .words import CAP, PARTICLE, words_before, wordset

_TYPES = (
    r"(?:rue|avenue|av\.|boulevard|bd|bld|place|pl\.|quai|allée|allee|impasse|imp\.|chemin|"
    r"route|rte|square|cours|esplanade|promenade|passage|sentier|voie|ruelle|venelle|"
    r"street|st\.|road|rd\.|lane|drive|close)"
)
_ESTATES = r"(?:résidence|residence|lotissement|cité|hameau|lieu-dit|domaine)"
_ARTICLE = r"(?:de[ \t]+la|de[ \t]+l['’]|du|des|de|d['’]|la|le|les|l['’])"
_STREET_NAME = rf"(?:(?i:{_ARTICLE})[ \t]*)?[\w'’-]+(?:[ \t]+(?:{PARTICLE}[ \t]+)?{CAP}){{0,3}}"
_NUMBER = r"\b\d{1,4}(?:[ \t]?(?i:bis|ter|quater)\b)?"
_NUMBERED = (
    rf"{_NUMBER},?[ \t]*(?:(?i:de[ \t]+l['’]|de[ \t]+la[ \t]+|du[ \t]+))?"
    rf"(?i:{_TYPES})[ \t]+{_STREET_NAME}"
)
# English order, for the odd address abroad: "3 Church Street", "12 Kings Road".
_ENGLISH = (
    rf"\b\d{{1,4}}[ \t]+(?:{CAP}[ \t]+){{1,3}}"
    r"(?:Street|St|Road|Rd|Lane|Avenue|Ave|Drive|Close|Way|Court|Crescent|Gardens|Terrace)\b"
)
_PART = (
    rf"(?:{_NUMBERED}"
    rf"|(?i:{_TYPES}|{_ESTATES})[ \t]+{_STREET_NAME}"
    r"|(?i:appartement|appart\.?|appt\.?|apt\.?|bâtiment|bât\.?|batiment|étage|escalier|"
    r"flat|building)[ \t]*(?:n°[ \t]*)?(?:\d[\w-]{0,3}|[A-Z])\b"
    rf"|\b\d{{5}}[ \t]+{CAP}(?:[ -]{CAP})*)"
)
_CHAIN = re.compile(rf"{_PART}(?:[ \t]*,?[ \t]*{_PART})*|{_ENGLISH}")
_NUMBERED_RE = re.compile(rf"{_NUMBERED}|{_ENGLISH}")

# "j'habite", "mon adresse est le", "I live at": the words right before the address.
_HOME_CUE = re.compile(
    r"(?i:\bj['’]habite|\bje\s+vis|\bje\s+réside|\bje\s+demeure|\bnous\s+habitons|\bnous\s+vivons|"
    r"\bon\s+habite|\bdomiciliée?|\bhabite|\bvit|\bréside|\badresse|\bi\s+live|\bwe\s+live|"
    r"\blives?|\bliving|\baddress)"
    r"(?:\s+(?i:est|is|c['’]est|au|à|a|at|on|in|le|la|:|-))*\s*[:,]?\s*$"
)
_PUBLIC = wordset(
    "mairie ville ccas police gendarmerie médiathèque mediathèque bibliothèque quartier office "
    "services service poste école collège salle gymnase église cabinet permanence pharmacie "
    "déchetterie piscine cimetière tourisme library hall station"
)
_FIRST_PERSON = wordset("je j m me moi mon ma mes nous notre nos i my we our")


def _public_service(text: str, start: int) -> bool:
    before = set(words_before(text, start, 8))
    return bool(before & _PUBLIC) and not before & _FIRST_PERSON


def address_spans(text: str) -> list[tuple[int, int]]:
    found = []
    for chain in _CHAIN.finditer(text):
        start, end = chain.span()
        home = _HOME_CUE.search(text[max(0, start - 40) : start])
        numbered = _NUMBERED_RE.search(chain.group())
        if home or (numbered and not _public_service(text, start)):
            found.append((start, end))
    return found


class AddressRecognizer(LocalRecognizer):
    def __init__(self):
        super().__init__(supported_entities=["ADDRESS"], supported_language="fr")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        return [RecognizerResult("ADDRESS", s, e, 0.85) for s, e in address_spans(text)]
