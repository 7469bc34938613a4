"""Dates written out in French for the prompt ("samedi 21 novembre 2026") and the coming weekend."""

import datetime as dt
import re

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_date(day: dt.date) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {number} {MONTHS[day.month - 1]} {day.year}"


def weekend_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """The weekend "ce week-end" means: the current one on Saturday/Sunday, else the next."""
    if today.weekday() == 6:
        return today - dt.timedelta(days=1), today
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    return saturday, saturday + dt.timedelta(days=1)


_WEEKEND = re.compile(
    r"week-?end|\bce (samedi|dimanche)\b|\b(samedi|dimanche) prochain"
    r"|\bthis (saturday|sunday)\b|\bnext (saturday|sunday)\b",
    re.IGNORECASE,
)
_TODAY = re.compile(r"aujourd'?hui|aujourd’hui|ce soir|cet après-midi|today|tonight", re.I)
_TOMORROW = re.compile(r"\bdemain\b|tomorrow", re.IGNORECASE)


def short_date(day: dt.date) -> str:
    """ "samedi 28 novembre": how events guides write a day."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {number} {MONTHS[day.month - 1]}"


def date_hints(question: str, today: dt.date) -> list[str]:
    """The days a question means by "ce week-end", "aujourd'hui" or "demain", written as
    events guides write them, so that the search finds what happens on those days."""
    days = []
    if _TODAY.search(question):
        days.append(today)
    if _TOMORROW.search(question):
        days.append(today + dt.timedelta(days=1))
    if _WEEKEND.search(question):
        days.extend(weekend_of(today))
    return [short_date(day) for day in dict.fromkeys(days)]
