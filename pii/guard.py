"""detect(), mask() and check(): the guard's three calls, on top of the analyzer."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from .labels import KINDS, MASKS

_KIND_OF = {
    "PERSON": "person",
    "ADDRESS": "address",
    "BIRTHDATE": "birthdate",
    "EMAIL": "email",
    "PHONE": "phone",
    "IBAN": "iban",
    "NIR": "nir",
    "CARD": "card",
}
# When two kinds claim the same characters, the one with a check digit or a stricter shape
# wins: a NIR can pass Luhn, a card's digits sit inside an IBAN, a name inside an e-mail.
_PRIORITY = ("nir", "iban", "card", "email", "phone", "birthdate", "address", "person")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def _merge_same_kind(spans: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Overlapping spans of one kind become their union (the model's "Mme Fatou Diallo" and
    the cue's "Fatou Diallo" are one name)."""
    merged: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(spans):
        if merged and merged[-1][0] == kind and start < merged[-1][2]:
            merged[-1] = (kind, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((kind, start, end))
    return merged


def _is_the_town(span, text: str) -> bool:
    """The small model sometimes reads the town's name as a person's ("..., Port-Lumière.")."""
    return span.entity == "PERSON" and text[span.start : span.end] == settings.TOWN_NAME


def detect(text: str, language: str = "fr", model: str | None = None) -> list[Finding]:
    """Every piece of personal data in `text`, sorted by position, without overlaps.

    `language` is the page's language; the rules read both French and English whatever it
    is (see words.py), so it only matters to mask(). Offsets count Python characters.
    """
    if not text.strip():
        return []
    from . import engine  # lazy: spaCy and presidio (~1 s, ~150 MB) load on the first check

    spans = [
        (_KIND_OF[s.entity], s.start, s.end)
        for s in engine.analyze(text, model or settings.PII_MODEL)
        if s.entity in _KIND_OF and not _is_the_town(s, text)
    ]
    chosen: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(_merge_same_kind(spans), key=lambda s: _PRIORITY.index(s[0])):
        if all(end <= s or e <= start for _, s, e in chosen):
            chosen.append((kind, start, end))
    return [Finding(k, s, e, text[s:e]) for k, s, e in sorted(chosen, key=lambda c: c[1])]


def mask(text: str, findings: list[Finding], language: str = "fr") -> str:
    """`text` with each finding replaced by its kind's mask in `language`, e.g. "[nom masqué]"."""
    with translation.override(language):
        out, at = [], 0
        for f in sorted(findings, key=lambda f: f.start):
            out += [text[at : f.start], str(MASKS[f.kind])]
            at = f.end
        return "".join(out) + text[at:]


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def check(text: str, language: str = "fr") -> dict:
    """A JSON-ready answer for the browser: the kinds found (in the warning's order), each
    span with offsets in UTF-16 code units (JavaScript's String indices, which differ from
    Python's after an emoji) and the masked text. It holds the resident's own text: answer
    it to the resident only, never log it."""
    findings = detect(text, language)
    return {
        "kinds": [k for k in KINDS if any(f.kind == k for f in findings)],
        "findings": [
            {"kind": f.kind, "start": _utf16(text, f.start), "end": _utf16(text, f.end)}
            for f in findings
        ],
        "masked": mask(text, findings, language),
    }
