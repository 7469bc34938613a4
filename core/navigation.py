"""The staff sections each role reaches: one list for the staff bar of every staff page and
for the staff home page."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ADMINS, COMMS, COUNTER, roles_of

# (URL name, title, what it is for, roles that reach it), in the order staff see them.
SECTIONS = [
    (
        "accesscodes:desk",
        _("Counter desk"),
        _("Issue, print and manage access codes"),
        (COUNTER, ADMINS),
    ),
    (
        "knowledge:documents",
        _("Town documents"),
        _("Documents, system prompt, test a question"),
        (COMMS, ADMINS),
    ),
    ("spend", _("Spend"), _("Spend, quotas and budget"), (ADMINS,)),
    ("accesscodes:audit", _("Audit log"), _("What staff did with codes and settings"), (ADMINS,)),
    (
        "privacy:page",
        _("Privacy"),
        _("What is stored and for how long, who sees it, where questions go; the record"),
        (ADMINS,),
    ),
    ("admin:index", _("Administration"), _("Providers, prices, staff accounts"), (ADMINS,)),
]

# A short note an upper app adds to its section's title while something needs the admins'
# attention (privacy: a provider outside the EU): URL name -> callable returning "" or a note.
SECTION_NOTES: dict[str, Callable[[], str]] = {}


def sections_for(user, path: str = "") -> list[dict]:
    """The sections `user` may open, each with its address and whether `path` is in it."""
    held = roles_of(user)
    found = []
    for name, title, purpose, roles in SECTIONS:
        if held & set(roles):
            url = reverse(name)
            note = SECTION_NOTES[name]() if name in SECTION_NOTES else ""
            found.append(
                {
                    "url": url,
                    "title": f"{title} ({note})" if note else title,
                    "purpose": purpose,
                    "current": path.startswith(url),
                }
            )
    return found
