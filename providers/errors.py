"""Turn any SDK or network failure into a ProviderError with a resident-safe message.

The error's `detail` goes to the logs and to admins (the connection test): it names the
provider, the HTTP status and at most a vendor's short error code, never the prose of an
error body or of an exception, which may quote the resident's question or echo what an
internal service at that address holds.
"""

from __future__ import annotations

import json
import re
import time
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import httpx2
from django.utils.translation import gettext_lazy as _

from .crypto import UNREADABLE
from .messages import ProviderError

UNAVAILABLE = _(
    "The assistant cannot answer right now. Please try again in a moment, or contact the town hall."
)
BUSY = _("The assistant is very busy right now. Please try again in a minute.")
REJECTED = _(
    "The assistant could not handle this question. Please rephrase it, or contact the town hall."
)
INTERRUPTED = _("The answer was interrupted. Please ask your question again.")

# Statuses where the request itself is at fault: another provider would likely refuse it too.
NO_FALLBACK_STATUSES = {400, 422}
# A vendor's error code ("invalid_api_key", "rate_limit_error"): one word, no prose.
ERROR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")


def missing_key(provider) -> ProviderError | None:
    """The error to raise before sending anything when the provider has no usable key: it
    needs one, or one was stored (even for a keyless kind) but cannot be decrypted."""
    if provider.api_key or not (provider.requires_key or provider.key_source == UNREADABLE):
        return None
    if provider.key_source == UNREADABLE:
        problem = UNREADABLE
    else:
        env = provider.key_env or "the API key environment variable"
        problem = f"no key: set {env} or store a key in the provider settings"
    return ProviderError(
        UNAVAILABLE, f"{provider.name} ({provider.kind}): {problem}", provider=provider.name
    )


def parse_retry_after(headers) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or retry-after-ms."""
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(raw).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _headers_of(exc):
    headers = getattr(exc, "headers", None)
    if headers is None:
        response = getattr(exc, "response", None) or getattr(exc, "raw_response", None)
        headers = getattr(response, "headers", None)
    return headers


def error_code(body) -> str:
    """The vendor's short error code in an error body (dict, JSON text or bytes), or ""."""
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return ""
    if not isinstance(body, dict):
        return ""
    inner = body.get("error") if isinstance(body.get("error"), dict) else {}
    for source in (inner, body):
        for field in ("code", "type"):
            value = source.get(field)
            if isinstance(value, str) and ERROR_CODE.match(value) and value != "error":
                return value
    return ""


def _cause(exc: BaseException) -> str:
    """An exception in words that cannot hold a request's or a response's text."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return type(exc).__name__


def _phrase(status: int) -> str:
    try:
        return " " + HTTPStatus(status).phrase
    except ValueError:
        return ""


def from_status(provider, status: int, code: str = "", headers=None) -> ProviderError:
    """The error of an HTTP error status; `code` is the vendor's short error code, if any."""
    where = f"{provider.name} ({provider.kind}, {provider.model})"
    reason = f" [{code}]" if code else ""
    retry_after = None
    if status in (401, 403):
        source = provider.key_source or "the API key"
        detail = f"{where}: HTTP {status} invalid key: check {source}.{reason}"
        user = UNAVAILABLE
    elif status == 429:
        retry_after = parse_retry_after(headers)
        wait = f", retry after {retry_after:g} s" if retry_after is not None else ""
        detail = f"{where}: HTTP 429 rate limited{wait}.{reason}"
        user = BUSY
    elif status == 404:
        detail = f"{where}: HTTP 404 not found: check the model name and base URL.{reason}"
        user = UNAVAILABLE
    elif status in NO_FALLBACK_STATUSES:
        detail = f"{where}: HTTP {status} request rejected.{reason}"
        user = REJECTED
    else:
        detail = f"{where}: HTTP {status}{_phrase(status)}.{reason}"
        user = UNAVAILABLE
    return ProviderError(
        user,
        detail,
        fallback_ok=status not in NO_FALLBACK_STATUSES,
        retry_after=retry_after,
        status=status,
        provider=provider.name,
    )


def to_provider_error(provider, exc: BaseException) -> ProviderError:
    """Classify exc (SDK status error, timeout, connection error, bad payload)."""
    if isinstance(exc, ProviderError):
        return exc
    where = f"{provider.name} ({provider.kind}, {provider.model})"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 400:
        body = getattr(exc, "body", None)
        return from_status(provider, status, error_code(body), _headers_of(exc))
    if isinstance(exc, (httpx2.TimeoutException, *provider.timeout_errors)):
        url = provider.base_url or "default URL"
        detail = f"{where}: timed out after {provider.timeout:g} s at {url}"
    elif isinstance(exc, (httpx2.TransportError, *provider.connection_errors)):
        cause = exc.__cause__ or exc.__context__ or exc
        url = provider.base_url or "default URL"
        detail = f"{where}: connection failed or lost with {url}: {_cause(cause)}"
    elif isinstance(exc, (json.JSONDecodeError, ValueError, KeyError, TypeError)) or (
        "Validation" in type(exc).__name__
    ):
        detail = f"{where}: malformed response: {_cause(exc)}"
    else:
        detail = f"{where}: {_cause(exc)}"
    return ProviderError(UNAVAILABLE, detail, provider=provider.name)
