"""French text analysis for retrieval: elisions, stop words, Snowball stems, folded accents.

Both search backends store and query the output of the same analyzer (`get_analyzer()`), so
they rank alike. It is not a setting: an index built by one analyzer cannot be queried with
another, so changing it means a new migration that re-indexes every chunk.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_ELISION = re.compile(
    r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’ʼ]", re.IGNORECASE
)
STOP_WORDS = frozenset(
    """
    a à afin ai aie aient aies ait alors as au aucun aucune auquel aura aurai auraient aurais
    aurait auras aurez auriez aurons auront aussi autre autres aux auxquelles auxquels avaient
    avais avait avant avec avez aviez avions avoir avons ayant ayez ayons c ça car ce ceci cela
    celle celles celui ces cet cette ceux chaque ci comme comment d dans de des desquelles
    desquels dès donc dont du duquel elle elles en encore es est et étaient étais était étant
    été êtes étiez étions être eu eue eues eûmes eurent eus eusse eussent eusses eussiez
    eussions eut eût eûtes eux faire fait faut il ils j je jusqu l la laquelle le lequel les
    lesquelles lesquels leur leurs lui m ma mais me même mêmes mes moi mon n ne ni nos notre
    nous on ont ou où par parce pas peu peut peuvent plus pour pourquoi qu quand que quel
    quelle quelles quels qui quoi s sa sans se sera serai seraient serais serait seras serez
    seriez serons seront ses si sien soi soient sois soit sommes son sont sous suis sur t ta te
    tes toi ton tous tout toute toutes tu un une unes uns vos votre vous y
    """.split()  # noqa: SIM905
)
# "été" is the past participle of "être" (a stop word: "a été") and the summer ("l'été",
# "horaires d'été", "en été", "cet été"): the summer is kept, as the unaccented "ete" a
# resident may type too. Changing this changes the index terms (migration 0012 reindexes).
_SUMMER = re.compile(r"(?:\b[ld]['’ʼ]\s*|\b(?:en|cet|chaque|tout l['’ʼ])\s+)été\b", re.IGNORECASE)
_stemmer = snowballstemmer.stemmer("french")
# Words Snowball gives the stem of another word of a different meaning: "mairie" (the town
# hall) and "maire" (the mayor) both stem to "mair", so "horaires de la mairie" found the
# mayor's appointments. A word here keeps the stem given. Changing this table changes the
# index terms: add a migration that calls knowledge.ingest.reindex (as 0011 does).
STEM_OVERRIDES = {"mairie": "mairie", "mairies": "mairie"}


def fold(text: str) -> str:
    """Lower-case and strip accents (é -> e, ç -> c, œ -> oe)."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball French stem of a lower-case word (or its override), then accents folded."""
    return fold(STEM_OVERRIDES.get(word) or _stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """Lower-case words with elisions split off (l'école -> école) and stop words kept."""
    return _WORD.findall(_ELISION.sub(" ", text.lower()))


def french_analyzer(text: str) -> list[str]:
    """The default analyzer: words minus stop words, stemmed and accent-folded."""
    text = _SUMMER.sub(lambda m: m.group(0)[:-3] + "ete", text)
    return [stem(w) for w in words(text) if w not in STOP_WORDS and w.replace("_", "")]


class Analysed(list):
    """A text's index terms that remember the text (the dense encoder embeds its lead)."""

    def __init__(self, terms, text: str):
        super().__init__(terms)
        self.text = text


def analyse(text: str) -> Analysed:
    """The configured analyzer's terms for `text`, carrying the text along."""
    return Analysed(get_analyzer()(text), text)


def get_analyzer():
    """The analyzer callable (text -> list of index terms) of the index."""
    return french_analyzer
