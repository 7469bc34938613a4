"""Residents' thumbs up or down on an answer: the token the answer carries, and POST
/chat/feedback that records the vote in knowledge.models.Feedback (no text, no code).

The `done` event of an answer carries a token signed by the server with a random answer id,
the ids of the documents it cited and the provider's kind. A vote must bring that token back:
votes cannot be made up in bulk (each needs an answer really given, and tokens expire), the
cited documents cannot be chosen by the page, and an answer has one row whatever the number
of clicks (the last choice counts: "not helpful", then a reason, is one vote).
"""

import secrets

from django.core import signing
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accesscodes.session import resident_api
from knowledge.models import Document, Feedback

from .questions import language_of, parse_json
from .ratelimits import too_often

SALT = "arcachat.feedback"
# A token is good for a day: long enough to vote on an answer read later in the same tab,
# short enough that a harvest of tokens is soon worthless.
TOKEN_SECONDS = 24 * 3600
# Votes per code and minute (each needs its own answer's token anyway).
FEEDBACK_RATE = "20/m"


def answer_token(sources: list[dict], provider: str) -> str:
    """The signed token of one answer: a random id, the cited documents, the provider."""
    documents = sorted({s["document"] for s in sources if s.get("document")})
    payload = {"a": secrets.token_urlsafe(16), "d": documents, "p": provider}
    return signing.dumps(payload, salt=SALT, compress=True)


def _read_token(token) -> dict | None:
    if not isinstance(token, str) or len(token) > 2000:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    ok = isinstance(payload, dict) and isinstance(payload.get("a"), str)
    return payload if ok and isinstance(payload.get("d"), list) else None


def record(payload: dict, rating: str, reason: str) -> Feedback:
    """One row per answer: created by the first vote, changed by the next ones."""
    with transaction.atomic():
        vote, created = Feedback.objects.update_or_create(
            answer=payload["a"][:32],
            defaults={"rating": rating, "reason": reason, "day": timezone.localdate()},
            create_defaults={
                "rating": rating,
                "reason": reason,
                "provider": str(payload.get("p") or "")[:40],
            },
        )
        if created:
            ids = [i for i in payload["d"] if isinstance(i, int)]
            vote.documents.set(Document.objects.filter(pk__in=ids))
    return vote


@require_POST
@resident_api
def vote(request):
    """{"token", "rating": "up"|"down", "reason": ""|wrong|outdated|incomplete|unclear}."""
    data = parse_json(request.body) or {}
    with translation.override(language_of(data)):
        payload = _read_token(data.get("token"))
        rating, reason = data.get("rating"), data.get("reason") or ""
        if (
            payload is None
            or rating not in Feedback.Rating.values
            or reason not in ["", *Feedback.Reason.values]
            or (reason and rating != Feedback.Rating.DOWN)
        ):
            message = _("This opinion could not be recorded. Thank you all the same.")
            return JsonResponse({"error": "bad_request", "message": message}, status=400)
        if too_often(request, "arcachat.feedback", FEEDBACK_RATE):
            message = _("You are asking very quickly. Please wait a minute.")
            return JsonResponse({"error": "rate_limited", "message": message}, status=429)
    record(payload, rating, reason)
    return JsonResponse({"ok": True})
