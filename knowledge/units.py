"""Split town passages into answer units: whole sentences and list items, with their context.

An answer unit is what the offline answer may quote: one sentence of a paragraph (with the
sentences after it that point back to it: "Ces jours-là, elle est reportée au lendemain."), or
one item of a list, in the document's own words with the Markdown marks taken out (`**`, `_`,
links, `#`, `>`). A heading is never a unit: it is the context of the units under it (it helps to
score them and introduces them in the answer), and so is the sentence ending in ":" that opens
a list (its items are quoted under it, as a list).

Two kinds of text come in. Markdown-like text (Markdown, web pages, Word files) has one
paragraph per block and `## heading path` lines where the chunker merged small sections.
PDF text (a passage with a page number) has one line per printed line: a sentence runs over
several lines, lists are `- ` lines that wrap too, and the page's running header and footer
("Page 2 / 6") come along. `pdf_lines` puts the printed lines back into paragraphs, items
and headings first.
"""

import re
from dataclasses import dataclass, field

from .analysis import fold

BULLET = re.compile(r"^\s{0,3}(?:[-*+•▪◦]|\d{1,2}[.)])\s+")
SYMBOL_BULLET = re.compile(r"^[-*+•▪◦]\s+")  # in PDF text "5) et" may be a wrapped "(page 5)"
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
QUOTE_MARK = re.compile(r"^\s{0,3}>\s?")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^()\s]+)\)")
EMPHASIS = re.compile(
    r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])"
    r"|(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])"
)
CODE = re.compile(r"`([^`\n]*)`")
PAGE_FOOTER = re.compile(r"^(?:page\s*)?\d{1,4}\s*(?:/|sur|of)\s*\d{1,4}$", re.IGNORECASE)
# A sentence ends at . ! ? or … (then maybe a closing quote or bracket) before a capital, a
# digit or an opening quote; not after an abbreviation or a lone initial ("Tél. 05", "M. Roux").
SENTENCE_END = re.compile(r"[.!?…]+[»\"”’)\]]*\s+(?=[«\"“(\dA-ZÀ-ÖØ-Þ])")
ABBREVIATIONS = frozenset(
    """tél tel fax m mm mme mmes mlle dr pr st ste av bd bld n no nº p pp cf env max min
    etc réf ref art vol ch chap fig hab adj éd""".split()  # noqa: SIM905
)
TERMINAL = tuple('.!?…:;»)"”')
ENDS_SENTENCE = tuple(".!?…")  # a printed line ending with one ends a sentence
# A sentence that opens on a pronoun, a demonstrative or a linking word says nothing on its
# own ("Ces jours-là, elle est reportée au lendemain.", "Ainsi, la collecte du 25 décembre…"):
# it stays with the sentence before it. "Il faut", "il y a", "il est possible" are no pronoun.
ANAPHORA = re.compile(
    r"^(?:Ces|Cet|Cette|Ce|Cela|Ça|Elles?|Ils|Ainsi|Sinon|Toutefois|Cependant|En revanche"
    r"|Par contre|Dans ce cas|De même|Celui-ci|Celle-ci|Ceux-ci|Celles-ci)\b"
    r"|^Il\b(?! (?:faut|y a|n'y a|n’y a|est (?:possible|conseillé|recommandé|interdit"
    r"|nécessaire|obligatoire|préférable|important|utile)))"
)
# A bare reply ("Non.", "Oui, bien sûr.") says nothing without the sentence after it.
REPLY = re.compile(r"^(?:Oui|Non)\b(?:[ ,]+\w+){0,2}[.!]$")
# A printed line at least this share of the page's longest line runs on to the next one.
FULL_LINE = 0.6
# A sentence that points back is joined to the one before only while the unit stays this
# short: no unit holds more than an answer may quote (knowledge.answerchoice.ANSWER_WORDS).
UNIT_WORDS = 70
WORD = re.compile(r"\w+")


