"""What a question asks for (a day, a time, a price, a phone number, a place, a count, a
duration), and what a sentence gives.

A resident asking "à quelle heure" wants a sentence with a time in it, "combien ça coûte" one
with a price, "qui dois-je appeler" one with a phone number. The retrieval finds the passage on
the subject; among its sentences, the one of the kind asked for is usually the answer
(knowledge.extractive weighs this). The patterns are plain French question words and the
usual written forms of each kind: nothing here is about one town.
"""

import functools
import re

from .analysis import fold, get_analyzer

MONTHS = "janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
THERE_ARE = r"y a[- ]t[- ]il |il y a |il y en a "  # "combien y a-t-il de", "combien il y a de"
SHORT_NUMBERS = "15|17|18|112|114|115|119|196|3237|3919|116 117"  # emergency and help lines
NUMBER_WORDS = "deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|trente|cent"

# On the accent-folded question. "quand" is a question only when no subject follows it
# ("quand il fait chaud" is not); "combien" alone asks a price, "combien de" a count (also
# "combien y a-t-il de", "combien il y a de").
ASKS = {
    "phone": r"\b(?:numeros?|telephones?|appeler|joindre|contacter|prevenir|telephoner)\b",
    "time": r"\b(?:heures?|horaires?|ouvre|ouvrent|ouverte?s?|fermee?s?|ferment)\b",
    "date": (
        r"\bquand\b(?! (?:il|elle|on|je|j'|tu|nous|vous|ils|elles|meme)\b)"
        r"|\bquels? jours?\b|\bquelles? dates?\b|\b(?:jusqu'a|a partir de|depuis) quand\b"
    ),
    "price": (
        r"\b(?:coute|coutent|couter|prix|tarifs?|payante?s?|payer|cher)\b"
        rf"|\bcombien\b(?! d| (?:{THERE_ARE})d)"
    ),
    "count": rf"\bcombien (?:{THERE_ARE})?d(?!e temps)",
    "duration": r"\bcombien de temps\b|\bduree\b|\bpendant combien\b",
    "place": (  # not "on s'adresse à qui ?"
        r"(?<!s')\badresse\b(?! (?:mail|e-?mail|electronique|courriel|mel)\b)|\bse trouvent?\b"
        r"|\bde quel cote\b|\bpar quelle (?:porte|entree)\b|\ba quel endroit\b"
        r"|\bdans quel(?:le)? (?:quartier|salle|rue|batiment)\b"
    ),
    "email": r"\b(?:courriels?|e-?mails?|mails?|mel|adresse electronique)\b",
}
GIVES = {
    "phone": (
        r"\b0\d(?: ?\d{2}){4}\b"
        # French short numbers, said as numbers to call ("appelez le 15", a list's "112 :"),
        # not the 15 of a price, a time, a date or an age ("15 €", "18 h", "15 janvier");
        # after a colon, only alone at the end ("Médecin de garde : 116 117.", not
        # "Tarif : 15,50 €", "Capacité : 112 personnes")
        rf"|(?:(?<=\ble )|(?<=\bau )|^)(?:{SHORT_NUMBERS})\b"
        rf"(?! ?(?:h\b|€|euros?\b|%|heures?\b|minutes?\b|ans\b|km\b|jours?\b|{MONTHS}))"
        rf"|(?<=: )(?:{SHORT_NUMBERS})(?= ?(?:[.;(]|$))"
    ),
    "time": (  # closed on some days, not "même quand la médiathèque est fermée"
        r"\b\d{1,2} ?h(?: ?\d{2})?\b|\b\d{1,2}:\d{2}\b|\bmidi\b"
        r"|\bfermee?s? (?:le|les|du|des|de|en|tous|toute|pendant|jusqu|entre|chaque)\b"
    ),
    "date": (
        rf"\b(?:{DAYS}|{MONTHS})\b|\bveille\b|\blendemain\b"
        r"|\ble (?:1er|premier|\d{1,2}) (?:du|de chaque) mois\b"  # "le 1er du mois suivant"
        r"|\b(?:chaque|une fois par|deux fois par) (?:semaine|mois|an|annee)\b"
    ),
    "price": (
        r"\d(?:[\d ]*\d)?(?:,\d+)? ?(?:(?:mille|millions?|milliards?) d'|k)?(?:€|euros?\b)"
        r"|\bgratuite?s?\b"
    ),
    "count": rf"\b\d+\b|\b(?:{NUMBER_WORDS})\b",
    "duration": (
        rf"\b(?:\d+|{NUMBER_WORDS}|une?) (?:heures?|minutes?|jours?|semaines?|mois|ans?)\b"
        r"|\b(?:limitee?s?|maximum|maximale|au plus) (?:a )?\d"  # "limitée à 1 h 30"
    ),
    "place": (
        r"\b\d{1,3},? (?:rue|avenue|place|chemin|allee|quai|boulevard|impasse|route|square)\b"
        r"|\b(?:rue|avenue|boulevard|impasse|allee|chemin) (?:de la |de l'|des |du |de |d')\w"
        r"|\b(?:salle|maison de quartier|mediatheque|hotel de ville|accueil|pharmacie"
        r"|dechetterie|eglise|cinema|gare|parking|place de|bornes?|office (?:de|du) tourisme)\b"
        r"|\bmaisons? (?:des|du|de la|de l') ?\w"
        r"|\b(?:a|au|aux|devant|sur) (?:la |l'|le |les )?(?:halle|marche|port|plage|quai|esplanade"
        r"|jardin|parc|stade|gymnase|ecole|monument|foyer|hangar)s?\b(?!-)"
    ),
    "email": r"[\w.+-]+@[\w-]+\.\w",
}
# Words that say which kind of fact is asked rather than what about, and "prochain" (which one:
# the documents name an event by its day, not as "the next"): left out of the words the unit
# must share with the question (the kind is weighed on its own).
KIND_WORDS = frozenset(
    """coûte coûtent coûter coût prix tarif tarifs payant payante payer cher combien heure
    heures horaire horaires ouvre ouvrent ouvert ouverte ouverts ouvertes fermé fermée ferme
    ferment quand date dates numéro numéros téléphone appeler joindre contacter adresse
    mail mails email e-mail courriel courriels mél durée
    trouve trouvent prochain prochaine prochains prochaines""".split()  # noqa: SIM905
)
# The verbs a question asks with, which say nothing of its subject ("je peux", "qui dois-je",
# "on veut"), and the age residents give their things ("mon vieux frigo", which is not the
# "vieux port"): left out of the words matched against the documents, like the kind words.
ASKING_WORDS = frozenset(
    """peux peut pouvez pouvons pourrais pourrait pourriez puis veux veut voulez voulons
    voudrais voudrait voudrions dois doit devez devons devrais devrait fais faisons faites
    sais savez sait savoir va vais allez vieux vieil vieille vieilles""".split()  # noqa: SIM905
)
# What a chatty question says around its subject: greetings and thanks, "là" ("dans ce
# cas-là"), "aujourd'hui" or "maintenant" (the days a question means are read apart:
# knowledge.frdates). Left out like the asking words.
FILLER_WORDS = frozenset(
    """bonjour bonsoir merci svp là aujourd'hui maintenant enfin vraiment""".split()  # noqa: SIM905
)
_ASKS = {kind: re.compile(pattern) for kind, pattern in ASKS.items()}
_GIVES = {kind: re.compile(pattern) for kind, pattern in GIVES.items()}
_WHERE = re.compile(r"(?:^|\W)où\b", re.IGNORECASE)  # "ou" without its accent means "or"
# ...but not as a relative: after "là" or a time word and before the subject of its clause
# ("là où il y a des maîtres-nageurs", "un moment où c'est calme", "l'automne où on…"); "Cet
# été, où… ?", "Cet été où peut-on se baigner ?", "Ce soir où manger ?" ask a place.
_RELATIVE_AFTER = frozenset(
    """la moment moments jour jours cas periode heure heures semaine mois annee saison ete hiver
    automne printemps soir matin instant epoque fois""".split()  # noqa: SIM905
)
_CLAUSE_SUBJECTS = frozenset("il elle ils elles on je j tu nous vous c ca cela ce".split())  # noqa: SIM905
# "What is on": the question asks for whatever happens on some days, not about one subject.
_WHATS_ON = re.compile(
    r"\b(?:que|qu'est-ce qu'il|qu'est-ce qui|quoi)\s+(?:se passe|s'y passe|y a|est prevu"
    r"|faire(?!\s+(?:si|pour|en cas|quand|lorsque|avec|contre|de|d'|du|des|s'|sans)\b))"
    r"|\bse passe[- ]t[- ]il\b|\bil se passe\b|\by a[- ]t[- ]il quoi\b"
    r"|\b(?:sorties?|animations?|evenements?|manifestations?|spectacles?|programme)\b"
    r"|\bquelque chose\b"
    r"|\bwhat(?:'s| is) on\b|\bthings to do\b"
)


