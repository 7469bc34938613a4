"""The "ask the town hall" widget of resident pages: its settings and sentences for
static/js/ask-town.js (passed with json_script: the script holds no text), and the count
behind the notice of new replies."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .insight import LOW_CONFIDENCE
from .models import QUESTION_MAX_CHARS, TownRequest


def unread_replies(code) -> int:
    """Replies (or closings) of the code's requests the resident has not seen yet."""
    if code is None:
        return 0
    return TownRequest.objects.filter(
        code=code, handled_at__isnull=False, reply_seen_at__isnull=True, purged_at__isnull=True
    ).count()


def config() -> dict:
    return {
        "preview_url": reverse("requests:preview"),
        "send_url": reverse("requests:send"),
        "list_url": reverse("requests:list"),
        "mine_url": reverse("requests:mine"),
        "max_chars": QUESTION_MAX_CHARS,
        "low_confidence": LOW_CONFIDENCE,
        "due_days": settings.TOWNHALL_REPLY_WORKDAYS,
        "strings": {
            "offer": _("Ask the town hall"),
            "offer_help": _(
                "This answer does not help you? An agent of the town hall can answer you."
            ),
            "checking": _("Checking…"),
            "sending": _("Sending…"),
            "empty": _("Please type your question first."),
            "network": _(
                "The connection was lost. Check your internet connection, then try again."
            ),
            "reload": _("This page is out of date. Please reload it, then try again."),
        },
    }
