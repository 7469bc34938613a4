"""The chat's personal-data check: the page's POST /chat/check, and the same check enforced
on /chat/ask before any provider sees a question.

The browser asks /chat/check before sending; if anything is found, the resident chooses to
mask it, to send as it is, or to edit. /chat/ask re-checks any question whose request does
not say the resident chose ("personal_data": "masked" | "kept"), so a page that skipped the
check (an old tab, its check failed) still never forwards a name or an address unseen. When
/chat/check found nothing it also answers a `clear` token: a signature of this code and this
very text, valid CLEAR_SECONDS; /chat/ask given it back ("checked") trusts that check instead
of running the model a second time (5 ms of CPU per question: docs/benchmarks.md). The
text is answered to the resident only: never stored, never logged (pii/__init__.py says where
the check runs and what goes where).
"""

import logging

from django.core import signing
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import pii
from accesscodes.session import resident_api
from core.keys import keyed_hash

from .questions import MAX_MESSAGE_CHARS, language_of, parse_json
from .ratelimits import too_often

log = logging.getLogger(__name__)

# Checks per code and minute: one per "Send" press (and one per edit after a warning), so
# twice the questions a code may ask (CHAT_RATE, 30/m by default) leaves room for edits.
CHECK_RATE = "60/m"
# What the page says the resident chose after a warning; anything else is "not chosen".
CHOICES = ("masked", "kept")
# How long a "nothing found" answer of /chat/check vouches for its text on /chat/ask.
CLEAR_SECONDS = 600
_CLEAR = signing.TimestampSigner(salt="arcachat.personaldata.clear")


def _fingerprint(code_id: int, text: str) -> str:
    return keyed_hash("pii-clear", f"{code_id}:{text.strip()}")[:32]


def clearance(code_id: int, text: str) -> str:
    """The token saying this code's check of `text` found nothing (no text inside)."""
    return _CLEAR.sign(_fingerprint(code_id, text))


def is_cleared(token, code_id: int, text: str) -> bool:
    """Whether `token` is this code's recent clearance of exactly `text`."""
    if not isinstance(token, str):
        return False
    try:
        signed = _CLEAR.unsign(token, max_age=CLEAR_SECONDS)
    except signing.BadSignature:  # forged, another salt, or expired
        return False
    return signed == _fingerprint(code_id, text)


class NotChosen(Exception):
    """Personal data found in a question whose request does not say the resident chose."""

    def __init__(self, found: dict):
        super().__init__("personal_data")
        self.found = found  # pii.check()'s answer: kinds, findings (UTF-16 offsets), masked
        self.message = _(
            "Your message seems to contain personal information. Please choose whether to "
            "hide it before sending."
        )


def require_choice(data: dict, text: str, language: str, code_id: int) -> None:
    """Raise NotChosen if `text` holds personal data and the request names no choice (nor
    brings this code's clearance of this text from /chat/check).

    A check that fails (the model cannot load) lets the question through with a warning in
    the log: the page ran its own pattern check (static/js/pii.js) before sending.
    """
    if data.get("personal_data") in CHOICES or is_cleared(data.get("checked"), code_id, text):
        return
    try:
        found = pii.check(text, language)
    except Exception as exc:  # never the text: only what broke
        log.warning("personal-data check unavailable on ask: %s", type(exc).__name__)
        return
    if found["findings"]:
        raise NotChosen(found)


@require_POST
@resident_api
def check(request):
    """{"text", "language"} -> pii.check()'s answer; 429 when asked too often, 503 if the
    check cannot run (the page then uses its own pattern check)."""
    data = parse_json(request.body) or {}
    lang = language_of(data)
    text = data.get("text")
    with translation.override(lang):
        if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
            message = _("Your question could not be read. Please try again.")
            return JsonResponse({"error": "bad_request", "message": message}, status=400)
        if too_often(request, "arcachat.personaldata.check", CHECK_RATE):
            message = _("You are asking very quickly. Please wait a minute.")
            return JsonResponse({"error": "rate_limited", "message": message}, status=429)
        try:
            found = pii.check(text, lang)
        except Exception as exc:
            log.warning("personal-data check unavailable: %s", type(exc).__name__)
            message = _("The check for personal information is unavailable.")
            return JsonResponse({"error": "unavailable", "message": message}, status=503)
    if not found["findings"]:
        found["clear"] = clearance(request.resident.pk, text)
    response = JsonResponse(found)
    response["Cache-Control"] = "no-store"
    return response