def asked(question: str) -> frozenset[str]:
    """The kinds of fact the question asks for (often none: "comment faire pour...")."""
    folded = fold(question).replace("’", "'")
    kinds = {kind for kind, pattern in _ASKS.items() if pattern.search(folded)}
    if any(_asks_where(question, m.start()) for m in _WHERE.finditer(question)):
        kinds.add("place")
    return frozenset(kinds)


def _asks_where(question: str, start: int) -> bool:
    """Whether the "où" matched at `start` asks a place (see _RELATIVE_AFTER)."""
    before = re.search(r"(\w+)\s+$", question[: start + 1])
    after = re.match(r"\W*où\s+(\w+)", question[start:], re.IGNORECASE)
    relative = before and fold(before.group(1)) in _RELATIVE_AFTER
    return not (relative and after and fold(after.group(1)) in _CLAUSE_SUBJECTS)


# Words of such a question that name no subject: what-is-on words and the days' words.
WHATS_ON_WORDS = frozenset(
    """passe passer faire prévu sortie sorties sortir animation animations événement
    événements manifestation manifestations spectacle spectacles programme quoi what on
    things do quelque chose semaine prochaine prochain week-end weekend aujourd'hui demain
    soir matin après-midi lundi mardi mercredi jeudi vendredi samedi dimanche""".split()  # noqa: SIM905
)


