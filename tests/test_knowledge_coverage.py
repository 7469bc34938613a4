"""Whether the documents answer: the confidence, the every-word rescue, the no-word veto;
and the question words matched against the documents (subject, family, bare replies)."""

import datetime as dt

import pytest

from knowledge import answerchoice, answertypes, coverage, synonyms
from knowledge.demo import load_demo_town
from knowledge.prompt import assemble
from knowledge.units import Unit, units_of

TODAY = dt.date(2026, 11, 1)  # the demo town's guides are in force
TELEASSISTANCE = Unit(
    "L'installation à domicile est gratuite.", "item", "Seniors > La téléassistance"
)
POSTE = Unit("Poste de secours de la Grande Plage : 05 00 00 80 10.", "sentence", "Plages")


class Best:
    """The scored unit ranked first, as knowledge.coverage.covered reads it."""

    def __init__(self, lexical):
        self.lexical = lexical


def test_it_covers_from_the_threshold_when_the_best_unit_shares_a_word():
    units = [POSTE]
    assert coverage.covered("Où est le poste de secours ?", coverage.THRESHOLD, units, Best(0.4))
    below = coverage.THRESHOLD - 0.01
    assert not coverage.covered("Où est le poste de secours de la plage ?", below, [], Best(0.4))
    # chosen for its section and kind of fact alone: not an answer, whatever the confidence
    assert not coverage.covered("Horaires du bureau de poste ?", 0.5, units, Best(0.0))


def test_it_rescues_a_question_one_unit_holds_every_word_of():
    question = "Comment avoir la téléassistance ?"
    assert answertypes.subject_terms(question) == ["teleassist"]
    assert coverage.said_whole(question, [POSTE, TELEASSISTANCE])
    assert coverage.covered(question, coverage.RESCUE, [TELEASSISTANCE], Best(0.3))
    assert not coverage.covered(question, coverage.RESCUE - 0.01, [TELEASSISTANCE], Best(0.3))
    # one word of the question in no unit: the encoder alone decides
    assert not coverage.said_whole("La téléassistance pour mon chat ?", [TELEASSISTANCE])
    assert coverage.confidence([0.1, 0.4, 0.3]) == 0.35 and coverage.confidence([]) == 0.0


def test_it_leaves_out_the_words_a_question_asks_with():
    question = "On veut se pacser : je dois prévenir qui ?"
    assert answertypes.subject_terms(question) == ["pacs", "preven"]
    assert answertypes.subject_terms("Je peux ?") == ["peux"]  # nothing else: kept
    assert answertypes.subject_terms("Mon vieux frigo ?") == ["frigo"]
    # greetings, "là", "aujourd'hui": said around the subject, not of it
    chatty = "Bonjour, dans ce cas-là, je rends mes livres aujourd'hui, merci"
    assert answertypes.subject_terms(chatty) == ["cas", "rend", "livr"]
    # "prochain" says which one: the documents name an event by its day
    assert answertypes.subject_terms("C'est quand le prochain loto ?") == ["loto"]


def test_it_knows_an_email_address_is_asked_and_given():
    assert answertypes.asked("Quelle est l'adresse mail de la mairie ?") == {"email"}
    assert answertypes.asked("Quelle est l'adresse de la mairie ?") == {"place"}
    assert answertypes.given("Par courriel : mairie@ville.example.") == {"email"}
    assert answertypes.subject_terms("L'adresse e-mail de la médiathèque ?") == ["mediathequ"]


def test_it_matches_words_of_the_same_family():
    unit_terms = [["inscript", "obligatoir"], ["inscrit", "repas"], ["insect"]]
    assert synonyms.family(["inscrir", "repas"], unit_terms) == ["inscript", "inscrit"]
    assert synonyms.family(["mer"], unit_terms) == []  # too short to have a family


def test_it_keeps_a_bare_reply_with_the_sentence_after_it():
    text = "Non. En cas d'urgence, appelez le 15. Pour la mer, le 196.\n\nOui, bien sûr. Venez."
    assert [u.text for u in units_of(text)] == [
        "Non. En cas d'urgence, appelez le 15.",
        "Pour la mer, le 196.",
        "Oui, bien sûr. Venez.",
    ]
    assert [u.text for u in units_of("Non, pas toujours le samedi. Voir l'accueil.")] == [
        "Non, pas toujours le samedi.",
        "Voir l'accueil.",
    ]


@pytest.mark.django_db
def test_it_answers_the_demo_towns_short_questions_and_refuses_a_look_alike():
    load_demo_town()
    rescued = assemble("Comment avoir la téléassistance ?", [], TODAY).extract()
    assert rescued.covered and rescued.confidence < coverage.THRESHOLD
    assert "05 00 00 20 00" in " ".join(u.text for u in rescued.units)
    aines = assemble("Faut-il s'inscrire pour le repas des aînés ?", [], TODAY).extract()
    assert "20 novembre" in " ".join(u.text for u in aines.units)  # "Inscription obligatoire…"
    post = assemble("Quels sont les horaires du bureau de poste ?", [], TODAY).extract()
    assert post.confidence >= coverage.THRESHOLD and not post.covered


