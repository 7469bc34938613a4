"""ASGI entry point (uvicorn): the chat view streams answers from here."""

import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arcachat.settings")

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load before the first resident arrives what their question would wait for: the
    question encoder (about a second) and the active provider's SDK. Best effort: a
    database not yet up only delays that to the first question."""
    try:
        from knowledge.index import vectors

        vectors.encode_query("mairie")
        from providers.registry import configured_chain

        configured_chain()
    except Exception as exc:
        log.warning("warm-up skipped (%s): the first question will load what it needs", exc)


from arcachat.handler import get_lane_application  # noqa: E402

application = get_lane_application()
from django.conf import settings  # noqa: E402 - configured by get_lane_application()

if settings.WARM_UP:
    warm_up()
