"""Details of the audit entries staff pages write: stored without words, shown translated.

A detail such as `replaces=N° 0001` stays the same whatever language the staff member who
wrote it was using; the desk pages turn it into a phrase in the reader's language. Entries
written before, in English free text, are shown as they were.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

REPLACES = "replaces"
REPLACED_BY = "replaced_by"
BATCH = "batch"
FLAG_CLEARED = "flag=cleared"
UNCHANGED = "unchanged"

_STRUCTURED = re.compile(r"^(replaces|replaced_by)=(N° \d+)$|^(batch)=(\d+)$")


def detail(key: str, value) -> str:
    """The stored form of a detail: `key=value`, no words in any language."""
    return f"{key}={value}"


def shown(text: str) -> str:
    """A stored detail as staff read it, in the active language."""
    if text == FLAG_CLEARED:
        return _("flag cleared")
    if text == UNCHANGED:
        return _("unchanged")
    match = _STRUCTURED.match(text)
    if match is None:
        return text
    key, label, _batch, count = match.groups()
    if key == REPLACES:
        return _("replaces %(label)s") % {"label": label}
    if key == REPLACED_BY:
        return _("replaced by %(label)s") % {"label": label}
    return _("batch of %(count)s codes") % {"count": count}


def with_details(entries) -> list:
    """(entry, detail as shown) pairs, for the history and audit log templates."""
    return [(entry, shown(entry.detail)) for entry in entries]
