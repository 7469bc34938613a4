"""Retention: requests' texts erased TOWNHALL_KEEP_DAYS after the reply, by the beat task and
in-process (the embedded default has no beat), at most once an hour; wordless rows stay."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from townhall import retention
from townhall.insight import KEEP_WEEKS, monday
from townhall.models import AnswerSignal, LogEntry, TownRequest
from townhall.tasks import purge_requests

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2027, 6, 15, 10, 0))


def handled(resident, days_ago: float, status="replied") -> TownRequest:
    at = NOW - dt.timedelta(days=days_ago)
    return TownRequest.objects.create(
        code=resident,
        question="Où jeter mon vieux frigo ?",
        answer="La déchetterie.",
        draft="Brouillon",
        draft_sources=[{"n": 1, "title": "Collecte"}],
        reply="Réponse de la mairie.",
        status=status,
        created_at=at - dt.timedelta(days=2),
        handled_at=at,
        due_on=NOW.date(),
    )


def test_it_erases_texts_keep_days_after_the_reply(resident, settings):
    settings.TOWNHALL_KEEP_DAYS = 90
    old = handled(resident, 90.1)
    closed = handled(resident, 91, status="closed")
    recent = handled(resident, 89.9)
    waiting = TownRequest.objects.create(
        code=resident,
        question="Toujours en attente",
        created_at=NOW - dt.timedelta(days=400),
        due_on=NOW.date(),
    )
    assert retention.purge(NOW) == 2
    for row in (old, closed):
        row.refresh_from_db()
        assert (row.question, row.answer, row.draft, row.reply) == ("", "", "", "")
        assert row.draft_sources == [] and row.code is None and row.purged_at == NOW
        assert row.status in ("replied", "closed")  # still counted, without a word
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert recent.reply and recent.code == resident
    assert waiting.question == "Toujours en attente"  # kept until it is handled
    entry = LogEntry.objects.get()
    assert (entry.actor_name, entry.action, entry.count) == ("system", "purged", 2)
    assert retention.purge(NOW) == 0 and LogEntry.objects.count() == 1


def test_it_forgets_answer_signals_older_than_the_weeks_kept():
    this = monday(NOW.date())
    AnswerSignal.objects.create(week=this - dt.timedelta(weeks=KEEP_WEEKS + 1), level="sure")
    kept = AnswerSignal.objects.create(week=this - dt.timedelta(weeks=KEEP_WEEKS), level="sure")
    retention.purge(NOW)
    assert list(AnswerSignal.objects.all()) == [kept]


def test_it_runs_in_process_at_most_once_an_hour(resident, monkeypatch):
    runs = []
    monkeypatch.setattr(retention, "purge", lambda now=None: runs.append(now) or 0)
    retention.purge_soon()
    retention.purge_soon()
    assert len(runs) == 1
    cache.delete(retention.CACHE_KEY)  # an hour later, the key has expired
    retention.purge_soon()
    assert len(runs) == 2


def test_it_purges_when_a_resident_opens_their_requests(resident, resident_client):
    old = handled(resident, settings.TOWNHALL_KEEP_DAYS + 1)
    TownRequest.objects.filter(pk=old.pk).update(handled_at=timezone.now() - dt.timedelta(days=91))
    assert resident_client.get("/requests/api/").json()["requests"] == []
    old.refresh_from_db()
    assert old.purged_at is not None and old.reply == ""


def test_it_is_a_periodic_task_of_celery_beat(resident, eager_celery):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-town-requests"]
    assert entry["task"] == purge_requests.name == "townhall.purge"
    old = handled(resident, 0)
    TownRequest.objects.filter(pk=old.pk).update(handled_at=timezone.now() - dt.timedelta(days=91))
    purge_requests.delay()  # eager here (eager_celery), as in the embedded default
    old.refresh_from_db()
    assert old.purged_at is not None
