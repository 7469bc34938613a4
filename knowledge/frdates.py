"""French dates: written out for the prompt ("samedi 21 novembre 2026"), the days a question
means ("ce week-end", "demain", "le jour de Noël"), and the days an event's heading names."""

import datetime as dt
import functools
import re

import holidays

from .analysis import fold

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
_THIS_WEEK = re.compile(r"\bcette semaine\b|\bthis week\b", re.IGNORECASE)
_NEXT_WEEK = re.compile(r"\bsemaine prochaine\b|\bnext week\b", re.IGNORECASE)
# A weekday named alone means the next one ("Que se passe-t-il samedi ?", "mardi prochain");
# after "le", "les", "chaque", "tous", "du", "au" it means every one ("ouvert le samedi", "du
# lundi au vendredi"); "ce samedi" is _WEEKEND's; before a number it is a date ("samedi 12").
_WEEKDAY = re.compile(rf"(?:(\w+)\s+)?\b({'|'.join(DAYS)})\b(?!\s*\d)(\s+prochain)?", re.I)
EVERY = frozenset({"le", "les", "chaque", "tous", "du", "au", "ce", "premier", "dernier"})
_ORDINAL = re.compile(r"\d+(?:er|e|ème|eme)$|.+i[eè]me$", re.IGNORECASE)  # "1er mardi du mois"


def short_date(day: dt.date) -> str:
    """ "samedi 28 novembre": how events guides write a day."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {number} {MONTHS[day.month - 1]}"


def days_meant(question: str, today: dt.date) -> list[dt.date]:
    """The days a question means by "ce week-end", "aujourd'hui", "demain", "cette semaine",
    "samedi" (`weeks_meant`) or a public holiday's name ("le jour de Noël": `holidays_meant`)."""
    days = []
    if _TODAY.search(question):
        days.append(today)
    if _TOMORROW.search(question):
        days.append(today + dt.timedelta(days=1))
    if _WEEKEND.search(question):
        days.extend(weekend_of(today))
    days.extend(weeks_meant(question, today))
    days.extend(holidays_meant(question, today))
    return list(dict.fromkeys(days))


def weeks_meant(question: str, today: dt.date) -> list[dt.date]:
    """The days of "cette semaine" (today to Sunday), "la semaine prochaine" (Monday to
    Sunday), and a weekday named alone ("samedi": the next one, today included)."""
    days = []
    monday = today - dt.timedelta(days=today.weekday())
    if _THIS_WEEK.search(question):
        days.extend(today + dt.timedelta(days=n) for n in range(7 - today.weekday()))
    if _NEXT_WEEK.search(question):
        days.extend(monday + dt.timedelta(days=7 + n) for n in range(7))
    for before, name, following in _WEEKDAY.findall(question):
        if before.lower() not in EVERY and not _ORDINAL.match(before):
            ahead = (DAYS.index(name.lower()) - today.weekday()) % 7
            if following and not ahead:  # "lundi prochain" said on a Monday: in a week
                ahead = 7
            days.append(today + dt.timedelta(days=ahead))
    return days


# "Nouvel an" says "Jour de l'an"; the holidays package names each French public holiday.
HOLIDAY_ALIASES = {"nouvel an": "jour de l'an"}
_NAMED_AFTER = re.compile(r"(\w+)\s+(?:de|du|des|d')\s*$")  # "marché de " before "Noël"
_PERSON = re.compile(r"\b(?:pere|papa)\s*$")  # "le Père Noël" is a person, not the day
OWNER_CHARS = 40  # how far before a holiday's name its owner ("marché de") is looked for


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> tuple[re.Pattern, dict[str, list[dt.date]]]:
    """France's public holidays around `year`: a pattern finding their folded names in a
    folded text ("noel", "lundi de paques", "paques": "Lundi de X" is also called "X"), and
    each name's dates."""
    names: dict[str, list[dt.date]] = {}
    calendar = holidays.France(years=range(year - 1, year + 2), language="fr")
    for day, name in sorted(calendar.items()):
        folded = fold(name)
        for key in {folded, folded.removeprefix("lundi de ")}:
            names.setdefault(key, []).append(day)
    for alias, name in HOLIDAY_ALIASES.items():
        names[alias] = names[fold(name)]
    longest_first = sorted(names, key=len, reverse=True)
    pattern = re.compile(rf"(?<=\W)(?:{'|'.join(map(re.escape, longest_first))})(?=\W)")
    return pattern, names


def holidays_meant(question: str, today: dt.date) -> list[dt.date]:
    """The public holidays a question names as days ("le jour de Noël", "à Pâques", "le
    jour de l'an"), each on its next date from today on. A holiday in an event's name ("le
    marché de Noël", "le sapin de Noël") is not a day: after "de", only "jour de" and
    "lundi de" name one; nor is "le Père Noël"."""
    folded = " " + fold(question).replace("’", "'") + " "
    pattern, names = _holidays(today.year)
    days = set()
    for match in pattern.finditer(folded):
        before = folded[max(0, match.start() - OWNER_CHARS) : match.start()]
        if _PERSON.search(before):
            continue
        owner = _NAMED_AFTER.search(before)
        if owner is None or owner.group(1) in ("jour", "lundi"):
            days.add(min(d for d in names[match.group()] if d >= today))
    return sorted(days)


