"""Personal-data guard: finds names, home addresses, dates of birth and personal numbers in
what a resident is about to send, so that they can mask them first.

Where it runs and what goes where: the check runs inside the ArcaChat web process, on the
town's own server. The text goes from the resident's browser to that server (as every
question already does) and nowhere else: the spaCy model and its weights are a Python
package installed with the app, presidio runs in the same process, nothing is downloaded
or sent at run time, and no provider sees the text before the resident has chosen to mask
it or to send it as it is. The guard keeps nothing: no text, finding or count is stored or
logged.

    detect(text, language) -> [Finding(kind, start, end, text)]
    mask(text, findings, language) -> text with "[nom masqué]", "[adresse masquée]"...
    check(text, language) -> {"kinds": [...], "findings": [{kind, start, end}], "masked"}

Kinds: person, address, birthdate, email, phone, iban, nir, card (labels.KINDS). The
rules for names and addresses are in people.py and addresses.py; the measured precision,
recall and speed per kind in docs/benchmarks.md (bench/pii_bench.py).
"""

from .guard import Finding, check, detect, mask
from .labels import KINDS

__all__ = ["KINDS", "Finding", "check", "detect", "mask"]