def asks_whats_on(question: str) -> bool:
    """Whether the question asks what happens (on the days it names), whatever it is:
    "Que se passe-t-il samedi ?", "Quelles sorties cette semaine ?"."""
    return bool(_WHATS_ON.search(fold(question).replace("’", "'")))


def given(text: str, asked_in: str = "") -> frozenset[str]:
    """The kinds of fact a text gives; with the question it answers (`asked_in`), no place
    the question names itself: "14 h, salle Océane" gives no place to "Elle est où, la salle
    Océane ?", "Salle Océane : avenue de l'Océan" does."""
    folded = fold(text).replace("’", "'")
    said = _said(asked_in)
    kinds = set()
    for kind, pattern in _GIVES.items():
        for match in pattern.finditer(folded):
            if kind != "place" or not said.strip() or f" {_place(folded, match)} " not in said:
                kinds.add(kind)
                break
    return frozenset(kinds)


_WORDS = re.compile(r"[\w-]+")
# Words that only link a place's words: "a la halle", "parking de la halle du marche".
_LINKS = frozenset("a au aux la le les l de du des d sur devant en".split())  # noqa: SIM905


@functools.lru_cache(maxsize=64)  # one question, given() for every unit of its pool
def _said(question: str) -> str:
    """The question's words, folded, spaced for whole-word lookups (" salle oceane ")."""
    return f" {' '.join(_WORDS.findall(fold(question)))} "


def _place(folded: str, match: re.Match) -> str:
    """The place a match names, in whole words, without the words before it that link it
    ("a la"); a single word ("salle", "parking", "halle") with the words after it up to the
    next one that says which ("salle oceane", "parking de la halle"), before any punctuation."""
    end = match.end()
    while end < len(folded) and (folded[end].isalnum() or folded[end] == "-"):
        end += 1  # "rue de la p" is "rue de la paix"
    words = _WORDS.findall(folded[match.start() : end])
    while words and words[0] in _LINKS:
        words.pop(0)
    if len([w for w in words if w not in _LINKS]) == 1:
        for word in _WORDS.findall(re.split(r"[.;:,!?()«»]", folded[end:], maxsplit=1)[0]):
            words.append(word)
            if word not in _LINKS:
                break
    return " ".join(words)


@functools.cache
def _terms_of(words: frozenset[str]) -> frozenset[str]:
    """The analysed terms of a fixed word list (analysed once per process)."""
    return frozenset(get_analyzer()(" ".join(words)))


def subject_terms(question: str) -> list[str]:
    """The analysed terms of the question minus those that only say which kind of fact is
    asked ("combien", "heure": weighed on their own) or that it asks with ("je peux")."""
    terms = list(dict.fromkeys(get_analyzer()(question)))
    left_out = _terms_of(KIND_WORDS | ASKING_WORDS | FILLER_WORDS)
    return [t for t in terms if t not in left_out] or terms


_LEANS = re.compile(r"^(?:et|mais|aussi|alors|sinon|meme)\b")
FOLLOW_UP_WORDS = 3  # a question this short leans on the one before ("Pour les enfants ?")


def leans_on_previous(question: str) -> bool:
    """Whether a question only makes sense after the one before it: "Et le samedi ?", "C'est
    payant ?", "Pour les enfants ?"; not "Comment avoir la téléassistance ?"."""
    folded = fold(question).replace("’", "'").strip()
    if _LEANS.match(folded) or len(re.findall(r"\w+", folded)) <= FOLLOW_UP_WORDS:
        return True
    left_out = _terms_of(KIND_WORDS | ASKING_WORDS | FILLER_WORDS | WHATS_ON_WORDS)
    return not [t for t in get_analyzer()(question) if t not in left_out]