@dataclass
class Unit:
    """One quotable sentence or list item; `heading` and `intro` are its context."""

    text: str
    kind: str  # "sentence" or "item"
    heading: str = ""  # heading path, "A > B"
    intro: str = ""  # the question or the opening ("...:") just before it
    list_id: int | None = None  # items of one list share it
    source: int = 0  # the number [n] of the passage it comes from
    order: int = 0  # position in reading order
    extra: dict = field(default_factory=dict)

    @property
    def context(self) -> str:
        return " ".join(part for part in (self.heading.replace(" > ", " "), self.intro) if part)

    @property
    def section(self) -> str:
        """The last heading of the path: the section the unit belongs to."""
        return self.heading.rsplit(" > ", 1)[-1]


def plain(text: str) -> str:
    """The text without Markdown marks: links keep their words, emphasis and code their
    content; spaces collapsed."""
    text = LINK.sub(r"\1", text)
    text = CODE.sub(r"\1", text)
    for _ in range(2):  # nested emphasis: **_word_**
        text = EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text)
    text = text.replace("**", "").replace("__", "")
    return " ".join(text.split())


def sentences(paragraph: str) -> list[str]:
    """Whole sentences of a paragraph, in order; never a piece of a sentence."""
    out, start = [], 0
    for match in SENTENCE_END.finditer(paragraph):
        before = paragraph[start : match.start()].rsplit(None, 1)
        word = before[-1].strip('(«"') if before else ""
        if word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            continue
        out.append(paragraph[start : match.end()].strip())
        start = match.end()
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return [s for s in out if any(ch.isalnum() for ch in s)]


def _is_header(line: str, title_key: str) -> bool:
    """A page footer, or a running header: the document's title with no sentence in it."""
    if PAGE_FOOTER.match(line):
        return True
    folded = fold(line).replace("—", "-").replace("–", "-")
    return bool(title_key) and folded.startswith(title_key) and ". " not in line


def pdf_lines(text: str, title: str = "", width: int = 0, headings: bool = True) -> list[str]:
    """Printed lines put back together: one line per paragraph, `- item` or heading.

    A line that does not end a sentence and is nearly as long as the page's longest (or
    `width`) runs on into the next one; so does a sentence printed between a wrapped list item
    and the next item (the item's end); a short one is a heading, unless the next line starts
    in lower case (a heading printed on two lines); `headings=False` leaves headings unmarked.
    Running headers (starting with the document's title) and page footers are dropped."""
    raw = printed_lines(text, title)
    width = width or max((len(line) for line in raw), default=0)
    out: list[str] = []
    printed = 0  # length of the last printed line
    for i, line in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else ""
        if (
            out
            and not SYMBOL_BULLET.match(line)
            and (
                _runs_on(out[-1], printed, line, width)
                or _item_goes_on(out[-1], printed, line, following, width)
            )
        ):
            glue = "" if out[-1].endswith("-") and line[:1].islower() else " "
            out[-1] = out[-1] + glue + line
        else:
            out.append(line)
        printed = len(line)
    return _mark_headings(out) if headings else out


def printed_lines(text: str, title: str = "") -> list[str]:
    """A PDF text's printed lines, spaces collapsed, without empty lines, "[…]" (a cut made
    by the search) nor running headers and page footers."""
    title_key = fold(title).replace("—", "-").replace("–", "-")[:24].strip()
    raw = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in raw if line and line != "[…]" and not _is_header(line, title_key)]


def _item_goes_on(item: str, printed: int, line: str, following: str, width: int) -> bool:
    """Whether a sentence printed under a list item, between it and the next item, is the
    item's end: its last line was full, so the item wrapped ("- Le parking de l'Esplanade est
    fermé pendant toute la durée des travaux." / "Garez-vous au parking de la halle du
    marché." / "- Le chantier s'interrompt…"). A sentence after the list's last item is left
    alone: nothing tells it from a paragraph; nor can anything tell a one-line sentence
    between two lists from the end of a long item before it: it is joined to that item."""
    return (
        bool(SYMBOL_BULLET.match(item))
        and printed >= FULL_LINE * width
        and line.endswith(ENDS_SENTENCE)
        and bool(SYMBOL_BULLET.match(following))
    )


def _runs_on(previous: str, printed: int, line: str, width: int) -> bool:
    """Whether a printed line goes on from the previous one: that one ends no sentence and is
    a full line, or this one starts in lower case (or with : ; , ) after no full stop)."""
    if previous.endswith(ENDS_SENTENCE):
        return False
    if line[:1].islower() or line[:1] in ":;,)":
        return True
    return not previous.endswith(TERMINAL) and printed >= FULL_LINE * width


