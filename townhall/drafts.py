"""AI drafts of replies: the active provider writes from the town's documents, an agent edits.

The draft goes through the chat's own path (knowledge.prompt.assemble for the passages and
the fenced prompt, providers.chain for the provider and its fallbacks), with a few more
rules saying it is a draft for an agent. It is metered on the town's budget under the STAFF
line (metering.staffline), never on the resident's allowance. With the offline provider, or
once the budget is spent, the draft is the best extracts of the documents.
"""

from __future__ import annotations

import logging
import time

from asgiref.sync import async_to_sync
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.citations import sources_of
from knowledge.prompt import assemble
from metering.staffline import StaffMetering
from providers.base import ProviderError
from providers.chain import stream_answer
from providers.offline import OfflineProvider
from providers.registry import configured_chain

from .models import LogEntry, TownRequest

log = logging.getLogger(__name__)

# Added after the passages: the stable prefix the vendors cache stays the chat's own.
DRAFT_RULES = """
Consignes pour cette demande (toujours en vigueur) :
- Le message de l'habitant ci-dessous a été envoyé à la mairie. Rédige un projet de réponse \
de la mairie, qu'un agent relira et corrigera avant de l'envoyer.
- Écris au nom de la mairie, avec des phrases simples et courtes, sans formule d'appel.
- Appuie-toi seulement sur les documents fournis et cite-les avec leur numéro : [1].
- Si les documents ne suffisent pas, écris entre crochets ce que l'agent doit vérifier, \
par exemple [à vérifier : date de la prochaine collecte].
"""


class DraftFailed(Exception):
    """No provider wrote anything: the agent is told so in plain words."""


async def _collect(stream) -> str:
    parts = []
    async for chunk in stream:
        parts.append(chunk)
    return "".join(parts)


def _run(chat_request, chain) -> tuple[str, object, str]:
    """(text, the finished stream, outcome) of one draft; never raises for the provider."""
    stream = stream_answer(chat_request, chain)
    text = ""
    try:
        text = async_to_sync(_collect)(stream)
    except ProviderError as exc:  # after the first chunk: keep what was written
        stream.error = stream.error or exc
    except Exception as exc:  # a bug must not leave the reservation held or the page broken
        log.error("townhall draft stream failed: %s", type(exc).__name__)
        stream.error = exc
    error = getattr(stream, "error", None)
    outcome = "ok" if text and error is None else ("partial" if text else "error")
    return text, stream, outcome


def write_draft(request: TownRequest, agent) -> TownRequest:
    """Write (or write again) the AI draft of `request`'s reply; raises DraftFailed."""
    chat_request = assemble(
        request.question, [], timezone.localdate(), language=request.language or "fr"
    )
    chat_request.system += DRAFT_RULES
    chain = configured_chain()
    metering = StaffMetering()
    if metering.reserve(
        estimated_input_tokens=chat_request.input_tokens_estimate(),
        max_output_tokens=chat_request.max_output_tokens,
        chain=chain,
    ):
        chain = [OfflineProvider()]
    started = time.monotonic()
    text, stream, outcome = "", None, "error"
    try:
        text, stream, outcome = _run(chat_request, chain)
    finally:  # the reservation is settled whatever happened (once)
        metering.settle(
            getattr(stream, "usage", None),
            outcome=outcome,
            provider=getattr(stream, "provider", None),
            latency_ms=int((time.monotonic() - started) * 1000),
            failures=getattr(stream, "failures", ()),
        )
    if not text.strip():
        log.warning("townhall draft failed: %s", outcome)
        raise DraftFailed(
            _("No draft could be written just now. Please try again, or reply yourself.")
        )
    request.draft = text.strip()
    request.draft_sources = sources_of(chat_request.passages, text)
    request.draft_provider = getattr(stream.provider, "kind", "")[:20]
    request.drafted_at = timezone.now()
    request.save(update_fields=["draft", "draft_sources", "draft_provider", "drafted_at"])
    LogEntry.record(agent, LogEntry.Action.DRAFTED, request=request)
    return request
