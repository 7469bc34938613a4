"""Website sync under control: the comms pages, starting without waiting for the crawl,
pause, resume, cancel, hand-over between processes, and the schedule beat follows."""

import datetime as dt
import threading
import time

import pytest
from django.utils import timezone

from knowledge.models import Document, SitePage, SyncRun, WebSite
from knowledge.siteruns import create_run, due_runs, request_pause, request_resume
from knowledge.sitesync import advance
from knowledge.tasks import start_sync
from tests.support.documents import add_document
from tests.support.sitekit import Page, TownSite, filler

pytestmark = [pytest.mark.usefixtures("english")]


@pytest.fixture
def town_site(settings):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    settings.KNOWLEDGE_URL_TIMEOUT = 1.0
    pages = {f"/page/{i}": Page(f"Page {i}", filler("Mairie", "Texte.", i)) for i in range(10)}
    with TownSite(pages) as site:
        yield site


@pytest.fixture
def comms(client, marius):
    client.force_login(marius)
    return client


def website(town_site, **fields) -> WebSite:
    fields.setdefault("rate", 50)
    return WebSite.objects.create(name="Site de la ville", start_url=town_site.url + "/", **fields)


def join_sync(run_id: int) -> None:
    for thread in threading.enumerate():
        if thread.name == f"site-sync-{run_id}":
            thread.join(timeout=60)


def wait_for(predicate, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db
def test_it_adds_a_site_from_the_form(comms, marius):
    response = comms.post(
        "/comms/sites/add/",
        {
            "name": "Site de la ville",
            "start_url": "www.port-lumiere.fr",
            "include_paths": "  /vie-pratique/ \n\n/actualites/*\n",
            "exclude_paths": "",
            "schedule": "daily",
            "rate": "1",
            "max_pages": "1000",
            "max_megabytes": "200",
            "max_depth": "4",
        },
    )
    site = WebSite.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/comms/sites/{site.pk}/"
    assert site.start_url == "https://www.port-lumiere.fr"
    assert site.include_paths == "/vie-pratique/\n/actualites/*"
    assert site.created_by == marius
    assert not site.runs.exists()  # nothing is read before the team starts it


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("start_url", "ftp://port-lumiere.fr/", "https:// or http://"),
        ("rate", "50", "less than or equal to 10"),
        ("max_pages", "0", "greater than or equal to 1"),
    ],
)
def test_it_explains_what_is_wrong_in_the_form(comms, field, value, error):
    data = {"name": "Site", "start_url": "https://port-lumiere.fr/", "schedule": "weekly"}
    data |= {"rate": "1", "max_pages": "10", "max_megabytes": "10", "max_depth": "2"}
    response = comms.post("/comms/sites/add/", data | {field: value})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not WebSite.objects.exists()


@pytest.mark.django_db
def test_it_shows_a_site_before_its_first_sync(comms):
    site = WebSite.objects.create(name="Site de la ville", start_url="https://port-lumiere.fr/")
    page = comms.get(f"/comms/sites/{site.pk}/").content.decode()
    assert "No sync yet." in page and "Start a sync now" in page
    assert 'data-button="pause" hidden' in page
    assert comms.get(f"/comms/sites/{site.pk}/status.json").json()["buttons"] == ["start"]


@pytest.mark.django_db(transaction=True)
def test_it_starts_a_sync_without_waiting_for_the_crawl(comms, town_site, eager_celery):
    site = website(town_site, rate=4)  # 13 requests: about 3 s
    began = time.monotonic()
    response = comms.post(f"/comms/sites/{site.pk}/start")
    answered = time.monotonic() - began
    run = site.runs.get()
    assert response.status_code == 302
    assert answered < 1.5 and len(town_site.page_hits()) < 10  # the crawl goes on in the background
    status = comms.get(f"/comms/sites/{site.pk}/status.json").json()
    assert status["active"] and status["buttons"] == ["pause", "cancel"]
    join_sync(run.pk)
    status = comms.get(f"/comms/sites/{site.pk}/status.json").json()
    assert (status["status"], status["active"], status["buttons"]) == ("done", False, ["start"])
    assert status["pages"] == "10 of 10 pages read"
    assert status["counts"].startswith("10 added · 0 changed")
    assert [line["kind"] for line in status["lines"]] == ["added"] * 10
    assert "10 of 10 pages read" in comms.get(f"/comms/sites/{site.pk}/").content.decode()


