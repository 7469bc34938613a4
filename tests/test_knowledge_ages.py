"""A resident's age against the documents' age conditions, and its credit in the answer."""

import datetime as dt

import pytest

from knowledge import ages
from knowledge.demo import load_demo_town
from knowledge.prompt import assemble

TODAY = dt.date(2026, 11, 1)  # the demo town's guides are in force


def test_it_reads_the_ages_a_resident_gives():
    assert ages.ages_said("J'ai 72 ans et ma femme en a 66, on peut venir ?") == [72, 66]
    assert ages.ages_said("Ma fille, qui a 55 ans, voudrait venir.") == [55]
    assert ages.ages_said("Mon petit-fils vient d'avoir 16 ans.") == [16]
    # a duration or a birthday is no age of the resident's
    assert ages.ages_said("Mes hortensias ne fleurissent plus depuis deux ans.") == []
    assert ages.ages_said("Il y a 10 ans, la plage était plus grande.") == []


@pytest.mark.parametrize(
    ("text", "age", "fits"),
    [
        ("Pour les habitants de 70 ans et plus, une collecte en sacs.", 78, True),
        ("Pour les habitants de 70 ans et plus, une collecte en sacs.", 66, False),
        ("Accompagnant de moins de 70 ans : 28 €.", 66, True),
        ("Accompagnant de moins de 70 ans : 28 €.", 70, False),
        ("Les personnes de plus de 75 ans vivant seules.", 75, False),
        ("Les personnes de plus de 75 ans vivant seules.", 81, True),
        ("Contes pour les enfants dès 4 ans.", 6, True),
        ("Elle est demandée jusqu'à 25 ans.", 26, False),
        ("Le recensement citoyen à 16 ans.", 16, True),
        ("De 16 à 25 ans, un tarif réduit.", 20, True),
        ("La collecte a lieu le lundi.", 78, False),
    ],
)
def test_it_tells_whether_an_age_meets_a_condition(text, age, fits):
    assert ages.fits([age], text) is fits


@pytest.mark.django_db
def test_it_answers_with_the_service_meant_for_the_residents_age():
    load_demo_town()
    question = "J'ai 78 ans et plus de voiture, comment je me débarrasse des branches du jardin ?"
    answer = " ".join(u.text for u in assemble(question, [], TODAY).extract().units)
    assert "70 ans et plus" in answer and "premier lundi" in answer
