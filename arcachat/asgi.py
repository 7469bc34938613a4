"""ASGI entry point (uvicorn): the chat view streams answers from here."""

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

from arcachat.handler import get_lane_application  # noqa: E402

application = get_lane_application()
# Configured by get_lane_application() (django.setup()): the app's modules import from here on.
from django.conf import settings  # noqa: E402

import pii  # noqa: E402
from knowledge import vectors  # noqa: E402
from providers.registry import configured_chain  # noqa: E402

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load before the first resident arrives what their question would wait for: the
    question encoder (about a second), the personal-data guard's model (spaCy and presidio,
    1-2 s: pii/engine.py, loaded by its first check) and the active provider's SDK. Best
    effort: a database not yet up only delays that to the first question."""
    try:
        pii.check("Bonjour, je suis Jeanne Martin.", "fr")
    except Exception as exc:
        log.warning("personal-data guard not loaded (%s): the first check will load it", exc)
    try:
        vectors.encode_query("mairie")
        configured_chain()
    except Exception as exc:
        log.warning("warm-up skipped (%s): the first question will load what it needs", exc)


if settings.WARM_UP:
    warm_up()
