"""Helpers of the settings: typed readers of the environment (each checks its value's type and
remembers the variable's name, so that the app knows every variable it reads:
APP_ENVIRONMENT), and the middleware list Django's deploy checks understand."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Every environment variable these settings read (filled by the env_* helpers below): no
# provider may take its API key from one of them (providers/validators.py).
READ: set[str] = set()


def _environ(name: str) -> str | None:
    READ.add(name)
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    value = _environ(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    raw = _environ(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no.")


def env_int(name: str, default: int) -> int:
    raw = _environ(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    raw = _environ(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


class MiddlewareList(list):
    """Django's deploy checks look for its own middleware by dotted path; our inline versions
    (arcachat/middleware.py: the same classes, hooks run on the event loop under ASGI) count
    as present, so `check --deploy` still checks HSTS, CSRF, X-Frame-Options and the rest."""

    def __contains__(self, name) -> bool:
        inline = "arcachat.middleware." + str(name).rsplit(".", 1)[-1]
        return list.__contains__(self, name) or (
            str(name).startswith("django.") and list.__contains__(self, inline)
        )
