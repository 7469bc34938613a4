"""Citations: the passage numbers an answer cites, and the sources shown under it."""

import re
from dataclasses import dataclass

from django.utils.formats import date_format

from .analysis import fold
from .models import Document
from .units import plain

CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
TITLE_BREAK = re.compile(r",\s|\s[-—–:]\s")  # "Collecte des déchets, encombrants..." -> head


def cited_numbers(text: str) -> set[int]:
    """The passage numbers an answer cites: [1], [2, 3]."""
    return {int(n) for group in CITATION.findall(text) for n in re.split(r"[,;]\s*", group)}


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def source_title(title: str, heading: str = "") -> str:
    """A source as a resident reads it: "document — section", without Markdown marks or
    repeats. The section is the last heading of the path (of each path, for passages merged
    by knowledge.prompt.merge_sources: "A > B / A > C"); with a section, the document title
    keeps only its head ("Collecte des déchets, encombrants et déchetterie" -> "Collecte des
    déchets"); a section that repeats the title is left out."""
    title = plain(title)
    sections: list[str] = []
    for path in heading.split(" / ") if heading else []:
        section = plain(path.split(" > ")[-1].lstrip("#"))
        if section and _key(section) not in map(_key, sections):
            sections.append(section)
    head = TITLE_BREAK.split(title, maxsplit=1)[0].strip()
    if len(head.split()) < 2:
        head = title
    kept = [s for s in sections if _key(head) not in _key(s) and _key(s) not in _key(title)]
    if not kept:
        shown = [s for s in sections if _key(s) != _key(title) and _key(head) in _key(s)]
        return shown[0] if shown else title
    return f"{head} — {' ; '.join(kept)}"


def sources_of(passages, answer: str = "") -> list[dict]:
    """The numbered sources an answer cites (none if it cites none: an answer that rests on
    no passage, a general answer or "not covered", lists no town document under it)."""
    cited = cited_numbers(answer)
    sources = []
    for n, p in enumerate(passages, start=1):
        if n not in cited:
            continue
        source = {"n": n, "title": source_title(p.title, p.heading), "page": p.page, "url": p.url}
        if getattr(p, "kind", "") == Document.Kind.ANSWER_CARD and getattr(p, "dated", None):
            source["validated"] = date_format(p.dated, "DATE_FORMAT")  # the town hall's own answer
        sources.append(source)
    return sources


# What a general answer must not pass off as the town's: phone numbers, times, prices.
PHONE = re.compile(r"(?<!\d)0\d(?:[ .-]?\d{2}){4}(?!\d)")
TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3]) ?(?:h|:) ?([0-5]\d)?(?![\d\w])", re.IGNORECASE)
PRICE = re.compile(r"(?<!\d)(\d+(?:[ .]\d{3})*(?:,\d{1,2})?) ?(?:€|euros?\b)", re.IGNORECASE)


def facts_in(text: str) -> dict[str, str]:
    """Phone numbers, times and prices of a text: {normalised form: form as written}
    ("9 h", "9h" and "09:00" are one time; spaces in numbers do not count)."""
    found: dict[str, str] = {}
    for match in PHONE.finditer(text):
        found["tel:" + re.sub(r"\D", "", match.group())] = match.group()
    for match in TIME.finditer(text):
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        found[f"time:{hours}:{minutes:02d}"] = match.group().strip()
    for match in PRICE.finditer(text):
        amount = match.group(1).replace(" ", "").replace(".", "").replace(",", ".")
        found[f"eur:{float(amount):g}"] = match.group().strip()
    return found


@dataclass
class Grounding:
    """What an answer rests on. grounded: it cites passages, all of them real; invented: the
    numbers it cites that no passage has; unsupported: phone numbers, times and prices it
    gives that are in no passage nor in the town hall's contact."""

    grounded: bool
    invented: list[int]
    unsupported: list[str]


def grounding(answer: str, passages, contact: str = "") -> Grounding:
    """Check an answer against the passages it was given (after it was written)."""
    cited = cited_numbers(answer)
    invented = sorted(n for n in cited if not 1 <= n <= len(passages))
    known = facts_in(" ".join([contact, *(p.text for p in passages)]))
    unsupported = [shown for key, shown in facts_in(answer).items() if key not in known]
    return Grounding(bool(cited) and not invented, invented, unsupported)