def _mark_headings(lines: list[str]) -> list[str]:
    """Short lines that end no sentence become headings: the page's first one `# ` (a
    magazine's article title), the next ones `## `. A line ending with a comma is no heading
    ("Chères Lumiéroises, chers Lumiérois,")."""
    out: list[str] = []
    level = "#"
    for line in lines:
        if not BULLET.match(line) and not line.endswith((*TERMINAL, ",")):
            out.append(f"{level} {line}")
            level = "##"
        else:
            out.append(line)
    return out


def markdown_lines(text: str) -> list[str]:
    """Logical lines of Markdown-like text: paragraphs joined, each item on its own line
    (an item's wrapped lines joined to it), headings and blank lines kept."""
    out: list[str] = []
    in_item = False
    for line in text.splitlines():
        line = QUOTE_MARK.sub("", line).rstrip()
        if not line.strip():
            out.append("")
            in_item = False
        elif HEADING.match(line) or BULLET.match(line):
            out.append(line.strip())
            in_item = bool(BULLET.match(line))
        elif out and out[-1] and (in_item or not HEADING.match(out[-1])):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
    return out


def _heading_path(path: list[str], line: str) -> list[str]:
    """The heading path after a `#` line: a level-n heading replaces the path from n on; a
    line holding a whole path ("## A > B", written by the chunker) replaces it all."""
    level = len(line) - len(line.lstrip("#"))
    text = line.lstrip("#").strip()
    if " > " in text:
        return [plain(part) for part in text.split(" > ")]
    return [*path[: level - 1], plain(text)]


def words_of(text: str) -> int:
    return len(WORD.findall(text))


def _joins(previous: str, sentence: str) -> bool:
    """Whether `sentence` points back to `previous`, or completes a bare reply, and fits in
    one unit with it."""
    leans = ANAPHORA.match(sentence) or REPLY.match(previous)
    return bool(leans) and words_of(f"{previous} {sentence}") <= UNIT_WORDS


def split_units(lines: list[str], path: list[str], source: int = 0) -> list[Unit]:
    """Units of logical lines (markdown_lines or pdf_lines), under the heading path `path`
    until a `#` line says otherwise. A sentence ending in "?" ("Bac cassé ?") or in ":" (a
    list's opening) is the context of what follows it, not a unit: a question, of the rest of
    its paragraph ("Vous ne pouvez pas vous déplacer ? Un agent vient… Contactez le CCAS…")."""
    units: list[Unit] = []
    intro, list_id, lists = "", None, 0
    for line in lines:
        if not line:
            continue
        if HEADING.match(line):
            path, intro, list_id = _heading_path(path, line), "", None
            continue
        heading = " > ".join(part for part in path if part)
        bullet = BULLET.match(line)
        if bullet:
            if list_id is None:
                lists += 1
                list_id = lists
            text = plain(line[bullet.end() :])
            if text:
                units.append(Unit(text, "item", heading, intro, list_id, source))
            continue
        if list_id is not None:  # the list is over, and so is its opening
            intro, list_id = "", None
        previous = None  # the unit of this paragraph's previous sentence
        asked = False  # a question in this paragraph: the context of the rest of it
        for sentence in sentences(plain(line)):
            if sentence.endswith(("?", ":")):
                intro, previous, asked = sentence, None, sentence.endswith("?")
            elif previous is not None and _joins(previous.text, sentence):
                previous.text = f"{previous.text} {sentence}"
            else:
                previous = Unit(sentence, "sentence", heading, intro, None, source)
                units.append(previous)
                intro = intro if asked else ""
        if previous is not None:  # the paragraph answered its question: it ends here
            intro = ""
    return units


def units_of(text: str, *, heading: str = "", title: str = "", pdf: bool = False, source=0):
    """The answer units of one passage's text (see the module docstring); `heading` is the
    passage's heading path ("A > B")."""
    lines = pdf_lines(text, title) if pdf else markdown_lines(text)
    path = [plain(part) for part in heading.split(" > ")] if heading else []
    return split_units(lines, path, source)
