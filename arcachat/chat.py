"""The resident's question endpoint: checks, prompt, admission, then the answer as SSE events.

Protocol (text/event-stream, each `data:` is JSON):
- `notice`  {"message": str}                    before the answer, if the resident must know
                                                something about it (budget spent: extracts);
- `chunk`   {"text": str}                       as the provider writes;
- `sources` {"sources": [{"n", "title", "page", "url", "document", "chunk"}], "provider": kind,
             "generated": bool, "grounded": bool, "note"?: str, "unverified"?: [str]};
             `document` and `chunk` are the ids the chat's source panel opens (GET
             /documents/<document>/passages/<chunk>, knowledge/passages.py); the offline
             provider's sources also carry "quotes", the sentences and list items the answer
             quotes from each, which the panel marks inside the passage;
- `done`    {"remaining_percent": int|None, "generated": bool, "grounded": bool, "note"?: str,
             "unverified"?: [str], "feedback": token}   once complete; `feedback` is the
             answer's signed token for POST /chat/feedback (arcachat/feedback.py), or
- `error`   {"code", "message", "kept": bool, "retry": bool}      if it broke mid-way.
`sources` lists only the town passages the answer cites ("title": "document — section").
`grounded` is true when the answer cites town passages, all of them real
(knowledge.citations.grounding). A language model's answer that is not grounded (a general
question answered from its own knowledge, or citations that do not exist) comes with `note`,
the sentence to show under it in plain words ("This answer does not come from the town hall's
documents."); `unverified` lists the phone numbers, times and prices it gives that are in no
town passage, and `note` then says to check them. The offline provider only quotes the
documents: its answers never carry a note (its "not covered" answer has grounded false).
Refusals before any answer (signed out, rate limited, bad input, allowance) are JSON responses
with an HTTP error status and {"error": code, "message": plain words}. A question with
personal data whose request does not say the resident chose ("personal_data": "masked" or
"kept") is refused with 409 and {"error": "personal_data", "message", "kinds", "findings",
"masked"} (arcachat/personaldata.py): the page shows its warning, nothing went to a provider.
No message text is stored or logged: only counts, outcome and provider.
"""

import asyncio
import json
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from accesscodes.session import resident_api
from accesscodes.sharing import client_description, record_sighting
from core.keys import keyed_hash
from knowledge.citations import grounding, sources_of
from knowledge.prompt import assemble
from metering.admission import AdmissionRefused
from metering.meter import Metering, wait_for_room
from providers.base import ProviderError
from providers.chain import stream_answer
from providers.offline import OfflineProvider
from providers.registry import configured_chain
from townhall.insight import record_chat_answer

