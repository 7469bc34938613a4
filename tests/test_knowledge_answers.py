"""Answers from the town's documents: units, kinds of fact, extraction, titles, grounding, bench."""

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from knowledge import answertypes, coverage, extractive, vectors
from knowledge.citations import grounding, source_title
from knowledge.models import PromptTemplate
from knowledge.prompt import GENERAL_ALLOWED, GENERAL_REFUSED, assemble
from knowledge.retrieval import Passage
from knowledge.units import Unit, pdf_lines, plain, sentences, units_of
from tests.support.documents import add_document

sys.path.insert(0, str(Path(settings.BASE_DIR) / "bench"))
import answer_score  # noqa: E402

TODAY = dt.date(2026, 11, 2)
DECHETTERIE = """# Collecte des déchets, encombrants et déchetterie

## La déchetterie des Salines

Déchetterie des Salines, route de la Saulaie (ligne de bus 2).

**Horaires d'hiver** :

- lundi et samedi : 9 h - 12 h et 14 h - 17 h ;
- mardi : 14 h - 17 h ;
- fermée le jeudi.

L'accès est gratuit, avec un **badge** remis à l'accueil de la mairie. Renseignements : \
Allô Propreté, 05 00 00 40 00.

## Les déchets verts

Le brûlage des déchets verts est interdit toute l'année. Un composteur est vendu 15 €.
"""


def test_it_splits_whole_sentences_not_after_abbreviations_or_hours():
    text = "Tél. 05 00 00 10 10, voir M. Roux. Ouvert de 9 h à 12 h. Fermé le jeudi ! Et ?"
    assert sentences(text) == [
        "Tél. 05 00 00 10 10, voir M. Roux.",
        "Ouvert de 9 h à 12 h.",
        "Fermé le jeudi !",
        "Et ?",
    ]
    assert plain("Le **badge** [en ligne](https://x.example) et `code` _ici_") == (
        "Le badge en ligne et code ici"
    )


def test_it_keeps_lists_under_their_opening_and_headings_as_context():
    units = units_of(DECHETTERIE.split("\n", 2)[2], heading="Collecte des déchets")
    assert all("#" not in u.text and "**" not in u.text for u in units)
    items = [u for u in units if u.kind == "item"]
    assert [u.text for u in items] == [
        "lundi et samedi : 9 h - 12 h et 14 h - 17 h ;",
        "mardi : 14 h - 17 h ;",
        "fermée le jeudi.",
    ]
    assert {u.intro for u in items} == {"Horaires d'hiver :"} and len(
        {u.list_id for u in items}
    ) == 1
    assert items[0].section == "La déchetterie des Salines"
    assert units[-1].section == "Les déchets verts" and units[-1].text.endswith("15 €.")


def test_it_keeps_a_sentence_that_points_back_with_the_one_before_it():
    text = (
        "Jours fériés : la collecte est reportée le 25 décembre. Ces jours-là, elle passe le "
        "lendemain. Ainsi, la collecte du vendredi 25 décembre aura lieu le samedi 26. "
        "Il faut sortir le bac la veille. Il est pris en charge par le CCAS. Bac cassé ? "
        "Elle l'échange."
    )
    assert [u.text for u in units_of(text)] == [
        "Jours fériés : la collecte est reportée le 25 décembre. Ces jours-là, elle passe le "
        "lendemain. Ainsi, la collecte du vendredi 25 décembre aura lieu le samedi 26.",
        "Il faut sortir le bac la veille. Il est pris en charge par le CCAS.",
        "Elle l'échange.",  # after a question, nothing to point back to: a unit of its own
    ]
    assert units_of("Il y a un bus. Il n'y a pas de bus le dimanche.")[1].text == (
        "Il n'y a pas de bus le dimanche."
    )
    long = (
        "Le marché se tient sur la place de l'Horloge, " + "avec des étals, " * 30 + "et des bancs."
    )
    assert [u.text for u in units_of(f"{long} Il ouvre à 8 h.")][1] == "Il ouvre à 8 h."


def test_it_gives_a_paragraph_s_question_to_each_sentence_answering_it():
    text = (
        "Vous ne pouvez pas vous déplacer ? Un agent vient chez vous une fois par mois. "
        "Contactez le CCAS au 05 00 00 20 00.\n\nLa carte est gratuite.\n\nBac cassé ?\n\n"
        "Allô Propreté l'échange."
    )
    assert [(u.intro, u.text) for u in units_of(text)] == [
        ("Vous ne pouvez pas vous déplacer ?", "Un agent vient chez vous une fois par mois."),
        ("Vous ne pouvez pas vous déplacer ?", "Contactez le CCAS au 05 00 00 20 00."),
        ("", "La carte est gratuite."),
        ("Bac cassé ?", "Allô Propreté l'échange."),
    ]


