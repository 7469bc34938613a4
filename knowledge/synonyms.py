"""Related words: residents' words for the documents' ("mail" → "courriel"), word families.

A resident asks in everyday words ("me débarrasser d'un vieux canapé", "quand il fait très
chaud", "l'adresse mail"); a town's documents use the administration's ("encombrants",
"canicule", "courriel"). The stemmer cannot bridge these, and an encoder small enough for a
town's server often does not (docs/benchmarks.md). Each group below starts with the word a
French public-service text uses, followed by what its readers say for the same thing; a
question naming one of the latter is searched with the former too (knowledge.retrieval.rank),
and the offline answerer weighs it as half a word of the question (knowledge.extractive). Only
the documents' word is added: a list of everyday words would outweigh the question's own.

The groups are general French usage for municipal services, not one town's wording: what
the dev questions missed was the reason to write them, never a word of a particular answer.
One group heads with the assistant's own name, which every town's help page for it uses:
residents call it "le chatbot" or "le robot de la mairie".
An expression is matched as whole words, accents and case aside, with an optional plural s.

Word families: Snowball stems a verb and its noun apart ("s'inscrire" → "inscrir",
"inscription" → "inscript"); `family` finds the documents' words that begin like the
question's, which the offline answerer also weighs as half a word of the question.
"""

import functools
import re

from .analysis import fold

# One group a line: the documents' word first, then the residents' words, separated by " / ",
# written lower-case and without accents (questions are compared folded: knowledge.analysis).
GROUPS = tuple(
    tuple(expression.strip() for expression in line.split(" / "))
    for line in """
courriel / mail / email / e-mail / mel / adresse electronique
mediatheque / bibliotheque
ordures menageres / poubelle
collecte / ramassage
medecin / docteur / generaliste
aines / seniors / personnes agees / retraites / troisieme age / anciens
handicap / handicape / handicapee / invalidite
mobilite reduite / fauteuil roulant / pmr / deambulateur
encombrants / gros objets / meubles / canape / matelas / sommier / armoire
encombrants / frigo / refrigerateur / electromenager
objets trouves / objets perdus / objet perdu / objets oublies
seringues / piqures / piqure / aiguilles usagees
alitement / alite / alitee / cloue au lit / clouee au lit / grabataire
courriers / lettres / lettre
rediger / ecrire
canicule / forte chaleur / fortes chaleurs / tres chaud / vague de chaleur
textiles / vetements / habits / linge / chaussures
stationnement / se garer / garer / me garer / me gare / se gare / parking / stationner
aide a domicile / aide menagere / menage / auxiliaire de vie
numerique / internet / ordinateur / tablette / smartphone / informatique
dechets verts / tonte / gazon / pelouse / herbe / feuilles mortes / branchages / haies
composteur / compost / compostage
pacs / pacser / pacte civil de solidarite
deces / decede / decedee / obseques / funerailles / pompes funebres / defunt
carte d'identite / carte nationale d'identite / cni
demenagement / demenager / changement d'adresse / nouvelle adresse
creche / garde d'enfants / assistante maternelle / halte-garderie
restauration scolaire / cantine
logement social / hlm
travaux / chantier
permanence / recoit / rencontrer
personnes vulnerables / personnes isolees / isole / isolee / vis seul / vis seule
teleassistance / bouton d'alarme / bouton d'appel / bouton d'alerte / pendentif / bracelet d'appel
teleassistance / bouton pour donner l'alerte / bouton pour alerter / alarme pour les chutes
portage de repas / repas a domicile / repas livres / livraison de repas
navette / minibus / petit bus
carte grise / certificat d'immatriculation
listes electorales / voter / carte electorale / carte d'electeur
eclairage public / lampadaire / reverbere
voirie / nid-de-poule / nids-de-poule / chaussee
tri / recyclage / recycler / trier
piles / batteries
calme / tranquille / au calme / sans bruit / peu de monde
gratuit / sans payer / gratuitement / pas payant / sans rien payer
impression / imprimer / imprimante / photocopie / photocopier / photocopieuse
grand froid / grands froids / il gele / gel / tres froid / vague de froid
anglais / english / autre langue / autres langues / langue etrangere / langues etrangeres
nuisances sonores / bruit / tapage
limite / trop de questions / nombre de questions / quota
renouvelle / remis a zero / remise a zero
arcachat / chatbot / chat bot / robot de la mairie / robot conversationnel / agent conversationnel
dechetterie / decheterie
""".strip().splitlines()
)


FAMILY_CHARS = 6  # words whose analysed terms begin alike over this many letters are kin


@functools.cache
def _patterns() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    out = []
    for group in GROUPS:
        names = "|".join(re.escape(expression) for expression in group)
        out.append((re.compile(rf"(?<![\w-])(?:{names})s?(?![\w-])"), group))
    return out


def expansions(question: str) -> list[str]:
    """The documents' word of each group whose other words the question uses."""
    return list(_expansions(question))


@functools.lru_cache(maxsize=1024)  # the search and the answerer ask for the same question
def _expansions(question: str) -> tuple[str, ...]:
    folded = fold(question).replace("’", "'")
    found = []
    for pattern, group in _patterns():
        said = {m.group(0) for m in pattern.finditer(folded)}
        if said and not said & {group[0], f"{group[0]}s"}:
            found.append(group[0])
    return tuple(dict.fromkeys(found))  # a word may head two groups (encombrants)


def family(words: list[str], terms: list[list[str]]) -> list[str]:
    """The analysed terms among `terms` (one list per unit) of the same family as one of
    `words`: the same first FAMILY_CHARS letters ("inscrire" / "inscription", "stationner" /
    "stationnement"), which the stemmer keeps apart."""
    heads = {w[:FAMILY_CHARS] for w in words if len(w) >= FAMILY_CHARS}
    vocabulary = {t for unit_terms in terms for t in unit_terms}
    return sorted(t for t in vocabulary - set(words) if t[:FAMILY_CHARS] in heads)