@pytest.mark.django_db
def test_it_refuses_a_second_sync_while_one_is_under_way(comms, town_site):
    site = website(town_site)
    create_run(site)
    response = comms.post(f"/comms/sites/{site.pk}/start", follow=True)
    assert "already under way" in response.content.decode()
    assert site.runs.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_pauses_and_resumes_a_run_without_reading_a_page_twice(town_site, eager_celery):
    site = website(town_site, rate=5)
    run = create_run(site)
    start_sync(run.pk)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).pages_done >= 2)
    request_pause(run)
    join_sync(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.PAUSED and run.pages_done < 10
    paused_at = len(town_site.page_hits())
    time.sleep(0.5)
    assert len(town_site.page_hits()) == paused_at  # a paused run fetches nothing
    assert request_resume(run)
    start_sync(run.pk)
    join_sync(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.pages_done == 10
    paths = [hit.path for hit in town_site.page_hits()]
    assert sorted(paths) == sorted(set(paths)) and len(paths) == 10


@pytest.mark.django_db(transaction=True)
def test_it_cancels_from_the_page_and_retires_nothing(comms, town_site, eager_celery):
    site = website(town_site)
    advance(create_run(site).pk)
    town_site.remove("/page/0")
    advance(create_run(site).pk)  # /page/0 missing once
    site.rate = 2  # 10 requests: 5 s, time enough to cancel
    site.save()
    run = create_run(site)
    start_sync(run.pk)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).pages_done >= 1)
    comms.post(f"/comms/sites/{site.pk}/cancel")
    join_sync(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.CANCELLED and run.finished_at is not None
    assert Document.objects.get(source_url=town_site.url + "/page/0").status == "ready"


@pytest.mark.django_db
def test_it_cancels_a_paused_run_at_once(comms, town_site):
    site = website(town_site)
    run = create_run(site)
    comms.post(f"/comms/sites/{site.pk}/pause")
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.PAUSED
    assert comms.get(f"/comms/sites/{site.pk}/status.json").json()["buttons"] == [
        "resume",
        "cancel",
    ]
    comms.post(f"/comms/sites/{site.pk}/cancel")
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.CANCELLED
    assert town_site.hits == []


@pytest.mark.django_db
def test_it_hands_a_run_over_between_tasks(town_site):
    """A worker task stops after its time budget; the next one goes on from there."""
    run = create_run(website(town_site))
    assert advance(run.pk, budget=0) is True
    run.refresh_from_db()
    assert run.status == SyncRun.Status.QUEUED and run.lease == "" and run.discovered
    assert advance(run.pk, budget=None) is False
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.added == 10
    assert [hit.path for hit in town_site.hits].count("/robots.txt") == 1


@pytest.mark.django_db
def test_it_takes_over_a_run_whose_process_went_silent(comms, town_site, settings):
    run = create_run(website(town_site))
    silent = timezone.now() - dt.timedelta(seconds=settings.SITESYNC_STALE_SECONDS + 1)
    SyncRun.objects.filter(pk=run.pk).update(status="running", lease="old", heartbeat=silent)
    status = comms.get(f"/comms/sites/{run.site_id}/status.json").json()
    assert (status["status"], status["buttons"]) == ("interrupted", ["resume", "cancel"])
    assert run.pk in due_runs()
    assert advance(run.pk) is False
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.added == 10
    assert SyncRun.objects.filter(pk=run.pk, lease="old").update(added=0) == 0


@pytest.mark.django_db
def test_it_does_not_take_over_a_run_that_is_alive(town_site):
    run = create_run(website(town_site))
    SyncRun.objects.filter(pk=run.pk).update(status="running", lease="alive")
    assert advance(run.pk) is False and town_site.hits == []
    assert run.pk not in due_runs()


@pytest.mark.django_db
def test_it_starts_the_runs_that_are_due(town_site):
    now = timezone.now()
    daily, weekly, manual = (
        website(town_site, schedule=schedule) for schedule in ("daily", "weekly", "manual")
    )
    for site, hours_ago in ((daily, 25), (weekly, 25)):
        run = SyncRun.objects.create(site=site, status="done")
        SyncRun.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(hours=hours_ago))
    started = due_runs(now)
    assert [SyncRun.objects.get(pk=pk).site for pk in started] == [daily]
    assert due_runs(now) == []  # its run is now under way
    assert not manual.runs.exists()


@pytest.mark.django_db
def test_it_lists_synced_pages_on_the_site_page_only(comms, town_site):
    site = website(town_site)
    advance(create_run(site).pk)
    by_hand = add_document(b"# Marche\nLe samedi.", "marche.md")
    documents = comms.get("/comms/").content.decode()
    assert by_hand.title in documents and "Page 3" not in documents
    page = comms.get(f"/comms/sites/{site.pk}/").content.decode()
    doc = SitePage.objects.get(url=town_site.url + "/page/3").document
    assert f'href="/comms/documents/{doc.pk}/"' in page and "10 pages known" in page


def test_it_has_beat_start_the_due_syncs():
    from django.conf import settings

    from arcachat.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "knowledge.sync_due_sites" in tasks
    assert {"knowledge.sync_due_sites", "knowledge.sync_site"} <= set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_due_syncs_from_the_periodic_task(town_site, eager_celery):
    from knowledge.tasks import sync_due_sites

    site = website(town_site, schedule="daily")
    assert sync_due_sites() == 1
    run = site.runs.get()
    join_sync(run.pk)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.added == 10


@pytest.mark.django_db(transaction=True)
def test_it_goes_on_in_a_next_task_when_a_task_has_spent_its_time(
    town_site, eager_celery, settings
):
    from knowledge.tasks import sync_site_task

    settings.SITESYNC_TASK_SECONDS = 0
    run = create_run(website(town_site))
    sync_site_task(run.pk)  # discovers, then hands over at once
    join_sync(run.pk)  # the next stretch (in-process here: a thread)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE and run.added == 10