def test_it_puts_printed_pdf_lines_back_into_sentences_without_running_headers():
    page = (
        "Magazine n°47 - novembre 2026 Ville de Port-Lumière\n"
        "Travaux du front de mer\n"
        "Le boulevard de l'Océan est fermé à la circulation entre l'esplanade et la rue du\n"
        "Sémaphore, du lundi au vendredi. Les riverains gardent leur accès.\n"
        "- La ligne 1 est déviée par\n"
        "l'avenue des Pins.\n"
        "Page 2 / 6"
    )
    assert pdf_lines(page, "Magazine n°47 — novembre 2026") == [
        "# Travaux du front de mer",
        "Le boulevard de l'Océan est fermé à la circulation entre l'esplanade et la rue du "
        "Sémaphore, du lundi au vendredi. Les riverains gardent leur accès.",
        "- La ligne 1 est déviée par l'avenue des Pins.",
    ]


def test_it_ends_a_wrapped_list_item_with_the_sentence_printed_under_it():
    page = (
        "Circulation pendant le chantier\n"
        "- Le parking de l'Esplanade (40 places) est fermé pendant toute la durée des travaux.\n"
        "Garez-vous au parking de la halle du marché, gratuit.\n"
        "- Le chantier s'interrompt pour les fêtes.\n"
        "Entrée libre.\n"
        "Une réunion publique aura lieu le jeudi 5 novembre.\n"
    )
    assert pdf_lines(page) == [
        "# Circulation pendant le chantier",
        "- Le parking de l'Esplanade (40 places) est fermé pendant toute la durée des travaux. "
        "Garez-vous au parking de la halle du marché, gratuit.",
        # after the last item (or a short one, not wrapped) nothing tells a paragraph from
        # the item's end: left alone
        "- Le chantier s'interrompt pour les fêtes.",
        "Entrée libre.",
        "Une réunion publique aura lieu le jeudi 5 novembre.",
    ]


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("À quelle heure ouvre la mairie ?", {"time"}),
        ("Combien coûte un passeport ?", {"price"}),
        ("Quel numéro appeler pour les encombrants ?", {"phone"}),
        ("Où se trouve le CCAS ?", {"place"}),
        ("Il y a une entrée sans marches ? De quel côté ?", {"place"}),
        ("Par quelle porte je peux rentrer ?", {"place"}),
        ("Le club de scrabble, c'est dans quel quartier ?", {"place"}),
        ("C'est quand, le loto ?", {"date"}),
        ("Combien de livres peut-on emprunter ?", {"count"}),
        ("Combien y a-t-il de logements à la résidence ?", {"count"}),
        ("Combien il y a de places au parking ?", {"count"}),
        ("Combien de temps peut-on stationner en zone bleue ?", {"duration"}),
        ("On peut rester combien de temps au maximum ?", {"duration"}),
        ("Combien de fois par an ?", {"count"}),
        ("L'adhésion au club coûte combien ?", {"price"}),
        ("Que faire quand il fait très chaud, ou très froid ?", set()),
        ("On veut se pacser, on s'adresse à qui ?", set()),  # "s'adresser" is no address
        ("Jusqu'à quand il est possible de proposer un projet ?", {"date"}),
        ("À partir de quand je peux avoir la carte 2027 ?", {"date"}),
        ("Depuis quand il faut un justificatif ?", {"date"}),
        # "où" as a relative after "là" or a time asks no place
        ("Je voudrais aller là où il y a des maîtres-nageurs. Quelles plages ?", set()),
        ("Y a-t-il un moment où c'est plus calme ?", set()),
        ("L'été, où est-ce que je peux promener mon chien ?", {"place"}),
        ("Cet été où peut-on se baigner ?", {"place"}),
        ("Là où j'habite, le bureau de vote, c'est où ?", {"place"}),
    ],
)
def test_it_tells_which_kind_of_fact_a_question_asks(question, kinds):
    assert answertypes.asked(question) == kinds


