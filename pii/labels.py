"""What the resident reads about each kind of personal data: its name and its mask."""

from django.utils.translation import gettext_lazy as _

# The order in which the warning lists the kinds found.
KINDS = ("person", "address", "birthdate", "email", "phone", "iban", "nir", "card")

# For the warning sentence: "Your message seems to contain a name and an address."
NAMES = {
    "person": _("a person's name"),
    "address": _("a home address"),
    "birthdate": _("a date of birth"),
    "email": _("an e-mail address"),
    "phone": _("a phone number"),
    "iban": _("a bank account number (IBAN)"),
    "nir": _("a social security number"),
    "card": _("a bank card number"),
}

# What replaces each span when the resident chooses to mask.
MASKS = {
    "person": _("[name hidden]"),
    "address": _("[address hidden]"),
    "birthdate": _("[date of birth hidden]"),
    "email": _("[e-mail hidden]"),
    "phone": _("[phone number hidden]"),
    "iban": _("[IBAN hidden]"),
    "nir": _("[social security number hidden]"),
    "card": _("[card number hidden]"),
}
