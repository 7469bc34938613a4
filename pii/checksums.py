"""Check digits of the numbers the guard flags: IBAN (mod 97), French NIR (key), cards (Luhn).

The same rules as static/js/pii.js, so the browser and the server agree on what is a number.
"""

import re

_SEPARATORS = re.compile(r"[\s.-]")


def compact(raw: str) -> str:
    return _SEPARATORS.sub("", raw).upper()


def iban_valid(raw: str) -> bool:
    """ISO 13616: the IBAN with its first four characters moved to the end, letters read as
    numbers (A = 10 ... Z = 35), is 1 modulo 97."""
    iban = compact(raw)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def nir_valid(raw: str) -> bool:
    """French social-security number: 13 digits then a key equal to 97 - (the 13 digits mod
    97). Corsica's departments 2A and 2B count as 19 and 18 in the sum."""
    nir = compact(raw)
    if not re.fullmatch(r"[1-478]\d{4}(?:\d{2}|2[AB])\d{8}", nir):
        return False
    body = nir[:13].replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == int(nir[13:])


def luhn_valid(raw: str) -> bool:
    """Payment cards: doubling every second digit from the right, the sum is a multiple of
    10. Runs of one digit (0000 0000 ...) pass Luhn but are placeholders, not cards."""
    digits = re.sub(r"\D", "", raw)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
