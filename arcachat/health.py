"""The /healthz endpoint: is the database, the cache and the Celery broker reachable?

The answer is public (load balancers and Docker call it without credentials), so it only says
"ok" or "failed" per component; what went wrong is logged on the server, with any password
in a URL masked.
"""

import logging
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app

logger = logging.getLogger(__name__)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)


def _redact(text: str) -> str:
    """The text without URL credentials nor the configured database password."""
    text = _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)
    password = settings.DATABASES["default"].get("PASSWORD") or ""
    return text.replace(password, "***") if len(password) >= 3 else text


def _check(name: str, probe) -> bool:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure is the answer we want to report
        logger.warning(
            "healthz: %s failed after %.0f ms: %s",
            name,
            (time.perf_counter() - started) * 1000,
            _redact(f"{type(exc).__name__}: {exc}")[:500],
        )
        return False
    return True


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("value written to the cache could not be read back")


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in-process: there is no broker to reach
    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


PROBES = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def healthz(request):
    results = {name: _check(name, probe) for name, probe in PROBES.items()}
    healthy = all(results.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            **{name: "ok" if ok else "failed" for name, ok in results.items()},
        },
        status=200 if healthy else 503,
    )
