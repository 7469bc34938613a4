"""Residents' side: the JSON endpoints of static/js/ask-town.js and the "My requests" page.

Endpoints (JSON, CSRF token in X-CSRFToken, signed-in resident: 401/403 otherwise):
- POST api/preview {"question", "answer"?, "include_answer"?} -> what would be sent, as it is
  and masked, the personal-data kinds found and the warning sentence (townhall.asking);
- POST api/send (same body + "personal_data": "mask" | "keep" when something was found)
  -> 201 {"request", "message"}; 409 {"error": "choose"} without a needed choice;
- GET api/ -> {"requests": [...], "unread": n}: the code's requests and the town's replies;
- POST api/<id>/delete -> {"deleted": id}.
Every query is filtered on the signed-in code: another code's request is a 404. The POSTs
are rate limited per code (TOWNHALL_RATE). Refusals are {"error": code, "message": words}.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from accesscodes.session import get_resident, resident_api, resident_required
from core.keys import keyed_hash
from knowledge.prompt import town_contact

from . import asking
from .models import AI_MENTION, TownRequest
from .retention import purge_soon

log = logging.getLogger(__name__)


def _refusal(code: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def rate_limited(request) -> bool:
    key = keyed_hash("townhall", str(request.resident.pk))[:32]  # the cache holds no code
    try:
        return is_ratelimited(
            request,
            group="townhall.resident",
            key=lambda _group, _request: key,
            rate=settings.TOWNHALL_RATE,
            increment=True,
        )
    except Exception as exc:  # the cache is down: the open-requests cap still bounds it
        log.warning("townhall rate limit unavailable, not checked: %s", type(exc).__name__)
        return False


def _too_fast() -> JsonResponse:
    return _refusal("rate_limited", _("You are going very quickly. Please wait a little."), 429)


def requests_of(code):
    """The code's requests that still have their texts, newest first."""
    return TownRequest.objects.filter(code=code, purged_at__isnull=True)


def _date(day) -> str:
    return formats.date_format(day, "l j F Y") if day else ""


def status_label(status: str) -> str:
    """A request's status in the resident's words (staff pages use the model's labels)."""
    return {
        TownRequest.Status.OPEN: _("Waiting for a reply"),
        TownRequest.Status.REPLIED: _("The town hall replied"),
        TownRequest.Status.CLOSED: _("Closed without a written reply"),
    }[status]


def as_item(row: TownRequest) -> dict:
    """One request as the resident reads it."""
    handled = timezone.localtime(row.handled_at).date() if row.handled_at else None
    return {
        "id": row.pk,
        "question": row.question,
        "answer_included": bool(row.answer),
        "sent_on": _date(timezone.localtime(row.created_at).date()),
        "status": row.status,
        "status_label": status_label(row.status),
        "due_on": _date(row.due_on) if row.is_open else "",
        "late": row.is_overdue(),
        "reply": row.reply if row.status == TownRequest.Status.REPLIED else "",
        "mention": str(AI_MENTION) if row.ai_assisted else "",
        "handled_on": _date(handled),
        "new": bool(row.handled_at and row.reply_seen_at is None),
    }


@require_POST
@resident_api
def preview(request):
    if rate_limited(request):
        return _too_fast()
    try:
        draft = asking.read(request.body)
    except asking.BadInput as bad:
        return _refusal(bad.code, bad.message, bad.status)
    return JsonResponse(asking.preview(draft, translation.get_language()))


def sent_message(row: TownRequest) -> str:
    return _(
        "Your request no. %(n)s is sent to the town hall. A reply is due by %(day)s at the "
        "latest. You will read it in “My requests” at your next visit."
    ) % {"n": row.pk, "day": _date(row.due_on)}


@require_POST
@resident_api
def send(request):
    if rate_limited(request):
        return _too_fast()
    try:
        draft = asking.read(request.body)
        row = asking.create(request.resident, draft, translation.get_language())
    except asking.BadInput as bad:
        return _refusal(bad.code, bad.message, bad.status)
    return JsonResponse({"request": as_item(row), "message": sent_message(row)}, status=201)


@require_GET
@resident_api
def list_api(request):
    purge_soon()
    rows = [as_item(row) for row in requests_of(request.resident)]
    return JsonResponse({"requests": rows, "unread": sum(row["new"] for row in rows)})


def _delete(code, request_id: int) -> None:
    deleted, _ = requests_of(code).filter(pk=request_id).delete()
    if not deleted:
        raise Http404


@require_POST
@resident_api
def delete_api(request, request_id: int):
    if rate_limited(request):
        return _too_fast()
    try:
        _delete(request.resident, request_id)
    except Http404:
        return _refusal("not_found", _("This request no longer exists."), 404)
    return JsonResponse({"deleted": request_id})


@require_GET
@resident_required
def page(request):
    """ "My requests": each request with its status and the town's reply; the replies shown
    here count as read (the notice after sign-in stops showing them)."""
    purge_soon()
    code = get_resident(request)
    rows = list(requests_of(code))
    items = [as_item(row) for row in rows]
    fresh = [row.pk for row in rows if row.handled_at and row.reply_seen_at is None]
    if fresh:
        TownRequest.objects.filter(pk__in=fresh).update(reply_seen_at=timezone.now())
    context = {
        "items": items,
        "contact": town_contact(),
        "keep_days": settings.TOWNHALL_KEEP_DAYS,
        "due_days": settings.TOWNHALL_REPLY_WORKDAYS,
        "can_send": asking.open_requests(code) < settings.TOWNHALL_MAX_OPEN,
    }
    return render(request, "townhall/mine.html", context)


@require_POST
@resident_required
def delete_page(request, request_id: int):
    """The page's delete button (works without the script)."""
    _delete(get_resident(request), request_id)
    messages.success(request, _("Your request no. %(n)s is deleted.") % {"n": request_id})
    return redirect("requests:mine")
