"""The fixtures every suite shares (a pytest plugin registered by tests/conftest.py).

Each is defined here once: the personas `corinne`, `marius`, `aline` and `adele`
(personas.py), a `resident` and a `resident_client`, the `town` magazine, the `fake_llm`
provider (and the `vision_llm` that sees images), the `site` served in a thread, `english`,
`eager_celery`;
and per test, autouse: the town's language, a media folder of its own, an empty cache.
Hooks: a report of which database runs; tests marked postgres, redis or browser skip without
their server; browser tests run last.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from accesscodes import sharing
from accesscodes.models import AccessCode
from arcachat.celery import app as celery_app
from core import memo

from .documents import MARKET, add_pdf_document
from .fakellm import FakeServer
from .liveapp import ThreadedSite
from .personas import create_persona
from .providers import activate

REQUIRE_SERVICES = os.environ.get("ARCACHAT_REQUIRE_SERVICES") == "1"


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    where = db["ENGINE"].rsplit(".", 1)[-1]
    if where != "sqlite3":
        where += f" at {db.get('HOST') or 'socket'}:{db.get('PORT') or 'default'}"
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    return [f"arcachat: database={where} cache={backend} celery_eager={eager}"]


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres/redis/browser skip without those servers (or chromium), unless
    the services are required. Browser tests run last: Playwright's sync API keeps an event
    loop on the main thread for the rest of the session, which async tests after it could not
    share."""
    items.sort(key=lambda item: "browser" in item.keywords)  # stable: order kept otherwise
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    on_redis = bool(settings.REDIS_URL)
    if REQUIRE_SERVICES and not (on_postgres and on_redis):
        pytest.exit("ARCACHAT_REQUIRE_SERVICES=1 needs DATABASE_URL (PostgreSQL) and REDIS_URL", 2)
    chromium = any("browser" in item.keywords for item in items) and _chromium()
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL)"))
        if "redis" in item.keywords and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL (Redis)"))
        if "browser" in item.keywords and not chromium:
            item.add_marker(pytest.mark.skip(reason="chromium is not installed (make test-deps)"))


def _chromium() -> bool:
    from .browser import CHROMIUM  # Playwright is loaded only when browser tests run

    return os.path.exists(CHROMIUM)


# --- Personas and residents -------------------------------------------------------------------


@pytest.fixture
def corinne(db):
    return create_persona("corinne")


@pytest.fixture
def marius(db):
    return create_persona("marius")


@pytest.fixture
def aline(db):
    return create_persona("aline")


@pytest.fixture
def adele(db):
    return create_persona("adele")


@pytest.fixture
def resident(db):
    """An active access code, as handed out at a counter; `resident.plain` is its slip text."""
    code, plain = AccessCode.issue()
    code.plain = plain
    return code


@pytest.fixture
def resident_client(resident):
    """A test client signed in with `resident`'s code through the landing page's form."""
    client = Client()
    response = client.post("/signin", {"code": resident.plain, "remember": "1"})
    assert response.status_code == 302 and response["Location"] == "/chat/", response
    return client


# --- The town and its provider ----------------------------------------------------------------


@pytest.fixture
def town(db):
    """The March magazine, read and ready: what answers cite and the offline provider quotes."""
    return add_pdf_document("Magazine municipal de mars", MARKET)


@pytest.fixture
def fake_llm(db):
    """A fake OpenAI-compatible vendor made the town's provider (`fake_llm.config`); change
    `fake_llm.script` to script the next answers; `fake_llm.bodies` is what it was sent."""
    with FakeServer("openai") as server:
        server.config = activate(server.base_url)
        yield server


@pytest.fixture
def vision_llm(fake_llm):
    """`fake_llm`, configured as seeing images: questions may carry an attachment."""
    fake_llm.config.supports_images = True
    fake_llm.config.save()
    return fake_llm


# --- The app served, the browser beside it ----------------------------------------------------


@pytest.fixture
def site(transactional_db):
    """The real ASGI app under uvicorn in a thread: answers stream as in production."""
    with ThreadedSite() as url:
        yield url


@pytest.fixture(autouse=True)
def _orm_beside_playwright(request, monkeypatch):
    """Browser tests still use the ORM on the thread where Playwright's sync API keeps an
    event loop (theirs, or that of an earlier browser test of the session)."""
    if request.node.get_closest_marker("browser"):
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# --- Settings and state of each test ----------------------------------------------------------


@pytest.fixture
def eager_celery():
    """Run queued ingestion inline even when REDIS_URL makes Celery use a real broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the town's language: a request of an earlier test may have left
    its language active in this thread (LocaleMiddleware does not reset it)."""
    translation.deactivate()
    yield


@pytest.fixture
def english(settings):
    """Assertions read the English msgids (French pages are checked by their own tests)."""
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
    sharing._salts.clear()  # the day's fingerprint salt, memoised per process
    memo.clear_all()  # quotas and prompt rows kept a few seconds per process
    cache.clear()
    yield
    cache.clear()