def test_it_tells_which_kinds_of_fact_a_sentence_gives():
    given = answertypes.given("Le jeudi 10 décembre à 12 h, 28 €, au 05 00 00 20 00.")
    assert {"date", "time", "price", "phone"} <= given
    assert "phone" not in answertypes.given("Ouvert 24 h sur 24, toute l'année.")
    assert "price" in answertypes.given("Le chantier coûte 2,4 millions d'euros.")
    assert "price" not in answertypes.given("Le chantier dure 2,4 mois.")
    assert "duration" in answertypes.given("Zone bleue : gratuite, limitée à 1 h 30.")
    assert "duration" in answertypes.given("Durée maximale : 2 heures.")
    assert "duration" in answertypes.given("Comptez environ trois semaines.")
    assert "duration" not in answertypes.given("Ouvert de 9 h à 12 h, 2 rue du Port.")
    assert "place" in answertypes.given("L'arrêt est déplacé rue des Mimosas.")
    assert "place" not in answertypes.given("La rue est fermée à la circulation.")
    # closed on some days is an answer to "what are the hours", closed at some moment is not
    assert "time" in answertypes.given("Fermée le dimanche, le lundi et les jours fériés.")
    assert "time" in answertypes.given("Les maisons de quartier sont fermées du 24 au 3.")
    assert "time" not in answertypes.given("Rendez vos livres même quand elle est fermée.")
    assert "date" in answertypes.given("La limite se renouvelle le 1er du mois suivant.")
    assert "date" in answertypes.given("Des bénévoles passent une fois par semaine.")
    assert "date" not in answertypes.given("Une fois inscrit, vous recevez un badge.")
    # a short number is one to call when it is said as one, not a price, a date, an age, a time
    for text in (
        "Appelez le 15 (SAMU), le 17 (police) ou le 112.",
        "196 : urgence en mer.",
        "Médecin de garde le soir et le week-end : 116 117.",
    ):
        assert "phone" in answertypes.given(text)
    for text in (
        "Tarif : 3 € le carton, 15 € les six cartons.",
        "Tarif : 15 € par an.",
        "Ouverture : 18 h.",
        "Tarif : 15,50 € la séance.",
        "Capacité : 112 personnes.",
        "Date limite : 15/12.",
        "Collecte : 15 et 29 décembre.",
        "Du 4 au 15 janvier.",
        "Inscrit d'office à 18 ans.",
        "Ouvert de 14 h à 18 h 30.",
        "Mardi 17 novembre.",
    ):
        assert "phone" not in answertypes.given(text)
    # a place named without its address: "à la maison des Dunes", "devant la halle du marché"
    assert "place" in answertypes.given("À la maison des Dunes : atelier mémoire le lundi.")
    assert "place" in answertypes.given("Les sapins se déposent devant la halle du marché.")
    assert "place" not in answertypes.given("Vous pouvez vous marier à Port-Lumière.")
    assert "place" in answertypes.given("Inscription avant le 15 décembre à l'office de tourisme.")
    # a place the question names itself is no answer to "où ?"
    asked = "Un loto à la salle Océane : elle est où, cette salle ?"
    assert "place" not in answertypes.given("14 h, salle Océane (portes à 13 h).", asked)
    assert "place" in answertypes.given("Salle Océane : avenue de l'Océan.", asked)
    parking = "Le parking de l'Esplanade est fermé : où laisser ma voiture ?"
    assert "place" in answertypes.given("Garez-vous au parking de la halle.", parking)
    assert "place" not in answertypes.given("Le parking de l'Esplanade ferme.", parking)
    assert "place" not in answertypes.given("Loto à 14 h salle Océane, 3 €.", asked)
    assert "place" in answertypes.given("C'est près de la gare.", "Où puis-je me garer ?")
    assert "place" in answertypes.given("Au 3 rue de la Paix.", "Où est la rue de la Poste ?")


def test_it_titles_a_source_document_then_section_without_repeats_or_marks():
    title = "Collecte des déchets, encombrants et déchetterie"
    assert source_title(title, f"{title} > Calendrier de collecte par quartier") == (
        "Collecte des déchets — Calendrier de collecte par quartier"
    )
    assert source_title(title, title) == title
    assert source_title(
        "Médiathèque La Vigie - horaires", "A > **S'inscrire** / A > Emprunter"
    ) == ("Médiathèque La Vigie — S'inscrire ; Emprunter")
    assert source_title("Magazine n°47", "") == "Magazine n°47"


def _passage(text):
    return Passage(1, 1, "Mairie", "Horaires", None, text, "/d/1", 1.0)


