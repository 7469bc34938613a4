"""The staff sections each role reaches (the staff bar of every staff page and the staff home
page), and the banners other apps put above every staff page."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import ADMINS, AGENTS, COMMS, COUNTER, roles_of

# (URL name, title, what it is for, roles that reach it: the first names its group on the staff
# home page), in the order staff see them.
SECTIONS = [
    (
        "accesscodes:desk",
        _("Counter desk"),
        _("Issue, print and manage access codes"),
        (COUNTER, ADMINS),
    ),
    (
        "townhall:queue",
        _("Residents' requests"),
        _("Reply to the questions residents sent to the town hall"),
        (AGENTS, ADMINS),
    ),
    (
        "knowledge:documents",
        _("Town documents"),
        _("Documents, system prompt, test a question"),
        (COMMS, ADMINS),
    ),
    (
        "townhall:cards",
        _("Answer cards"),
        _("Publish validated answers the assistant gives first"),
        (COMMS, ADMINS),
    ),
    (
        "townhall:insight",
        _("What residents ask"),
        _("Questions sent to the town, answers the documents do not cover, feedback"),
        (COMMS, ADMINS),
    ),
    (
        "embed:page",
        _("On the town's website"),
        _("The assistant's button for the town's website, the sites allowed to show it"),
        (COMMS, ADMINS),
    ),
    (
        "providers:list",
        _("Providers"),
        _("Which AI answers residents, its health and prices"),
        (ADMINS,),
    ),
    ("spend", _("Spend"), _("Spend, quotas and budget"), (ADMINS,)),
    ("staff-people", _("Staff"), _("Staff accounts and their roles"), (ADMINS,)),
    ("accesscodes:audit", _("Audit log"), _("What staff did with codes and settings"), (ADMINS,)),
    (
        "privacy:page",
        _("Privacy"),
        _("What is stored and for how long, who sees it, where questions go; the record"),
        (ADMINS,),
    ),
    ("admin:index", _("Administration"), _("Every setting, in the Django admin"), (ADMINS,)),
]

# The staff home page shows the sections under the task they belong to, in this order.
GROUPS = {
    COUNTER: _("At the counter"),
    AGENTS: _("Answering residents"),
    COMMS: _("Communication"),
    ADMINS: _("Administration"),
}

# A short note an upper app adds to its section's title while something needs the admins'
# attention (privacy: a provider outside the EU): URL name -> callable returning "" or a note.
SECTION_NOTES: dict[str, Callable[[], str]] = {}

# Functions of the request giving None or {"text", "url"}: a warning shown above every staff
# page. Apps above core register theirs in their AppConfig.ready() (providers: answers
# falling back).
banners: list = []


def banners_for(request) -> list[dict]:
    found = []
    for make in banners:
        banner = make(request)
        if banner:
            found.append(banner)
    return found


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
                    "group": GROUPS[roles[0]],
                }
            )
    return found