def written_days(days: list[dt.date]) -> list[str]:
    """Days as documents write them: "samedi 28 novembre", and "jours fériés" when one of
    them is a public holiday (a town writes "fermé les jours fériés", not each date)."""
    written = [short_date(day) for day in days]
    if any(is_public_holiday(day) for day in days):
        written.append("jours fériés")
    return written


def is_public_holiday(day: dt.date) -> bool:
    return any(day in dates for dates in _holidays(day.year)[1].values())


def date_hints(question: str, today: dt.date) -> list[str]:
    """The days a question means, written as documents write them (`written_days`), so that
    the search finds what happens on those days."""
    return written_days(days_meant(question, today))


EVENT_DAYS = 15  # a span of days this long or longer is a season or a period, not an event
_FOLDED_MONTHS = {fold(month): i for i, month in enumerate(MONTHS, start=1)}
_SKIPPED = {fold(day) for day in DAYS} | {"et", "du", "le", "les", "des", ","}
_TOKEN = re.compile(r"1er|\d{1,2}|[^\W\d]+|[,-]")


def _dated(day: int, month: int, today: dt.date) -> dt.date | None:
    """The date of `day` `month` nearest to today (a guide's year is rarely written)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs(d - today), default=None)


def _after(first: dt.date, last: dt.date) -> dt.date:
    """The end of a span of another month ending before `first` as each was dated alone: the
    year after ("du 1er avril au 30 septembre" read in November: April next year, so
    September next year too)."""
    if last.month == first.month:
        return last
    try:
        return last.replace(year=last.year + 1)
    except ValueError:  # 29 February
        return last


def named_days(text: str, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The days (first, last) a heading names: "Samedi 12 et dimanche 13 décembre" gives two,
    "Du 1er au 24 décembre" one span, "Du 1er octobre au 31 mars" one over New Year, "Jeudi 10
    décembre - Repas des aînés" one day. A number not followed by a month ("10 h") names no
    day."""
    spans: list[tuple[dt.date, dt.date]] = []
    pending: list[tuple[int, bool]] = []  # day numbers awaiting their month; True: "au" before
    until = False
    for token in _TOKEN.findall(fold(text)):
        if token[0].isdigit():
            pending.append((int(token.rstrip("er")), until))
            until = False
        elif token in ("au", "a", "-") and (pending or spans):
            until = True
        elif token in _FOLDED_MONTHS:
            for number, closes in pending:
                day = _dated(number, _FOLDED_MONTHS[token], today)
                if day is None:
                    continue
                if closes and spans and day < spans[-1][0]:
                    day = _after(spans[-1][0], day)
                if closes and spans and spans[-1][0] <= day:
                    spans[-1] = (spans[-1][0], day)
                else:
                    spans.append((day, day))
            pending, until = [], False
        elif token not in _SKIPPED:
            pending, until = [], False
    return spans


_TIME_OF_YEAR = re.compile(
    rf"\b(?:{'|'.join(fold(m) for m in MONTHS)}|ete|hiver|printemps|automne|saisons?|vacances"
    r"|summer|winter|spring|autumn|season)\b"
)


def names_time_of_year(question: str) -> bool:
    """Whether a question names a month or a season ("en été", "en juillet"): it is not about
    the rules in force today."""
    return bool(_TIME_OF_YEAR.search(fold(question)))


def in_season(text: str, today: dt.date) -> bool | None:
    """Whether the yearly periods `text` names ("du 1er octobre au 31 mars": spans of
    EVENT_DAYS or more) hold today; None when it names none."""
    seasons = [(a, b) for a, b in named_days(text, today) if (b - a).days >= EVENT_DAYS]
    if not seasons:
        return None
    return any(first <= today <= last for first, last in seasons)


def _events(text: str, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The days `text` names as events: spans shorter than EVENT_DAYS, not seasons."""
    return [(a, b) for a, b in named_days(text, today) if (b - a).days < EVENT_DAYS]


def on_days(text: str, days: list[dt.date], today: dt.date) -> bool | None:
    """Whether the days `text` names include one of `days`; None when it names no day or
    only a season ("du 1er octobre au 31 mars": longer than EVENT_DAYS), not an event."""
    spans = _events(text, today)
    if not spans:
        return None
    return any(first <= day <= last for first, last in spans for day in days)


def over(text: str, today: dt.date) -> bool | None:
    """Whether every event day `text` names is before `today` ("Samedi 14 novembre - Loto"
    read on 8 December); None when it names none."""
    spans = _events(text, today)
    if not spans:
        return None
    return all(last < today for _, last in spans)