def test_it_checks_citations_and_the_facts_an_answer_gives():
    passages = [_passage("Ouvert de 9 h à 17 h. Tél. 05 00 00 10 00. Badge : 15 €.")]
    assert grounding("Ouvert de 09:00 à 17h [1], badge 15 euros.", passages).grounded
    assert grounding("Ouvert de 9 h.", passages).grounded is False
    check = grounding("Ouvert [1] et [3], appelez le 05 11 22 33 44 à 8 h 30.", passages)
    assert check.invented == [3] and check.grounded is False
    assert check.unsupported == ["05 11 22 33 44", "8 h 30"]
    assert (
        grounding("Appelez le 05 00 00 99 99.", passages, "Astreinte, 05 00 00 99 99").unsupported
        == []
    )


@pytest.mark.django_db
def test_it_answers_with_the_sentences_that_give_what_is_asked():
    add_document(DECHETTERIE.encode(), "dechets.md", title="Collecte des déchets, encombrants")
    request = assemble("La déchetterie ouvre à quelle heure le mardi ?", [], TODAY)
    found = request.extract()
    assert found.covered and found.confidence >= coverage.THRESHOLD
    texts = [u.text for u in found.units]
    assert "mardi : 14 h - 17 h ;" in texts
    whole = [u for u in found.units if u.kind == "item"]
    assert [u.text for u in whole][:1] == ["lundi et samedi : 9 h - 12 h et 14 h - 17 h ;"]
    assert found.sources[0][1] == "Collecte des déchets — La déchetterie des Salines"
    assert request.extract() is found  # extracted once


@pytest.mark.django_db
def test_it_gives_no_extract_for_a_question_the_documents_do_not_cover():
    add_document(DECHETTERIE.encode(), "dechets.md", title="Collecte des déchets")
    on_topic = assemble("Horaires de la déchetterie", [], TODAY)
    request = assemble("Écrivez-moi un poème sur l'automne.", [], TODAY, passages=on_topic.passages)
    found = request.extract()
    assert found.covered is False and found.units == [] and found.sources == []
    assert found.confidence < coverage.THRESHOLD


@pytest.mark.django_db
def test_it_extracts_only_when_the_offline_provider_asks(monkeypatch):
    add_document(DECHETTERIE.encode(), "dechets.md", title="Collecte des déchets")

    def no_pool(*args):
        raise AssertionError("extracted although nobody asked")

    monkeypatch.setattr(extractive, "pool", no_pool)
    request = assemble("Horaires de la déchetterie ?", [], TODAY)
    assert request.passages and "déchetterie" in request.system
    with pytest.raises(AssertionError):
        request.extract()


def test_it_encodes_a_unit_text_once(monkeypatch):
    calls = []
    real = vectors.encode_passages
    monkeypatch.setattr(
        vectors, "encode_passages", lambda texts: calls.append(texts) or real(texts)
    )
    memo = extractive.VectorMemo(size=2)
    first = memo.encode(["un", "deux"])
    assert memo.encode(["deux", "un"]) == first[::-1] and calls == [["un", "deux"]]
    memo.encode(["trois"])  # "deux" was the least recently used: forgotten
    memo.encode(["un", "deux"])
    assert calls[-1] == ["deux"]


@pytest.mark.django_db
def test_it_lets_the_town_switch_general_answers_off(client, marius):
    assert GENERAL_ALLOWED in assemble("Q ?", [], TODAY, passages=[]).system
    client.force_login(marius)
    form = {"text": "Tu es l'assistant de {town}.", "contact": "Mairie, 05 00 00 10 00"}
    client.post("/comms/prompt/", form)
    assert PromptTemplate.objects.get(is_active=True).general_answers is False
    system = assemble("Q ?", [], TODAY, passages=[]).system
    assert GENERAL_REFUSED in system and GENERAL_ALLOWED not in system
    page = client.get("/comms/prompt/").content.decode()
    assert 'name="general_answers"' in page and 'name="general_answers" checked' not in page


