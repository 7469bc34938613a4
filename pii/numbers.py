"""Presidio recognisers for the personal numbers: e-mail, phone, IBAN, NIR and card.

Cheap patterns, each confirmed by a check digit where the number has one, so a reference or
a dossier number that only looks like an IBAN or a card is not flagged. Phone numbers go
through python-phonenumbers (Google's libphonenumber metadata) rather than a home-made
pattern: French numbers in any usual spelling and international ones written with + or 00.
"""

import phonenumbers
import regex
from phonenumbers import Leniency
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from .checksums import iban_valid, luhn_valid, nir_valid

# Case-sensitive on purpose: presidio's default flags ignore case, which lets an IBAN swallow
# the next word ("... 189 pour") and then fail its check. People type IBANs as printed.
_FLAGS = regex.DOTALL | regex.MULTILINE

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
IBAN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"
NIR = (
    r"(?<![\dA-Z])[1-478][ .-]?\d{2}[ .-]?\d{2}[ .-]?(?:\d{2}|2[AB])"
    r"[ .-]?\d{3}[ .-]?\d{3}[ .-]?\d{2}(?![\dA-Z])"
)
CARD = r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"
_TRUNK = regex.compile(r"0[1-9]")
# 14 digits is a SIRET (a business's number, built on Luhn too), not a card in use today.
_CARD_LENGTHS = frozenset({13, 15, 16, 17, 18, 19})


class _Checked(PatternRecognizer):
    """A pattern whose match counts only when `check` accepts it."""

    check = staticmethod(lambda text: True)

    def __init__(self, entity: str, pattern: str):
        super().__init__(
            supported_entity=entity,
            patterns=[Pattern(entity.lower(), pattern, 1.0)],
            supported_language="fr",
            global_regex_flags=_FLAGS,
        )

    def validate_result(self, pattern_text: str) -> bool:
        return self.check(pattern_text)


class EmailRecognizer(_Checked):
    def __init__(self):
        super().__init__("EMAIL", EMAIL)


class IbanRecognizer(_Checked):
    check = staticmethod(iban_valid)

    def __init__(self):
        super().__init__("IBAN", IBAN)


class NirRecognizer(_Checked):
    check = staticmethod(nir_valid)

    def __init__(self):
        super().__init__("NIR", NIR)


class CardRecognizer(_Checked):
    @staticmethod
    def check(text: str) -> bool:
        return sum(ch.isdigit() for ch in text) in _CARD_LENGTHS and luhn_valid(text)

    def __init__(self):
        super().__init__("CARD", CARD)


def _says_phone(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    if raw.startswith("00"):  # "0033 6 ...": the international prefix needs a real number
        return phonenumbers.is_valid_number(number)
    return raw.startswith("+") or _TRUNK.match(raw) is not None


class FrenchPhoneRecognizer(PhoneRecognizer):
    """Phone numbers as libphonenumber reads them, with "FR" for numbers without a country
    code (the town's residents). A number must say it is one: "+" and a length that fits
    its country (+44 7700 900123), a French trunk "0" and a digit 1-9 then a length that
    fits (06 33 44 55 66, 05.46.38.21.70), or "00" and a valid number (0033 6 12 34 56 78).
    Not "00 12 34 56 78", "0000000000" or a dossier's "123456789". Length, not the plan's
    allocated ranges: a new or unusual range ("07 12 ...", unallocated today) is still
    someone's number."""

    def __init__(self):
        super().__init__(supported_language="fr", supported_entity="PHONE", supported_regions=())

    def analyze(self, text, entities, nlp_artifacts=None):
        found = []
        for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=Leniency.POSSIBLE):
            # The matcher keeps an opening bracket: "(06 33 44 55 66)" starts at "(".
            raw = match.raw_string.lstrip("( ")
            if _says_phone(raw, match.number):
                end = match.end
                found.append(RecognizerResult("PHONE", end - len(raw), end, 1.0))
        return found


def number_recognizers() -> list:
    return [
        EmailRecognizer(),
        IbanRecognizer(),
        NirRecognizer(),
        CardRecognizer(),
        FrenchPhoneRecognizer(),
    ]
