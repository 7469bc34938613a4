"""Which units an offline answer quotes: the number to call, added or in place of a unit;
lists quoted whole and what may follow them."""

from knowledge import answerchoice
from knowledge.units import Unit

SECTION = "Maisons de quartier > Maison de quartier des Dunes"


def scored(text, score, order, heading=SECTION):
    item = answerchoice.Scored(Unit(text, "sentence", heading, order=order), 0.5, 0.0, 0.0)
    item.score = score
    return item


HOURS = scored("Du lundi au vendredi : 9 h - 12 h et 14 h - 18 h.", 1.0, 1)
SATURDAY = scored("Le samedi : 9 h - 12 h.", 0.95, 2)
BUS = scored("Bus : ligne 2, arrêt « Dunes ».", 0.9, 3)
PHONE = scored("Tél. 05 00 00 60 10.", 0.3, 4)


def test_it_adds_the_sections_number_to_call_when_there_is_room():
    chosen = answerchoice.choose([HOURS, SATURDAY, PHONE])
    assert [c.unit.text for c in chosen] == [HOURS.unit.text, SATURDAY.unit.text, PHONE.unit.text]


def test_it_keeps_the_units_asked_for_rather_than_a_number_nobody_asked():
    chosen = answerchoice.choose([HOURS, SATURDAY, BUS, PHONE])
    assert PHONE not in chosen and HOURS in chosen and SATURDAY in chosen and BUS in chosen


def test_it_gives_the_number_in_place_of_the_last_unit_when_one_is_asked():
    chosen = answerchoice.choose([HOURS, SATURDAY, BUS, PHONE], frozenset({"phone"}))
    assert chosen == [HOURS, SATURDAY, PHONE]


def test_it_takes_a_price_or_a_date_for_no_number_to_call():
    loto = scored("Tarif : 3 € le carton, 15 € les six cartons.", 0.95, 2)
    chosen = answerchoice.choose([HOURS, loto, PHONE])
    assert PHONE in chosen  # "15 €" is no number to call: the section's number is added


def test_it_gives_the_number_that_follows_the_sentence_the_question_is_about():
    heading = "Mairie > Les élus"
    deputy = scored("L'adjointe reçoit le mercredi matin (05 00 00 20 00).", 1.0, 1, heading)
    mayor = scored("Madame la Maire reçoit le samedi matin, de 9 h 30 à 12 h.", 0.95, 3, heading)
    mayor.lexical, deputy.lexical = 0.34, 0.15  # the question names the mayor
    cabinet = scored("Pour un rendez-vous, appelez le cabinet au 05 00 00 10 01.", 0.7, 4, heading)
    asked = frozenset({"date", "phone"})
    assert answerchoice.choose([deputy, mayor, cabinet], asked) == [deputy, mayor, cabinet]
    # no number asked: the deputy's number is enough, as before
    assert cabinet not in answerchoice.choose([deputy, mayor, cabinet])


def test_it_quotes_the_list_a_sentence_goes_on_to():
    heading = "État civil > Déclarer un décès"
    delay = scored("Un décès se déclare dans les 24 heures à la mairie.", 1.0, 1, heading)
    bring = "Si vous le faites vous-même, apportez :"
    items = [
        answerchoice.Scored(Unit(text, "item", heading, bring, 7, order=order), 0.1, 0.0, 0.0)
        for order, text in ((2, "le certificat de décès ;"), (3, "le livret de famille."))
    ]
    for item in items:
        item.score = 0.2  # far below the sentence: not quoted for their own score
    copies = scored("Demandez plusieurs copies de l'acte de décès.", 0.9, 4, heading)
    chosen = answerchoice.choose([delay, copies, *items])
    assert chosen == [delay, *items, copies]  # the list, then what scores nearly as well
    # a list under another heading, or a sentence not right before it: no list
    elsewhere = scored("Un décès se déclare dans les 24 heures.", 1.0, 1, "Autre")
    assert items[0] not in answerchoice.choose([elsewhere, copies, *items])
    later = scored("Un décès se déclare dans les 24 heures.", 1.0, 0, heading)
    assert items[0] not in answerchoice.choose([later, copies, *items])


