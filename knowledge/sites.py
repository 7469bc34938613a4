"""Comms pages of the web sites synced as sources: list, add, edit, a site's sync (start, pause,
resume, cancel), its progress as JSON for static/js/site-sync.js, and the last run's report."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.db import transaction
from django.db.models import Case, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.roles import ADMINS, COMMS, role_required  # the one import of the staff roles

from .forms import WebSiteForm
from .models import Document, SyncLine, SyncRun, WebSite
from .siteruns import create_run, request_cancel, request_pause, request_resume
from .tasks import in_process, start_sync

comms_only = role_required(COMMS, ADMINS)
REPORT_LINES = 300  # lines shown on the page and in the JSON (the counts are always whole)
REPORT_ORDER = [
    SyncLine.Kind.FAILED,
    SyncLine.Kind.MISSING,
    SyncLine.Kind.RETIRED,
    SyncLine.Kind.NOTE,
    SyncLine.Kind.CHANGED,
    SyncLine.Kind.ADDED,
]
PAGES_SHOWN = 500


@comms_only
@require_GET
def site_list(request):
    sites = list(WebSite.objects.all())
    for site in sites:
        site.last_run = site.runs.first()
        site.synced = _synced(site).count()
    return render(request, "knowledge/sites.html", {"sites": sites})


@comms_only
def site_add(request):
    form = WebSiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site = form.save(commit=False)
        site.created_by = request.user
        site.save()
        messages.success(
            request, _("“%(name)s” was added. Start its first sync below.") % {"name": site}
        )
        return redirect("knowledge:site", site.pk)
    return render(request, "knowledge/site_form.html", {"form": form})


@comms_only
def site_edit(request, site_id):
    site = get_object_or_404(WebSite, pk=site_id)
    form = WebSiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            _("Saved. The changes apply from the next sync of “%(name)s”.") % {"name": site},
        )
        return redirect("knowledge:site", site.pk)
    return render(request, "knowledge/site_form.html", {"form": form, "site": site})


@comms_only
@require_GET
def site_detail(request, site_id):
    site = get_object_or_404(WebSite, pk=site_id)
    pages = site.pages.select_related("document").order_by("url")[:PAGES_SHOWN]
    state = run_state(site)
    config = {
        "statusUrl": reverse("knowledge:site-status", args=[site.pk]),
        "active": state["active"],
        "status": state["status"],
    }
    context = {
        "site": site,
        "state": state,
        "pages": pages,
        "automatic": not in_process(),  # beat runs the schedules; the embedded mode has none
        "config": config,
    }
    return render(request, "knowledge/site.html", context)


@comms_only
@require_GET
def site_status(request, site_id):
    """The latest run, polled every few seconds while it is active."""
    return JsonResponse(run_state(get_object_or_404(WebSite, pk=site_id)))


def run_state(site: WebSite) -> dict:
    """What the page shows of the site's latest run and pages: the first render and every
    poll use it."""
    run = site.runs.first()
    known = site.pages.count()
    state = {
        "synced": _synced(site).count(),
        "known": ngettext("%(n)d page known", "%(n)d pages known", known) % {"n": known},
        "status": "none",
        "status_label": _("No sync yet."),
        "active": False,
        "buttons": ["start"],
        "lines": [],
        "more": "",
    }
    if run is not None:
        state |= _run_figures(run) | _report(run)
    return state


def _run_figures(run: SyncRun) -> dict:
    stale = run.is_stale
    counts = {k: getattr(run, k) for k in ("added", "changed", "unchanged", "retired", "failed")}
    return {
        "status": "interrupted" if stale else run.status,
        "status_label": _("Interrupted") if stale else str(run.get_status_display()),
        "active": run.status in SyncRun.ACTIVE,
        "when": _("started %(when)s")
        % {"when": date_format(timezone.localtime(run.created_at), "SHORT_DATETIME_FORMAT")},
        "percent": run.percent,
        "pages": _("%(done)d of %(found)d pages read")
        % {"done": run.pages_done, "found": run.pages_found},
        "counts": _(
            "%(added)d added · %(changed)d changed · %(unchanged)d unchanged · "
            "%(retired)d retired · %(failed)d failed"
        )
        % counts,
        "current_url": run.current_url,
        "current_path": _path(run.current_url),
        "stop_reason": run.stop_reason,
        "buttons": _buttons(run, stale),
    }


def _report(run: SyncRun) -> dict:
    """The report's lines, what needs the team's eye first (failures, pages about to go),
    then changes, then additions; capped, with how many more there are."""
    order = Case(
        *(When(kind=kind, then=rank) for rank, kind in enumerate(REPORT_ORDER)),
        default=len(REPORT_ORDER),
    )
    lines = list(run.lines.annotate(rank=order).order_by("rank", "pk")[:REPORT_LINES])
    left = run.lines.count() - len(lines)
    return {
        "lines": [
            {
                "kind": ln.kind,
                "label": str(ln.get_kind_display()),
                "url": ln.url,
                "path": _path(ln.url),
                "reason": ln.reason,
            }
            for ln in lines
        ],
        "more": ngettext("…and %(n)d more line.", "…and %(n)d more lines.", left) % {"n": left}
        if left > 0
        else "",
    }


def _path(url: str) -> str:
    """How an address of the site is shown: its path (the site is named on the page)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") if url else ""


def _buttons(run: SyncRun, stale: bool) -> list[str]:
    """The controls that apply: start when nothing is under way; resume a paused or
    interrupted run; pause a waiting or running one; cancel any of them."""
    if run.status not in SyncRun.ACTIVE:
        return ["start"]
    if stale or run.status == SyncRun.Status.PAUSED:
        return ["resume", "cancel"]
    return ["pause", "cancel"]


@comms_only
@require_POST
def run_start(request, site_id):
    site = get_object_or_404(WebSite, pk=site_id)
    run = create_run(site, request.user)
    if run is None:
        messages.error(request, _("A sync of this site is already under way (or paused)."))
    else:
        transaction.on_commit(lambda: start_sync(run.pk))  # the panel shows it started
    return redirect("knowledge:site", site.pk)


@comms_only
@require_POST
def run_pause(request, site_id):
    run = _active_run(site_id)
    if run is not None:
        request_pause(run)
        messages.success(request, _("The sync pauses after the page it is reading."))
    return redirect("knowledge:site", site_id)


@comms_only
@require_POST
def run_resume(request, site_id):
    run = _active_run(site_id)
    if run is not None and request_resume(run):
        transaction.on_commit(lambda: start_sync(run.pk))
        messages.success(request, _("The sync goes on where it stopped."))
    return redirect("knowledge:site", site_id)


@comms_only
@require_POST
def run_cancel(request, site_id):
    run = _active_run(site_id)
    if run is not None:
        request_cancel(run)
        messages.success(
            request,
            _("The sync is cancelled. Pages already read are kept; nothing else is retired."),
        )
    return redirect("knowledge:site", site_id)


def _active_run(site_id) -> SyncRun | None:
    site = get_object_or_404(WebSite, pk=site_id)
    return site.runs.filter(status__in=SyncRun.ACTIVE).first()


def _synced(site: WebSite):
    return Document.objects.filter(site_page__site=site, status=Document.Status.READY)
