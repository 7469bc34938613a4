"""Word lists and small text helpers shared by the name and address rules.

Cue words of both languages apply whatever the page's language: a resident may well type
French on the English page, or the other way round.
"""

import re

from spacy.lang.en.stop_words import STOP_WORDS as _EN_STOP
from spacy.lang.fr.stop_words import STOP_WORDS as _FR_STOP


def wordset(words: str) -> frozenset[str]:
    """A set from a space-separated list, kept on a few lines instead of hundreds of quotes."""
    return frozenset(words.split())


# A capitalised word: Jeanne, Le, O'Brien, Jean-Claude, Élodie (Latin-1 capitals included).
CAP = r"[A-ZÀ-ÖØ-ÞŒ][\w'’-]*"
# Words kept inside a name: "Yves Le Goff", "Charles de Gaulle", "Ursula von der Leyen".
PARTICLE = r"(?:de|du|des|d['’]|van|von|der|ben|bin|el|da|di|dos|la|le)"

TITLE = (
    r"(?:M\.|MM\.|Mme|Mmes|Mlle|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Docteur|"
    r"Madame|Monsieur|Mademoiselle)"
)

# Streets and public places: a name right after one of these is a place named after someone
# ("école Jules Ferry", "salle Jean Moulin", "rue Victor Hugo"), not a person in the message.
STREET_TYPES = wordset(
    "rue avenue av boulevard bd bld place pl quai allée allee impasse imp chemin route rte "
    "square cours esplanade promenade passage sentier voie ruelle venelle lotissement "
    "résidence residence cité cite hameau lieu-dit rond-point parvis"
)
PUBLIC_PLACES = wordset(
    "salle école ecole collège college lycée lycee gymnase stade centre espace médiathèque "
    "mediatheque bibliothèque bibliotheque maison ehpad parc jardin pont port plage hôpital "
    "hopital clinique église eglise chapelle musée musee théâtre theatre cinéma cinema piscine "
    "complexe foyer halle marché marche club cinéma groupe institut fondation gare arrêt arret "
    "station parking mairie hôtel hotel monument statue boulodrome camping "
    "street road lane drive school hall centre center library park church museum station "
    "saint sainte st ste"
)
PLACE_WORDS = STREET_TYPES | PUBLIC_PLACES
# Public offices: "Madame la Maire, Hélène Varenne", "l'adjointe Colette Arzel", "la
# permanence de ..." (an elected person's or a public service's office hours).
OFFICES = wordset(
    "maire adjoint adjointe conseiller conseillère député députée sénateur sénatrice préfet "
    "préfète président présidente ministre permanence mayor deputy councillor councilor"
)
# Words that start a message with a capital letter and that the model sometimes takes for
# a name when they stand before one: "Bonjour Madame ...", "Hi, ...".
GREETINGS = wordset(
    "bonjour bonsoir salut merci cordialement madame monsieur mademoiselle hello hi hey dear "
    "thanks regards i joyeux joyeuses joyeuse meilleurs bonne bon happy merry"
)
# "I'm British", "je suis Belge": capitalised after a cue, but not names.
DEMONYMS = wordset(
    "british english scottish welsh irish american canadian australian german dutch belgian "
    "swiss spanish italian french français française anglais anglaise belge suisse allemand "
    "allemande espagnol espagnole italien italienne européen européenne"
)
# spaCy's French and English stop words ("my", "the", "pour"...): never the edge of a name.
STOP_WORDS = frozenset(_FR_STOP | _EN_STOP)

# Elisions are words of their own here: "l'école" -> "l", "école"; "j'habite" -> "j", "habite".
_WORD = re.compile(r"[\w.-]+")


# A sentence ends at . ! ? ; or a new line, but not at the dot of "M. Garnier" or "Dr. Lambert".
_SENTENCE_END = re.compile(r"(?<!\bM)(?<!\bMM)(?<!\bMr)(?<!\bMrs)(?<!\bDr)(?<!\bSt)[.!?;\n]\s")


def words_before(text: str, start: int, count: int) -> list[str]:
    """The last `count` words before `start`, lower-cased, within the same sentence."""
    head = _SENTENCE_END.split(text[:start])[-1]
    return [w.lower().strip(".") for w in _WORD.findall(head)][-count:]


def word_after(text: str, end: int) -> str:
    found = _WORD.match(text[end:].lstrip(" ,"))
    return found.group().lower() if found else ""
