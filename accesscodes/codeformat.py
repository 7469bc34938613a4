"""The printed form of an access code: generation, check character, typo-tolerant parsing, hash.

A code is 16 random characters of Crockford's base32 (80 bits) and one check character
(Luhn mod 32 over the same alphabet, which catches every single-character typo and all but
one kind of swap of two neighbours), printed in groups of four: `K3PX-7D2M-QW9A-VT4E-R`.

Residents type it from paper, so parsing ignores case, spaces, dashes and dots, and reads the
letters Crockford's alphabet leaves out as the characters they are mistaken for (O -> 0,
I and L -> 1, U -> V). The database only ever sees `digest()`, a keyed HMAC of the
canonical form.
"""

from __future__ import annotations

import re
import secrets

from core.keys import keyed_hash

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 16
LENGTH = BODY_LENGTH + 1
GROUP = 4

_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-_.·–—/]+")
_INDEX = {char: i for i, char in enumerate(ALPHABET)}


class MistypedCode(ValueError):
    """The text cannot be a code: wrong length, foreign characters or a wrong check character."""


def check_character(body: str) -> str:
    """Luhn mod 32 check character of a canonical body."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * _INDEX[char]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def generate() -> str:
    """A new random code in canonical form (17 characters, no separators)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def canonical(text: str) -> str:
    """The canonical form of what a resident typed, or MistypedCode."""
    cleaned = _SEPARATORS.sub("", text or "").upper().translate(_CONFUSABLE)
    if len(cleaned) != LENGTH or any(char not in _INDEX for char in cleaned):
        raise MistypedCode(cleaned)
    if check_character(cleaned[:BODY_LENGTH]) != cleaned[-1]:
        raise MistypedCode(cleaned)
    return cleaned


def pretty(code: str) -> str:
    """Printed form: groups of four, then the check character."""
    code = canonical(code)
    groups = [code[i : i + GROUP] for i in range(0, BODY_LENGTH, GROUP)]
    return "-".join([*groups, code[BODY_LENGTH:]])


def digest(code: str) -> str:
    """What the database stores for a code: the keyed hash of its canonical form."""
    return keyed_hash("code", canonical(code))
