"""What a resident's question request may contain, read and checked field by field.

The chat page posts JSON: {"message": str, "language": str?, "history": [{"role", "content"}]?,
"attachment": {"kind", "data"}?}. Every field is checked for its type and bounds, so that any
other body gets a 400 with a plain sentence, never a server error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from providers.base import Message

MAX_MESSAGE_CHARS = 2000
# Earlier turns the browser sends with a question (its tab keeps the conversation); the prompt
# then keeps those that fit its token budget (KNOWLEDGE_HISTORY_TOKENS, knowledge.prompt).
HISTORY_TURNS = 6
ROLES = ("user", "assistant")


class BadQuestion(Exception):
    """A request that cannot be answered as sent: `code` and a plain `message` for the page."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class Question:
    text: str
    language: str
    history: list[Message] = field(default_factory=list)
    attachment: dict | None = None


def unreadable() -> BadQuestion:
    return BadQuestion("bad_request", _("Your question could not be read. Please try again."))


def parse_json(body: bytes) -> dict | None:
    """The body as a JSON object, or None."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # also UnicodeDecodeError; nesting thousands deep
        return None
    return data if isinstance(data, dict) else None


def language_of(data: dict | None) -> str:
    """The language the page asked for ("fr", "en-GB"...), if the site has it; else the
    request's own (set by the locale middleware)."""
    wanted = (data or {}).get("language")
    codes = {code for code, _name in settings.LANGUAGES}
    if isinstance(wanted, str) and wanted.split("-")[0].lower() in codes:
        return wanted.split("-")[0].lower()
    return translation.get_language() or settings.LANGUAGE_CODE


def read_history(raw) -> list[Message]:
    """The last HISTORY_TURNS turns, oldest first; anything but a list of turns is refused."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise unreadable()
    turns = []
    for turn in raw[-HISTORY_TURNS:]:
        if not isinstance(turn, dict):
            raise unreadable()
        role, content = turn.get("role"), turn.get("content")
        if role not in ROLES or not isinstance(content, str):
            raise unreadable()
        if content.strip():
            turns.append(Message(role, content))
    return turns


def read_question(data: dict | None, language: str) -> Question:
    """The checked question, or BadQuestion."""
    if data is None:
        raise unreadable()
    text = data.get("message")
    if text is not None and not isinstance(text, str):
        raise unreadable()
    if not text or not text.strip():
        raise BadQuestion("empty", _("Please type your question first."))
    if len(text) > MAX_MESSAGE_CHARS:
        message = _("Your question is too long. Please keep it under %(n)d characters.")
        raise BadQuestion("too_long", message % {"n": MAX_MESSAGE_CHARS})
    if "language" in data and not isinstance(data["language"], str | None):
        raise unreadable()
    attachment = data.get("attachment")
    if attachment is not None and not isinstance(attachment, dict):
        raise unreadable()
    return Question(text.strip(), language, read_history(data.get("history")), attachment or None)
