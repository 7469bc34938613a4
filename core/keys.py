"""Keyed hashes: what the database and the cache hold instead of codes and client addresses."""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` with the server's CODE_HASH_KEY, separated by purpose."""
    key = settings.CODE_HASH_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
