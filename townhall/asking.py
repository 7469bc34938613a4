"""What a resident sends to the town hall: the checked texts, the personal-data preview, and
the request made from them.

The body is JSON: {"question": str, "answer": str?, "include_answer": bool?,
"personal_data": "mask" | "keep"?}. The personal-data guard (pii.check) reads the question;
in the assistant's answer it looks for the same pieces the question holds (an answer quotes
the town's own phone numbers and addresses, which are not personal data, but it may repeat
the resident's). When something is found, sending needs the resident's choice, as in the chat:
"mask" (the server replaces each piece by its mask) or "keep". Offsets are UTF-16 code units,
as JavaScript counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

import pii
from accesscodes.models import AccessCode
from pii.labels import NAMES

from .models import ANSWER_MAX_CHARS, QUESTION_MAX_CHARS, TownRequest
from .workdays import due_date

CHOICES = ("mask", "keep")


class BadInput(Exception):
    """A body that cannot be sent as it is: `code`, a plain `message` and the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


@dataclass
class Draft:
    """What the resident is about to send."""

    question: str
    answer: str  # "" when not included
    choice: str  # "mask", "keep" or ""


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        raise BadInput("bad_request", _("Your request could not be read. Please try again."))
    if len(value) > limit:
        message = _("This text is too long. Please keep it under %(n)d characters.")
        raise BadInput("too_long", message % {"n": limit})
    return value.strip()


def read(body: bytes) -> Draft:
    """The checked body, or BadInput."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise BadInput("bad_request", _("Your request could not be read. Please try again."))
    question = _text(data, "question", QUESTION_MAX_CHARS)
    if not question:
        raise BadInput("empty", _("Please type your question first."))
    answer = _text(data, "answer", ANSWER_MAX_CHARS) if data.get("include_answer") else ""
    choice = data.get("personal_data") or ""
    if choice and choice not in CHOICES:
        raise BadInput("bad_request", _("Your request could not be read. Please try again."))
    return Draft(question, answer, choice)


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def echoes(answer: str, findings: list[pii.Finding]) -> list[pii.Finding]:
    """The places where `answer` repeats a piece of personal data found in the question."""
    found: list[pii.Finding] = []
    lowered = answer.lower()
    for finding in findings:
        needle, start = finding.text.lower(), 0
        while needle and (at := lowered.find(needle, start)) >= 0:
            end = at + len(needle)
            if all(end <= f.start or f.end <= at for f in found):
                found.append(pii.Finding(finding.kind, at, end, answer[at:end]))
            start = end
    return sorted(found, key=lambda f: f.start)


def _kinds_sentence(kinds: list[str]) -> str:
    words = [str(NAMES[kind]) for kind in kinds]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + _(" and ") + words[-1]
    return " ".join(
        [
            _("Your message seems to contain %s.") % listed,
            _("The town hall does not need it to answer: we advise you to hide it."),
        ]
    )


def preview(draft: Draft, language: str) -> dict:
    """Exactly what would be sent, as it is and masked, with the kinds of personal data found
    and the sentence that warns about them ("" when nothing was found)."""
    findings = pii.detect(draft.question, language)
    repeated = echoes(draft.answer, findings)
    kinds = [k for k in pii.KINDS if any(f.kind == k for f in findings)]

    def part(text: str, found: list[pii.Finding]) -> dict:
        spans = [
            {"kind": f.kind, "start": _utf16(text, f.start), "end": _utf16(text, f.end)}
            for f in found
        ]
        return {"text": text, "masked": pii.mask(text, found, language), "findings": spans}

    return {
        "question": part(draft.question, findings),
        "answer": part(draft.answer, repeated) if draft.answer else None,
        "kinds": kinds,
        "warning": _kinds_sentence(kinds) if kinds else "",
    }


def open_requests(code: AccessCode) -> int:
    return TownRequest.objects.filter(
        code=code, status=TownRequest.Status.OPEN, purged_at__isnull=True
    ).count()


def create(code: AccessCode, draft: Draft, language: str) -> TownRequest:
    """The request as the resident chose to send it; BadInput (409 with the preview) when
    personal data was found and no choice was made, 429 when too many are waiting."""
    if open_requests(code) >= settings.TOWNHALL_MAX_OPEN:
        message = _(
            "You already have %(n)d requests waiting for a reply. Please wait for a reply "
            "before sending another one."
        )
        raise BadInput("too_many", message % {"n": settings.TOWNHALL_MAX_OPEN}, 429)
    seen = preview(draft, language)
    if seen["kinds"] and not draft.choice:
        raise BadInput("choose", seen["warning"], 409)
    field = "masked" if seen["kinds"] and draft.choice == "mask" else "text"
    question = seen["question"][field]
    answer = seen["answer"][field] if seen["answer"] else ""
    today = timezone.localdate()
    return TownRequest.objects.create(
        code=code,
        question=question[:QUESTION_MAX_CHARS],
        answer=answer[:ANSWER_MAX_CHARS],
        language=language,
        due_on=due_date(today),
    )
