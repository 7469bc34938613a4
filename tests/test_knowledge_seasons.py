"""The rules of the season in force: a question naming no month nor season is about today;
events that are over give way to those to come."""

import datetime as dt

import pytest

from knowledge.demo import load_demo_town
from knowledge.frdates import in_season, named_days, names_time_of_year, over
from knowledge.prompt import assemble

NOVEMBER, JULY = dt.date(2026, 11, 10), dt.date(2026, 7, 10)


def test_it_reads_whether_a_yearly_period_holds_today():
    winter, summer = "Horaires d'hiver (du 1er octobre au 31 mars)", "Du 1er avril au 30 septembre"
    assert in_season(winter, NOVEMBER) and in_season(winter, dt.date(2027, 3, 31))
    assert in_season(winter, JULY) is False and in_season(summer, NOVEMBER) is False
    assert in_season(summer, JULY)
    assert in_season("Du 2 au 5 novembre : travaux", NOVEMBER) is None  # an event's days
    assert in_season("Horaires d'hiver", NOVEMBER) is None
    # a period read from the other side of the year is one span, not two days
    assert named_days("Du 1er avril au 30 septembre", NOVEMBER) == [
        (dt.date(2027, 4, 1), dt.date(2027, 9, 30))
    ]


def test_it_knows_a_question_that_names_a_time_of_year():
    assert names_time_of_year("La déchetterie ouvre le dimanche en été ?")
    assert names_time_of_year("Et en juillet ?")
    assert not names_time_of_year("La déchetterie ouvre le dimanche ?")


def _answer(question: str, today: dt.date) -> str:
    return " ".join(u.text for u in assemble(question, [], today).extract().units)


@pytest.mark.django_db
def test_it_answers_with_the_rules_in_force_today():
    load_demo_town()
    dogs = "Je peux promener mon chien sur la Grande Plage ?"
    assert "Du 1er octobre au 31 mars" in _answer(dogs, NOVEMBER)  # not the summer ban alone
    assert "Du 1er avril au 30 septembre" in _answer(dogs, JULY)
    hours = "À quelle heure ferme la déchetterie le samedi ?"
    assert not _answer(hours, NOVEMBER).startswith("Horaires d'été")
    assert "14 h - 17 h" in _answer(hours, NOVEMBER)
    assert "18 h 30" in _answer(hours, JULY)
    # a question naming a season is answered for that season
    assert "18 h 30" in _answer("À quelle heure ferme la déchetterie le samedi en été ?", NOVEMBER)


def test_it_tells_an_event_that_is_over():
    december = dt.date(2026, 12, 8)
    assert over("Samedi 14 novembre - Loto du Club Soleil d'Automne", december)
    assert over("Samedi 19 décembre - Loto de Noël", december) is False
    assert over("Samedi 12 et dimanche 13 décembre - Marché de Noël", december) is False
    assert over("Horaires d'hiver (du 1er octobre au 31 mars)", december) is None  # a season
    assert over("Le loto du club", december) is None


def _read(question: str, today: dt.date) -> str:
    """The answer as the resident reads it: each unit with what is shown before it."""
    units = assemble(question, [], today).extract().units
    return " ".join(f"{u.lead} {u.text}" for u in units)


@pytest.mark.django_db
def test_it_gives_the_event_to_come_rather_than_one_that_is_over():
    load_demo_town()
    loto = "C'est quand le prochain loto ?"
    in_december = _read(loto, dt.date(2026, 12, 8))
    assert "19 décembre" in in_december and "14 novembre" not in in_december
    assert "14 novembre" in _read(loto, dt.date(2026, 11, 2))  # still to come then
    # a question naming the day of the one that is over is about it
    named = _read("Le loto du 14 novembre, c'était à quelle heure ?", dt.date(2026, 12, 8))
    assert named.startswith("Samedi 14 novembre") and "19 décembre" not in named
    # none to come: the one that is over keeps its place, its day tells the resident
    assert "19 novembre" in _read("Quand est le prochain thé dansant ?", dt.date(2026, 12, 8))