from . import personaldata, views
from .attachments import AttachmentError, parse_attachment
from .feedback import answer_token
from .questions import BadQuestion, language_of, parse_json, read_question

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Refusal(Exception):
    """A question refused before any answer: the JSON response to send instead."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(code)
        self.response = JsonResponse({"error": code, "message": message, **extra}, status=status)


def sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def check_rate(request, code) -> None:
    key = keyed_hash("chat", str(code.pk))[:32]  # the cache holds no identifier
    try:
        limited = is_ratelimited(
            request,
            group="arcachat.chat.ask",
            key=lambda _group, _request: key,
            rate=settings.CHAT_RATE,
            increment=True,
        )
    except Exception as exc:  # the cache (Redis) is down: metering still bounds the spend
        log.warning("chat rate limit unavailable, not checked: %s", type(exc).__name__)
        return
    if limited:
        raise Refusal(429, "rate_limited", _("You are asking very quickly. Please wait a minute."))


def answer_facts(chat_request, text: str, kind: str) -> dict:
    """What the `sources` and `done` events say about a finished answer: the sources it
    cites, whether it rests on them, and the note the resident must read when it does not."""
    check = grounding(text, chat_request.passages, chat_request.contact)
    facts = {"sources": sources_of(chat_request.passages, text), "grounded": check.grounded}
    if kind == OfflineProvider.kind:
        extraction = chat_request.extract()
        quoted = {n: title for n, title, _page in extraction.sources}
        for source in facts["sources"]:  # titled as under the answer: the sections quoted
            source["title"] = quoted.get(source["n"], source["title"])
            source["quotes"] = [u.text for u in extraction.units if u.source == source["n"]]
        return facts
    notes = []
    if not check.grounded:
        notes.append(_("This answer does not come from the town hall's documents."))
    if check.unsupported:
        facts["unverified"] = check.unsupported
        notes.append(
            _("Check with the town hall: these details are not in its documents: %(facts)s.")
            % {"facts": ", ".join(check.unsupported)}
        )
    if notes:
        facts["note"] = " ".join(str(note) for note in notes)
    return facts


def admit(metering: Metering, chat_request, chain, may_wait: bool = True) -> bool:
    """Reserve the answer's worst case; True when only the free offline provider may answer.
    The output limit granted (shrunk when little is left) is what the provider is asked
    for. AdmissionRefused with `may_wait` passes through: answers under way hold what this
    one needs (see Pending)."""
    try:
        offline = metering.reserve(
            estimated_input_tokens=chat_request.input_tokens_estimate(),
            max_output_tokens=chat_request.max_output_tokens,
            chain=chain,
            may_wait=may_wait,
        )
    except AdmissionRefused as exc:
        if exc.may_wait:
            raise
        status = 429 if exc.reason == "daily" else 403
        # What is left (if anything) cannot pay for one more answer: say so on the page.
        left = {"remaining_percent": 0} if exc.reason == "allowance" else {}
        raise Refusal(status, exc.reason, exc.user_message, **left) from None
    granted = getattr(metering, "output_tokens", None)
    if granted is not None and granted < chat_request.max_output_tokens:
        chat_request.max_output_tokens = granted
    return offline


def admitted(metering: Metering, chat_request, chain, may_wait: bool = True):
    """Admit the question: (the chain to answer with, the notice for the resident)."""
    if admit(metering, chat_request, chain, may_wait):
        notice = _(
            "The assistant is paused until the end of the month: the town's budget for it "
            "has been used. Here are extracts from the town's documents instead."
        )
        return [OfflineProvider()], notice
    if getattr(metering, "shrunk", False):
        return chain, _("Little credit is left: this answer may be shorter than usual.")
    return chain, ""


class Pending(Exception):
    """A question that answers under way leave no room for yet: admitted once they are
    settled (or refused after METER_WAIT_SECONDS), while the event loop waits."""

    def __init__(self, chat_request, metering: Metering, chain, lang: str):
        super().__init__("waiting for room")
        self.question = (chat_request, metering, chain)
        self.lang = lang

    async def admitted(self):
        """What `prepare` returns, once admitted (or raise Refusal)."""
        chat_request, metering, chain = self.question

        def attempt(may_wait: bool):
            with translation.override(self.lang):
                answering, notice = admitted(metering, chat_request, chain, may_wait)
            return chat_request, metering, answering, notice

        return await wait_for_room(attempt)


def prepare(request, data, lang):
    """Everything before the answer, in one worker thread: limits, the question, the provider
    chain, the prompt and the reservation. Returns (request, metering, chain, notice for the
    resident) or raises Refusal."""
    code = request.resident
    with translation.override(lang):
        try:
            question = read_question(data, lang)
        except BadQuestion as bad:
            raise Refusal(400, bad.code, bad.message) from None
        check_rate(request, code)
        try:
            personaldata.require_choice(data, question.text, lang, code.pk)
        except personaldata.NotChosen as found:
            raise Refusal(409, "personal_data", found.message, **found.found) from None
        chain = configured_chain()
        try:
            attachment = parse_attachment(question.attachment, chain[0].capabilities["images"])
        except AttachmentError as exc:
            raise Refusal(400, "attachment", exc.user_message) from None
        chat_request = assemble(
            question.text,
            question.history,
            timezone.localdate(),
            language=lang,
            attachment_text=attachment.text if attachment else "",
            images=attachment.images if attachment else (),
        )
        metering = Metering(code)
        try:
            chain, notice = admitted(metering, chat_request, chain)
        except AdmissionRefused:
            raise Pending(chat_request, metering, chain, lang) from None
    return chat_request, metering, chain, notice


@require_POST
async def ask(request):
    """Answer one question, streamed; see the module docstring for the protocol."""
    if request.content_type in FORM_TYPES:  # posted before the page's script ran: keep it
        return await sync_to_async(views.chat_page_resent)(request)
    data = parse_json(request.body)
    lang = language_of(data)
    try:
        return await ask_json(request, data, lang)
    except DatabaseError as exc:  # down or restarting: say so, the page offers to retry
        log.error("chat preparation failed: database unavailable: %s", type(exc).__name__)
        with translation.override(lang):
            message = _("The service is briefly unavailable. Please try again in a few minutes.")
        return JsonResponse({"error": "unavailable", "message": message}, status=503)


@resident_api
async def ask_json(request, data, lang):
    try:
        try:
            prepared = await sync_to_async(prepare)(request, data, lang)
        except Pending as pending:
            prepared = await pending.admitted()
    except Refusal as refusal:
        return refusal.response
    chat_request, metering, chain, notice = prepared
    client = client_description(request)
    response = StreamingHttpResponse(
        answer_events(chat_request, metering, lang, chain, notice, client),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


class Answer:
    """One answer under way: the chain's stream, what it produced (in memory only, to list the
    sources it cites), and its settlement, exactly once even if the browser leaves."""

    def __init__(self, chat_request, metering: Metering, chain=None, client: str = ""):
        self.request = chat_request
        self.metering = metering
        self.client = client  # network and browser, hashed with a daily salt, never stored
        self.started = time.monotonic()
        self.stream = stream_answer(chat_request, chain)
        self.text: list[str] = []
        self.produced = 0
        self.error = None
        self.outcome: str | None = None
        self.settled = False

    @property
    def kind(self) -> str:
        return getattr(getattr(self.stream, "provider", None), "kind", "")

    async def chunks(self):
        """The provider's text pieces; a failure ends them and is kept in `error`."""
        try:
            async for chunk in self.stream:
                if chunk:
                    self.produced += len(chunk)
                    self.text.append(chunk)
                    yield chunk
        except ProviderError as exc:
            self.error = exc
        except Exception as exc:  # a bug must not leave the browser waiting
            log.error("chat stream failed: %s", type(exc).__name__)
            self.error = exc
        self.error = self.error or getattr(self.stream, "error", None)
        ok = self.error is None and self.produced
        self.outcome = "ok" if ok else ("partial" if self.produced else "error")

    async def ending(self):
        """The events after the text: sources at once, then done or error once settled."""
        generated = self.kind != OfflineProvider.kind
        facts = answer_facts(self.request, "".join(self.text), self.kind)
        about = {key: value for key, value in facts.items() if key != "sources"}
        for source in facts["sources"]:  # the ids the chat's source panel opens
            passage = self.request.passages[source["n"] - 1]
            source.update(document=passage.document_id, chunk=passage.chunk_id)
        if self.produced:
            yield sse(
                "sources",
                {"sources": facts["sources"], "provider": self.kind, "generated": generated}
                | about,
            )
        remaining = await self.settle()
        if self.outcome == "ok":
            token = answer_token(facts["sources"], self.kind)
            done = {"remaining_percent": remaining, "generated": generated, "feedback": token}
            yield sse("done", done | about)
            return
        message = getattr(self.error, "user_message", "") or _(
            "The answer was interrupted. You can try again in a moment."
        )
        kept = bool(self.produced)
        yield sse(
            "error", {"code": "provider", "message": str(message), "kept": kept, "retry": True}
        )

    def _settle_and_note(self) -> int | None:
        remaining = self.metering.settle(
            getattr(self.stream, "usage", None),
            outcome=self.outcome,
            provider=getattr(self.stream, "provider", None),
            latency_ms=int((time.monotonic() - self.started) * 1000),
            failures=getattr(self.stream, "failures", ()),
        )
        if self.client:  # the sharing signals' sighting of this code and client, today
            record_sighting(self.metering.code, self.client, self.metering.started)
        if self.produced:  # the comms insight: week, how sure, documents; never any text
            record_chat_answer(self.request, self.kind, "".join(self.text))
        return remaining

    async def settle(self) -> int | None:
        self.settled = True
        try:  # shielded: the reservation is settled even if the browser has left
            return await asyncio.shield(sync_to_async(self._settle_and_note)())
        except Exception as exc:
            log.error("chat settle failed: %s", type(exc).__name__)
            return None

    async def close(self) -> None:
        """Close the stream (that is what sets its usage), then settle if not done yet."""
        if self.outcome is None:  # the browser left before the end
            self.outcome = "partial" if self.produced else "error"
        try:
            await self.stream.aclose()
        except Exception as exc:
            log.error("chat stream close failed: %s", type(exc).__name__)
        if not self.settled:
            await self.settle()
        elapsed = int((time.monotonic() - self.started) * 1000)
        kind = self.kind or "?"
        log.info(
            "chat answer outcome=%s provider=%s chars=%d ms=%d",
            *(self.outcome, kind, self.produced, elapsed),
        )


async def answer_events(chat_request, metering, lang, chain=None, notice="", client=""):
    """Stream the chain's chunks, then sources and done (or error); always settle."""
    answer = Answer(chat_request, metering, chain, client)
    try:
        if notice:  # said before the answer, e.g. the budget is spent: extracts only
            yield sse("notice", {"message": str(notice)})
        async for chunk in answer.chunks():
            yield sse("chunk", {"text": chunk})
        with translation.override(lang):
            async for event in answer.ending():
                yield event
    finally:
        await answer.close()
