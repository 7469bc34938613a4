"""Each provider's health as answers see it: last success, last error in plain words, and
the answers that fell back today, kept in the shared cache (Redis in production).

The chain notes every success and every failure before the first chunk (providers.chain),
so a provider pointed at an unreachable address shows as failing after the very first
answer that tried it. Only figures and a reason code are kept, never any text of a question.
When answers start falling back, admins get one e-mail per FALLBACK_MAIL_SECONDS at most
(providers.tasks.mail_fallback), and every staff page shows a banner (see `banner`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from core.roles import ADMINS, has_role

from .models import Kind, ProviderConfig
from .tasks import mail_fallback

log = logging.getLogger("providers")

# Health entries and the daily counters outlive a quiet week-end, not much more.
KEEP_SECONDS = 8 * 24 * 3600
# At most one e-mail to admins per hour while answers fall back.
FALLBACK_MAIL_SECONDS = 3600
# The banner stays while a provider's last error is this recent and newer than its success.
BANNER_SECONDS = 24 * 3600

# Reason codes (stored) -> what an admin reads (shown).
REASONS = {
    "key": _("the API key was refused (check the key or its environment variable)"),
    "no_key": _("no API key is set"),
    "not_found": _("the model or the address was not found (check the model name and URL)"),
    "busy": _("the provider says it is too busy (rate limit): it is skipped for a while"),
    "down": _("the provider had an outage (server error)"),
    "unreachable": _("the address cannot be reached (wrong address, or the server is off)"),
    "timeout": _("no answer in time"),
    "rejected": _("the provider refused the request"),
    "malformed": _("the provider answered something unreadable"),
    "other": _("an unexpected error"),
}


def reason_of(error) -> str:
    """The reason code of a providers.ProviderError, from its status and detail."""
    status, detail = error.status, error.detail or ""
    if status is None:  # a probe's failure keeps only the detail: "... HTTP 401 ..."
        found = re.search(r"HTTP (\d{3})", detail)
        status = int(found.group(1)) if found else None
    if status in (401, 403):
        return "key"
    if status == 404:
        return "not_found"
    if status == 429:
        return "busy"
    if status in (400, 422):
        return "rejected"
    if status and status >= 500:
        return "down"
    for marker, code in (
        ("no key", "no_key"),
        ("cannot be decrypted", "no_key"),
        ("timed out", "timeout"),
        ("connection failed", "unreachable"),
        ("malformed", "malformed"),
    ):
        if marker in detail:
            return code
    return "other"


def _name_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def _health_key(name: str) -> str:
    return "providers:health:" + _name_key(name)


def _fallback_key(name: str, day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"providers:fellback:{_name_key(name)}:{day.isoformat()}"


@dataclass
class Health:
    ok_at: float | None = None
    error_at: float | None = None
    reason: str = ""
    fallbacks_today: int = 0

    @property
    def failing(self) -> bool:
        """Its last attempt failed (no success since the last error)."""
        return self.error_at is not None and (self.ok_at is None or self.error_at > self.ok_at)

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, REASONS["other"])) if self.reason else ""

    @property
    def error_ago(self) -> str:
        return _ago(self.error_at)

    @property
    def success_ago(self) -> str:
        return _ago(self.ok_at)

    @property
    def last_success(self) -> dt.datetime | None:
        return _when(self.ok_at)

    @property
    def last_error(self) -> dt.datetime | None:
        return _when(self.error_at)


def _ago(stamp: float | None) -> str:
    """ "just now", or "5 minutes ago" (Django's timesince, in the page's language)."""
    if not stamp:
        return ""
    if time.time() - stamp < 60:
        return str(_("just now"))
    return str(_("%(time)s ago") % {"time": timesince(_when(stamp))})


def _when(stamp: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if stamp else None


async def note_success(name: str) -> None:
    await _update(name, ok_at=time.time())


async def note_failure(name: str, error, fell_back: bool) -> bool:
    """Note a failure before the first chunk; `fell_back`: another provider took the answer.
    True when this is the first fallback of the hour (an e-mail to admins is due)."""
    await _update(name, error_at=time.time(), reason=reason_of(error))
    if not fell_back:
        return False
    try:
        key = _fallback_key(name)
        await cache.aadd(key, 0, timeout=KEEP_SECONDS)
        await cache.aincr(key)
        return await cache.aadd("providers:fallback-mail", 1, timeout=FALLBACK_MAIL_SECONDS)
    except Exception as exc:  # health is for admins' eyes: it never stops an answer
        log.warning("cannot count a fallback of %s: %s", name, type(exc).__name__)
        return False


async def _update(name: str, **fields) -> None:
    try:
        key = _health_key(name)
        entry = await cache.aget(key) or {}
        entry.update(fields)
        await cache.aset(key, entry, timeout=KEEP_SECONDS)
    except Exception as exc:
        log.warning("cannot note the health of %s: %s", name, type(exc).__name__)


async def queue_fallback_mail(names: list[str]) -> None:
    try:
        await sync_to_async(mail_fallback.delay)(names)
    except Exception as exc:  # a broker down must not stop the answer
        log.warning("cannot queue the fallback e-mail: %s", type(exc).__name__)


def note_success_now(name: str) -> None:
    """The synchronous form, for the connection test of the Fournisseurs page."""
    _set(name, ok_at=time.time())


def note_failure_now(name: str, error) -> None:
    _set(name, error_at=time.time(), reason=reason_of(error))


def _set(name: str, **fields) -> None:
    try:
        key = _health_key(name)
        entry = cache.get(key) or {}
        entry.update(fields)
        cache.set(key, entry, timeout=KEEP_SECONDS)
    except Exception as exc:
        log.warning("cannot note the health of %s: %s", name, type(exc).__name__)


def health_of(names: list[str]) -> dict[str, Health]:
    """Health of each provider by name (an empty Health when nothing was noted)."""
    keys = {_health_key(name): name for name in names}
    counts = {_fallback_key(name): name for name in names}
    try:
        found = cache.get_many([*keys, *counts])
    except Exception as exc:
        log.warning("cannot read provider health: %s", type(exc).__name__)
        found = {}
    result = {name: Health() for name in names}
    for key, name in keys.items():
        entry = found.get(key) or {}
        result[name] = Health(entry.get("ok_at"), entry.get("error_at"), entry.get("reason", ""))
    for key, name in counts.items():
        result[name].fallbacks_today = int(found.get(key) or 0)
    return result


def failing_now(names: list[str]) -> list[tuple[str, Health]]:
    """Providers whose last attempt failed within BANNER_SECONDS."""
    since = time.time() - BANNER_SECONDS
    return [
        (name, health)
        for name, health in health_of(names).items()
        if health.failing and health.error_at >= since
    ]


def banner(request) -> dict | None:
    """The staff banner when answers are falling back (core.navigation.banners): its text
    and, for admins, the link to the Fournisseurs page."""
    names = ProviderConfig.objects.filter(enabled=True).exclude(kind=Kind.OFFLINE)
    failing = failing_now(list(names.values_list("name", flat=True)))
    if not failing:
        return None
    text = _("Answers are falling back: %(names)s failed — %(reason)s.") % {
        "names": ", ".join(name for name, _health in failing),
        "reason": failing[0][1].reason_text,
    }
    url = reverse("providers:list") if has_role(request.user, ADMINS) else ""
    return {"text": text, "url": url}
