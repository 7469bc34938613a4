"""Start and steer website syncs: create a run, start the runs that are due, and pause, resume
or cancel one, whether a process holds it (it is asked, and stops after its page) or not."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import SyncRun, WebSite

SCHEDULES = {  # a scheduled run starts once the last one started this long ago
    WebSite.Schedule.DAILY: dt.timedelta(hours=23),
    WebSite.Schedule.WEEKLY: dt.timedelta(days=7) - dt.timedelta(hours=1),
}


def create_run(site: WebSite, user=None) -> SyncRun | None:
    """A new queued run of `site`, or None while another one is waiting, running or paused."""
    with transaction.atomic():
        WebSite.objects.select_for_update().filter(pk=site.pk).first()  # one start at a time
        if site.runs.filter(status__in=SyncRun.ACTIVE).exists():
            return None
        return SyncRun.objects.create(site=site, started_by=user)


def stale_running() -> Q:
    """Runs whose process gave no sign of life for SITESYNC_STALE_SECONDS."""
    return Q(status=SyncRun.Status.RUNNING, heartbeat__lt=SyncRun.stale_cutoff())


def due_runs(now: dt.datetime | None = None) -> list[int]:
    """Runs to hand to the workers: new runs of sites whose schedule is due, and runs left
    waiting or silent (a worker restarted, a queued message lost)."""
    now = now or timezone.now()
    stale = Q(status=SyncRun.Status.QUEUED) | Q(status=SyncRun.Status.RUNNING)
    ids = list(
        SyncRun.objects.filter(stale, heartbeat__lt=SyncRun.stale_cutoff(now)).values_list(
            "pk", flat=True
        )
    )
    for site in WebSite.objects.exclude(schedule=WebSite.Schedule.MANUAL):
        last = site.runs.order_by("-created_at").first()
        if last is not None and last.created_at > now - SCHEDULES[site.schedule]:
            continue
        run = create_run(site)
        if run is not None:
            ids.append(run.pk)
    return ids


def request_pause(run: SyncRun) -> None:
    """Pause now if no process holds the run, else ask its process to pause after the page."""
    idle = Q(status=SyncRun.Status.QUEUED) | stale_running()
    if not SyncRun.objects.filter(idle, pk=run.pk).update(status=SyncRun.Status.PAUSED):
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            pause_requested=True
        )


def request_resume(run: SyncRun) -> bool:
    """Queue a paused (or silent) run again; True if the caller should start it."""
    idle = Q(status=SyncRun.Status.PAUSED) | stale_running()
    return bool(
        SyncRun.objects.filter(idle, pk=run.pk).update(
            status=SyncRun.Status.QUEUED, pause_requested=False, heartbeat=timezone.now()
        )
    )


def request_cancel(run: SyncRun) -> None:
    """Cancel now if no process holds the run, else ask its process to stop after the page.
    Nothing is retired by a cancelled run."""
    idle = Q(status__in=[SyncRun.Status.QUEUED, SyncRun.Status.PAUSED]) | stale_running()
    ended = SyncRun.objects.filter(idle, pk=run.pk).update(
        status=SyncRun.Status.CANCELLED, finished_at=timezone.now(), lease=""
    )
    if not ended:
        SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
            cancel_requested=True
        )