def test_it_adds_the_documents_word_for_a_residents_word():
    assert synonyms.expansions("Comment me débarrasser d'un vieux CANAPÉ ?") == ["encombrants"]
    assert synonyms.expansions("L'adresse e-mail et les tontes de gazon") == [
        "courriel",
        "dechets verts",
    ]
    # the documents' word already said, a word inside another, a furnished flat: nothing
    assert synonyms.expansions("Les encombrants : mon canapé ?") == []
    assert synonyms.expansions("Un message de la mairie, un meublé") == []
    # a word heading two groups is added once; several documents' words for one phrase
    assert synonyms.expansions("Mon canapé et mon frigo, ces gros objets") == ["encombrants"]
    assert synonyms.expansions("Je suis en fauteuil roulant") == ["mobilite reduite"]
    assert synonyms.expansions("Où rapporter un objet perdu ?") == ["objets trouves"]
    assert synonyms.expansions("Imprimer une page, c'est combien ?") == ["impression"]
    assert synonyms.expansions("Qui appelle mon frère quand il gèle ?") == ["grand froid"]
    assert synonyms.expansions("Répond-il dans une autre langue ?") == ["anglais"]
    assert synonyms.expansions("Un bouton d'alerte chez moi ?") == ["teleassistance"]
    assert synonyms.expansions("Le repas offert aux anciens") == ["aines"]
    assert synonyms.expansions("Un moment plus tranquille ?") == ["calme"]
    assert synonyms.expansions("Me garer sans payer ?") == ["stationnement", "gratuit"]
    assert synonyms.expansions("Trop de questions ce mois-ci : remis à zéro quand ?") == [
        "limite",
        "renouvelle",
    ]
    assert synonyms.expansions("La déchèterie ouvre le mardi ?") == ["dechetterie"]
    assert synonyms.expansions("Le code pour le robot de la mairie") == ["arcachat"]
    assert synonyms.expansions("Signer la décharge, un robot ménager") == []
    assert all(group[0] == group[0].lower() for group in synonyms.GROUPS)


@pytest.mark.django_db
def test_it_finds_and_covers_a_question_in_residents_words():
    load_demo_town()
    mail = assemble("Quelle est l'adresse mail de la mairie ?", [], TODAY).extract()
    assert mail.units[0].text == "Par courriel : mairie@port-lumiere.example."
    assert sum("mairie@" in u.text for u in mail.units) == 1  # not again from "L'accueil"
    compost = assemble("Combien coûte un bac à compost ?", [], TODAY).extract()
    assert "15 €" in " ".join(u.text for u in compost.units)  # "Un composteur … 15 €"
    hot = assemble("Je vis seule, comment être appelée quand il fait très chaud ?", [], TODAY)
    found = hot.extract()
    assert found.covered and "05 00 00 20 30" in " ".join(u.text for u in found.units)
    # the same question without the resident's words is not helped: the encoder alone
    plain = assemble("Je vis seule, comment être appelée l'été ?", [], TODAY).extract()
    assert plain.confidence < found.confidence
    bulky = assemble("Les gros objets, on les enlève combien de fois par an ?", [], TODAY)
    assert "deux fois par an" in " ".join(u.text for u in bulky.extract().units)
    # "le Père Noël" is no public holiday: the event's day is not left out as another day
    boat = assemble("Le Père Noël arrive en bateau à quelle heure ?", [], TODAY).extract()
    assert "17 h" in boat.units[0].text
    printing = "Je n'ai pas d'imprimante. À la bibliothèque, ça coûte combien la page ?"
    assert "0,10 €" in " ".join(u.text for u in assemble(printing, [], TODAY).extract().units)
    # "où": a place named without an address ("À la maison des Dunes : atelier mémoire…")
    memory = assemble("Où et quand a lieu l'atelier mémoire ?", [], TODAY).extract()
    assert "maison des Dunes" in memory.units[0].text


def test_it_does_not_quote_twice_what_another_unit_said():
    def scored(text, heading):
        return answerchoice.Scored(Unit(text, "sentence", heading), 0.5, 0.0, 0.0)

    said = [scored("Par courriel : mairie@ville.example.", "Mairie > Écrire à la mairie")]
    again = scored("Courriel : mairie@ville.example.", "Mairie > L'accueil")
    assert answerchoice._repeats(again, said)
    assert not answerchoice._repeats(scored("Tél. 05 00 00 10 00.", "Mairie > L'accueil"), said)
    # a paragraph holding a chosen sentence word for word says it again, whatever it adds
    moved = [scored("L'arrêt Esplanade est déplacé rue des Mimosas.", "Bus")]
    paragraph = "La ligne 1 est déviée. L'arrêt  Esplanade est déplacé rue des Mimosas"
    assert answerchoice._repeats(scored(paragraph, "Magazine > Travaux"), moved)
    # the same time and place for another event: its day, in its heading, is news
    first = [scored("14 h 30, cinéma Le Fanal.", "Agenda > Mercredi 2 décembre - Ciné seniors")]
    other = scored("14 h 30, cinéma Le Fanal.", "Agenda > Mercredi 4 novembre - Ciné seniors")
    assert not answerchoice._repeats(other, first)


def test_it_reads_the_names_a_question_gives():
    assert coverage.names("J'ai perdu ma carte Vitale. Et l'Australie ?") == ["Vitale", "Australie"]
    # the first word of a sentence is no name; nor a short word
    assert coverage.names("Bonjour. Où est la mairie ? Le CCAS aussi ?") == ["CCAS"]


@pytest.mark.django_db
def test_it_refuses_a_question_naming_what_no_document_mentions():
    load_demo_town()
    vitale = assemble("J'ai perdu ma carte Vitale, comment en avoir une nouvelle ?", [], TODAY)
    assert not vitale.extract().covered  # it used to get the library card's "2 €"
    # names the documents hold, or a group of residents' words, are no reason to refuse
    assert not coverage.names_unknown("Le car pour la gare de Val-d'Orée, c'est où ?")
    assert not coverage.names_unknown("Comment refaire ma CNI ?")
    club = assemble("Le Club Soleil d'Automne se réunit quels jours ?", [], TODAY).extract()
    assert club.covered
    # an English question's capitalised words are not French names
    english = assemble("When is the Christmas market?", [], TODAY, language="en").extract()
    assert english.covered