def test_it_quotes_only_the_run_of_the_list_that_follows_the_sentence():
    heading = "État civil > Déclarer un décès"
    bring = "Apportez :"

    def item(text, order):
        unit = Unit(text, "item", heading, bring, 7, order=order)
        found = answerchoice.Scored(unit, 0.1, 0.0, 0.0)
        found.score = 0.2
        return found

    earlier = item("un formulaire ;", 1)  # same list id, from another chunk before
    delay = scored("Un décès se déclare dans les 24 heures.", 1.0, 5, heading)
    after = [item("le certificat de décès ;", 6), item("le livret de famille.", 7)]
    assert answerchoice.choose([delay, earlier, *after]) == [delay, *after]


def listed(text, score, order, list_id, source=0, lexical=0.5):
    unit = Unit(text, "item", SECTION, "", list_id, source, order)
    found = answerchoice.Scored(unit, lexical, 0.0, 0.0)
    found.score = score
    return found


WEEK = [
    "Mardi : 14 h - 18 h",
    "Mercredi : 10 h - 18 h",
    "Jeudi : 10 h - 12 h",
    "Samedi : 10 h - 17 h",
]


def test_it_completes_a_short_list_some_items_of_which_are_chosen():
    helpdesk = scored("L'aide au numérique : le mardi de 10 h à 12 h, à la médiathèque.", 1.0, 1)
    days = [listed(text, 0.2, 10 + i, list_id=3) for i, text in enumerate(WEEK)]
    days[0].score = days[3].score = 0.9  # Tuesday and Saturday alone would hide the other days
    chosen = answerchoice.choose([helpdesk, days[0], days[3], days[1], days[2]])
    assert chosen == [helpdesk, *days]


def test_it_leaves_a_long_list_to_the_items_chosen():
    streets = [
        listed(f"Quartier {n} : rue des Mouettes, rue des Goélands, allée des Pins.", 0.1, n, 4)
        for n in range(8)
    ]
    best = scored("Les bacs sont collectés le matin.", 1.0, 0)
    streets[2].score = 0.9
    chosen = answerchoice.choose([best, streets[2], *streets[:2], *streets[3:]])
    assert chosen == [best, streets[2]]


def test_it_follows_a_whole_list_with_units_of_its_passage_only():
    week = [listed(text, 1.0 - i / 100, i, list_id=5, source=1) for i, text in enumerate(WEEK)]
    closed = scored("Fermée du 24 décembre au 3 janvier.", 0.9, 9)
    closed.unit.source = 1
    lookalike = scored("Parkings gratuits toute l'année.", 0.95, 2)
    lookalike.unit.source, lookalike.lexical = 2, 0.9  # another passage, even with more words
    assert answerchoice.choose([*week, lookalike, closed]) == [*week, closed]


def test_it_keeps_a_completed_list_whole_when_a_number_is_asked():
    helpdesk = scored("L'aide au numérique : le mardi de 10 h à 12 h.", 1.0, 1)
    days = [listed(text, 0.2, 10 + i, list_id=3) for i, text in enumerate(WEEK)]
    days[0].score = days[3].score = 0.9
    phone = scored("Tél. 05 00 00 30 20.", 0.3, 20)
    chosen = answerchoice.choose([helpdesk, days[0], days[3], phone, days[1], days[2]])
    assert chosen == [helpdesk, *days, phone]  # two units: room for the number
    ranked = [helpdesk, days[0], days[3], phone, days[1], days[2]]
    asked = answerchoice.choose(ranked, frozenset({"phone"}))
    assert asked == [helpdesk, *days, phone]


def test_it_completes_a_list_that_follows_a_list_quoted_whole():
    week = [listed(text, 1.0 - i / 100, i, list_id=5) for i, text in enumerate(WEEK)]
    other = [
        listed(t, 0.1, 20 + i, list_id=6) for i, t in enumerate(["Lundi : fermé", "Mardi : 9 h"])
    ]
    other[0].score = 0.9
    assert answerchoice.choose([*week, other[0], other[1]]) == [*week, *other]
