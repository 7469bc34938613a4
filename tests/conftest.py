"""Shared fixtures: staff personas, service markers, and a report of which database runs.

Personas (one per staff role, as in the README):
- corinne: counter staff at the Maison de quartier des Dunes, issues access codes;
- marius: comms team, uploads the magazine and edits the system prompt;
- aline: agent at the town hall, replies to the questions residents send to the town;
- adele: admin, chooses providers, prices, quotas and watches spend.
"""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("ARCACHAT_REQUIRE_SERVICES") == "1"


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    where = db["ENGINE"].rsplit(".", 1)[-1]
    if where != "sqlite3":
        where += f" at {db.get('HOST') or 'socket'}:{db.get('PORT') or 'default'}"
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    return [f"arcachat: database={where} cache={cache} celery_eager={eager}"]


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres/redis skip without those servers, unless they are required.
    Browser tests run last: Playwright's sync API keeps an event loop on the main thread for
    the rest of the session, which async tests after it could not share."""
    items.sort(key=lambda item: "browser" in item.keywords)  # stable: order kept otherwise
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = bool(settings.REDIS_URL)
    if REQUIRE_SERVICES and not (on_postgres and on_redis):
        pytest.exit("ARCACHAT_REQUIRE_SERVICES=1 needs DATABASE_URL (PostgreSQL) and REDIS_URL", 2)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL)"))
        if "redis" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL (Redis)"))


def _staff(django_user_model, username, role):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, password="correct horse battery", is_staff=role == "admins"
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def corinne(db, django_user_model):
    return _staff(django_user_model, "corinne", "counter")


@pytest.fixture
def marius(db, django_user_model):
    return _staff(django_user_model, "marius", "comms")


@pytest.fixture
def aline(db, django_user_model):
    return _staff(django_user_model, "aline", "agents")


@pytest.fixture
def adele(db, django_user_model):
    return _staff(django_user_model, "adele", "admins")


@pytest.fixture
def eager_celery():
    """Run queued ingestion inline even when REDIS_URL makes Celery use a real broker."""
    from arcachat.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the town's language: a request of an earlier test may have left
    its language active in this thread (LocaleMiddleware does not reset it)."""
    from django.utils import translation

    translation.deactivate()
    yield


@pytest.fixture
def english(settings):
    """Assertions read the English msgids (French pages are checked by their own tests)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, cached sessions and memos must not leak between tests."""
    from django.core.cache import cache

    from accesscodes import sharing
    from core import memo

    sharing._salts.clear()  # the day's fingerprint salt, memoised per process
    memo.clear_all()  # quotas and prompt rows kept a few seconds per process
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def resident(db):
    """An active access code, as handed out at a counter; `resident.plain` is its slip text."""
    from accesscodes.models import AccessCode

    code, plain = AccessCode.issue()
    code.plain = plain
    return code


@pytest.fixture
def resident_client(resident):
    """A test client signed in with `resident`'s code through the landing page's form."""
    from django.test import Client

    client = Client()
    response = client.post("/signin", {"code": resident.plain, "remember": "1"})
    assert response.status_code == 302 and response["Location"] == "/chat/", response
    return client
