"""Encrypt provider API keys at rest with Fernet, keyed from settings.FIELD_ENCRYPTION_KEY."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Said to admins (chat fallback log, connection test, admin page) when decrypt() fails.
UNREADABLE = "the stored key cannot be decrypted: FIELD_ENCRYPTION_KEY changed; enter the key again"


def _fernet() -> Fernet:
    secret = settings.FIELD_ENCRYPTION_KEY.encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"arcachat-api-keys").derive(
        secret
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str | None:
    """The key, or None when it cannot be read (FIELD_ENCRYPTION_KEY changed)."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
