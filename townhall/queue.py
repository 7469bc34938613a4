"""The agents' queue: residents' requests, due and overdue first; a request with its AI draft,
service, reply, closing; and the admins' log of what staff did (never any text).

Agents (role `agents`) and admins use these pages. A reply sent while a draft is on the
request carries AI_MENTION for the resident; discarding the draft first removes it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, AGENTS, COMMS, has_role, role_required

from .drafts import DraftFailed, write_draft
from .forms import ReplyForm, ServiceForm
from .models import AI_MENTION, LogEntry, Service, TownRequest
from .retention import purge_soon

agents_only = role_required(AGENTS, ADMINS)
HANDLED_SHOWN = 20
LOG_PER_PAGE = 50
Status = TownRequest.Status


def _request(request_id: int) -> TownRequest:
    return get_object_or_404(
        TownRequest.objects.select_related("service"), pk=request_id, purged_at__isnull=True
    )


def _open(request_id: int):
    """The open request, or None after a message (another agent handled it meanwhile)."""
    row = _request(request_id)
    return row if row.is_open else None


@agents_only
@require_GET
def queue(request):
    purge_soon()
    waiting = TownRequest.objects.filter(status=Status.OPEN, purged_at__isnull=True)
    service = request.GET.get("service", "")
    if service.isdigit():
        waiting = waiting.filter(service_id=int(service))
    rows = list(waiting.select_related("service").order_by("due_on", "created_at"))
    today = timezone.localdate()
    handled = (
        TownRequest.objects.exclude(status=Status.OPEN)
        .filter(purged_at__isnull=True)
        .select_related("service", "handled_by")
        .order_by("-handled_at")[:HANDLED_SHOWN]
    )
    context = {
        "rows": rows,
        "overdue": sum(row.is_overdue(today) for row in rows),
        "today": today,
        "handled": handled,
        "services": Service.objects.filter(active=True),
        "service": int(service) if service.isdigit() else None,
    }
    return render(request, "townhall/queue.html", context)


def render_detail(request, row: TownRequest, reply_form=None, status: int = 200):
    context = {
        "row": row,
        "reply_form": reply_form or ReplyForm(initial={"reply": row.reply or row.draft}),
        "service_form": ServiceForm(initial={"service": row.service_id}),
        "mention": AI_MENTION,
        "overdue": row.is_overdue(),
        "can_publish": has_role(request.user, COMMS, ADMINS),
    }
    return render(request, "townhall/request.html", context, status=status)


@agents_only
@require_GET
def detail(request, request_id: int):
    return render_detail(request, _request(request_id))


def _handled_meanwhile(request, request_id: int):
    messages.info(request, _("Request no. %(n)s was already handled.") % {"n": request_id})
    return redirect("townhall:request", request_id=request_id)


@agents_only
@require_POST
def draft(request, request_id: int):
    row = _open(request_id)
    if row is None:
        return _handled_meanwhile(request, request_id)
    try:
        write_draft(row, request.user)
    except DraftFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The draft is ready: read it, correct it, then send it."))
    return redirect("townhall:request", request_id=request_id)


@agents_only
@require_POST
def discard_draft(request, request_id: int):
    row = _open(request_id)
    if row is None:
        return _handled_meanwhile(request, request_id)
    row.draft, row.draft_sources, row.draft_provider, row.drafted_at = "", [], "", None
    row.save(update_fields=["draft", "draft_sources", "draft_provider", "drafted_at"])
    messages.success(request, _("The draft is discarded: write the reply yourself."))
    return redirect("townhall:request", request_id=request_id)


def _handle(row: TownRequest, agent, status: str, action: str) -> None:
    row.status = status
    row.handled_at = timezone.now()
    row.handled_by = agent
    row.save()
    LogEntry.record(agent, action, request=row)


@agents_only
@require_POST
def reply(request, request_id: int):
    row = _open(request_id)
    if row is None:
        return _handled_meanwhile(request, request_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render_detail(request, row, form, status=400)
    row.reply = form.cleaned_data["reply"].strip()
    row.ai_assisted = bool(row.draft)  # built with an AI draft on the page: say so
    _handle(row, request.user, Status.REPLIED, LogEntry.Action.REPLIED)
    messages.success(
        request,
        _("The reply to request no. %(n)s is sent: the resident reads it at their next visit.")
        % {"n": row.pk},
    )
    return redirect("townhall:queue")


@agents_only
@require_POST
def close(request, request_id: int):
    row = _open(request_id)
    if row is None:
        return _handled_meanwhile(request, request_id)
    _handle(row, request.user, Status.CLOSED, LogEntry.Action.CLOSED)
    messages.success(request, _("Request no. %(n)s is closed without a reply.") % {"n": row.pk})
    return redirect("townhall:queue")


@agents_only
@require_POST
def assign(request, request_id: int):
    row = _request(request_id)
    form = ServiceForm(request.POST)
    if form.is_valid():
        row.service = form.cleaned_data["service"]
        row.save(update_fields=["service"])
        LogEntry.record(request.user, LogEntry.Action.ASSIGNED, request=row)
        messages.success(request, _("The service of request no. %(n)s is saved.") % {"n": row.pk})
    return redirect("townhall:request", request_id=request_id)


@role_required(ADMINS)
@require_GET
def log_page(request):
    page = Paginator(LogEntry.objects.all(), LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "townhall/log.html", {"page": page})
