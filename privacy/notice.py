"""The residents' one-page notice, in plain words, from the same facts as the record."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from knowledge.prompt import town_contact

from .facts import Facts
from .retention import BY_KEY


@dataclass
class Notice:
    title: str
    sections: list[tuple[str, list[str]]]
    outside_eu: bool


def _where_questions_go(facts: Facts) -> list[str]:
    if facts.all_at_town:
        return [
            _(
                "Your questions stay on the town hall's server: they are answered there and sent "
                "nowhere else."
            )
        ]
    lines = []
    for place in facts.places:
        if place.at_town:
            continue
        values = {"name": place.vendor, "where": place.where}
        if place.role == "active":
            text = _(
                "To write an answer, your question and extracts of the town's documents "
                "are sent to %(name)s, which processes them %(where)s."
            )
        else:
            text = _("If the service is unavailable, %(name)s takes over, %(where)s.")
        if not place.in_eu:
            text += " " + _("This is outside the European Union.")
        lines.append(text % values)
    return lines


def build(facts: Facts) -> Notice:
    record = facts.record
    responsible = [_("The service is run by %(who)s.") % {"who": record.controller_text()}]
    if record.dpo.strip():
        responsible.append(_("Data protection officer: %(dpo)s.") % {"dpo": record.dpo.strip()})
    responsible += [
        _(
            "For any question about your data, or to use your rights, contact the town hall: "
            "%(contact)s."
        )
        % {"contact": town_contact()},
        _("You may also complain to the CNIL (www.cnil.fr)."),
    ]
    kept = [
        _(
            "Your access code is stored scrambled: nobody can read it back. The town hall does "
            "not know your name."
        ),
        _(
            "It counts how much you use the service (number of questions, length of answers), "
            "never what you write."
        ),
        _(
            "To spot a shared code, it keeps for %(days)d days a scrambled trace of the device "
            "you use, never your IP address."
        )
        % {"days": BY_KEY["sighting"].value()},
        _(
            "If you choose to stay signed in, your browser keeps a sign-in cookie for %(days)d "
            "days at most."
        )
        % {"days": BY_KEY["session"].value()},
    ]
    questions = [
        _(
            "The town hall keeps neither your questions nor the answers. Your conversation stays "
            "in your browser and is erased when you close the tab."
        ),
        *_where_questions_go(facts),
        _("Your access code, your IP address and your name are never sent."),
    ]
    return Notice(
        title=_("Your data and the town's assistant"),
        sections=[
            (_("What the town hall keeps"), kept),
            (_("Your questions"), questions),
            (
                _("Do not write personal information"),
                [
                    _(
                        "Do not type your name, address, phone number or bank details in a "
                        "question: the assistant does not need them."
                    )
                ],
            ),
            (_("Who is responsible, and your rights"), responsible),
        ],
        outside_eu=bool(facts.outside_eu),
    )