def test_it_scores_facts_normalised_marks_cuts_and_plain_not_covered():
    assert answer_score.has_fact("Ouvert dès 09:00, tél. 0500001000.", "9 h")
    assert answer_score.has_fact("Ouvert dès 9h30.", "9 h 30")
    assert answer_score.has_fact("Appelez le 05 00 00 10 00.", "0500001000")
    assert not answer_score.has_fact("Tarif : 15 €.", "5 €")
    assert answer_score.has_marks("Le **badge**") and answer_score.has_marks("- item")
    assert not answer_score.has_marks("• item [1]")
    assert answer_score.has_cut("Les ordures ménagères le …")
    assert answer_score.has_cut("ménagères le lundi. [1]")
    assert not answer_score.has_cut("Horaires :\n• lundi : 9 h - 12 h ;\n• mardi [1]")
    row = {"answer": "Les documents n'en parlent pas. Mairie, 05 00 00 10 00.", "sources": []}
    assert answer_score.not_covered(row, "05 00 00 10 00")
    assert not answer_score.not_covered(dict(row, sources=[{"n": 1}]), "05 00 00 10 00")


@pytest.mark.django_db
def test_it_benchmarks_answers_through_the_chat_path(tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    lines = [
        {"id": "repair", "question": "Quand peut-on faire réparer ses appareils au Repair Café ?"},
        {"question": "Quelle est la capitale du Pérou ?", "facts": ["Lima"]},
        {"id": "we", "question": "Que se passe-t-il ce week-end ?", "today": "2026-12-07"},
        {"id": "bus", "question": "Est-ce qu'il y a des bus le jour de Noël ?"},
        {"id": "next", "question": "Que faire la semaine prochaine ?", "today": "2026-12-07"},
        {"question": "Quel temps fera-t-il la semaine prochaine ?", "today": "2026-12-07"},
    ]
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in lines), "utf-8")
    call_command("answer_bench", questions=str(questions))
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first, second, weekend, christmas, next_week, weather, summary = rows
    assert set(first) == {"id", "question", "answer", "sources", "confidence", "words"}
    assert first["id"] == "repair" and "2e samedi" in first["answer"]
    assert "Pour en savoir plus" not in first["answer"] and first["sources"][0]["n"] == 1
    assert second["id"] == 2 and second["sources"] == [] and "05 00 00 10 00" in second["answer"]
    assert "Marché de Noël" in weekend["answer"]  # asked on its own day: 12-13 December
    # 25 December is a public holiday: what the bus page says of them comes first, before the
    # waste collection's paragraph on "vendredi 25 décembre" (the day's words weigh half)
    assert christmas["answer"].startswith("Il n'y a pas de bus le dimanche ni les jours fériés")
    # a vague "what is on" question is answered with the events of its days (14-20 December),
    # though no unit is close to its words; one on the weather that week is still not covered
    assert "Loto de Noël" in next_week["answer"] and next_week["sources"]
    assert next_week["confidence"] < coverage.THRESHOLD
    assert weather["sources"] == [] and "05 00 00 10 00" in weather["answer"]
    assert summary["questions"] == 6 and summary["today"] == "2026-11-01"
    assert summary["providers"] == {"offline": 6} and summary["not_covered"] == 2


def test_it_refuses_a_bench_question_with_a_wrong_date(tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Ce week-end ?", "today": "07/12/2026"}\n', "utf-8")
    with pytest.raises(CommandError, match='q.jsonl:1: "today" must be a date, YYYY-MM-DD.'):
        call_command("answer_bench", questions=str(questions))


def test_it_says_which_bench_line_is_not_json(tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "Horaires ?"}\n{"question": "Piscine ?"\n', "utf-8")
    with pytest.raises(CommandError, match=r"q.jsonl:2: not a JSON line \("):
        call_command("answer_bench", questions=str(questions))
    with pytest.raises(CommandError, match="missing.jsonl: cannot read the questions"):
        call_command("answer_bench", questions=str(tmp_path / "missing.jsonl"))


def test_it_credits_a_section_giving_every_kind_of_fact_asked():
    heading = "Agenda > Jeudi 31 décembre - Réveillon solidaire"
    units = [
        Unit("Tournoi de belote à la salle Océane (inscription 5 €).", "sentence", "Téléthon"),
        Unit("20 h, salle Océane.", "sentence", heading),
        Unit("Tarif : 25 €.", "sentence", heading),
        Unit("Dîner et orchestre.", "sentence", heading),
    ]
    both = extractive.features("Combien coûte le réveillon, et où s'inscrire ?", units)
    assert [s.kind for s in both] == [1.0, 0.75, 0.75, 0.5]
    # one kind asked: a sentence's own share, its section's left out
    one = extractive.features("Combien coûte le réveillon ?", units)
    assert [s.kind for s in one] == [1.0, 0.0, 1.0, 0.0]
