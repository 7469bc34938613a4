"""The cache (Redis) unreachable, in-process: sessions, sign-in, lockout and questions.

The cache is pointed at a closed port, so every cache call fails at once as it does when
Redis is down. The shipped sessions (`accesscodes.sessions`) fall back to the database, the
sign-in lockout pauses, and the chat's per-code rate limit is skipped (logged): the question
is answered, and metering still bounds the spend.
"""

import json

import pytest
from asgiref.sync import async_to_sync
from django.contrib.sessions.backends.cached_db import SessionStore as DjangoCachedDB
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from accesscodes import codeformat
from accesscodes.session import SESSION_KEY
from accesscodes.sessions import SessionStore
from tests.faults.kit import NORMAL, NORMAL_RECORD, Books, priced_provider
from tests.support.answers import parse_sse
from tests.support.sockets import free_port_url

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]


@pytest.fixture
def cache_down(settings):
    """The default cache on a closed port: every cache call fails, as with Redis down."""
    url = free_port_url().replace("http://", "redis://") + "/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    return url


def sign_in(client, code):
    return client.post("/signin", {"code": code, "remember": "1"})


def test_it_breaks_djangos_cached_db_sessions_when_the_cache_is_down(cache_down):
    """Why accesscodes.sessions exists: Django's backend raises once its read falls back."""
    store = SessionStore()
    store[SESSION_KEY] = 7
    store.save(must_create=True)
    with pytest.raises(RedisConnectionError):
        DjangoCachedDB(store.session_key).load()


def test_it_keeps_sessions_in_the_database_while_the_cache_is_down(cache_down):
    store = SessionStore()
    store[SESSION_KEY] = 7
    store.save(must_create=True)  # a new key checked, saved to the database
    assert SessionStore(store.session_key).load() == {SESSION_KEY: 7}
    assert store.exists(store.session_key)
    store.cycle_key()  # signing in gives a new key
    assert SessionStore(store.session_key).load() == {SESSION_KEY: 7}
    key = store.session_key
    store.flush()  # signing out forgets it
    assert SessionStore(key).load() == {} and not store.exists(key)


def test_it_keeps_sessions_in_the_database_for_async_code_too(cache_down):
    async def scenario():
        store = SessionStore()
        await store.aset(SESSION_KEY, 8)
        await store.asave(must_create=True)
        assert await SessionStore(store.session_key).aload() == {SESSION_KEY: 8}
        assert await store.aexists(store.session_key)
        key = store.session_key
        await store.aflush()
        assert await SessionStore(key).aload() == {} and not await store.aexists(key)

    async_to_sync(scenario)()  # the ORM calls come back to this thread, as under ASGI


def test_it_keeps_a_copy_in_the_cache_while_the_cache_works():
    store = SessionStore()
    store[SESSION_KEY] = 9
    store.save(must_create=True)
    assert store._cache.get(store.cache_key) == {SESSION_KEY: 9}  # the copy in the cache


def test_it_signs_residents_in_and_out_while_the_cache_is_down(resident, cache_down, settings):
    assert settings.SESSION_ENGINE == "accesscodes.sessions"  # the shipped setting
    client = Client(raise_request_exception=False)
    wrong = sign_in(client, codeformat.pretty(codeformat.generate()))
    assert wrong.status_code == 400 and "pas été reconnu" in wrong.content.decode()
    signed = sign_in(client, resident.plain)  # the lockout pauses: nothing to count with
    assert signed.status_code == 302 and signed["Location"] == "/chat/"
    assert client.get("/chat/").status_code == 200
    assert client.post("/signout").status_code == 302
    assert client.get("/chat/").status_code == 302  # signed out for real


def test_it_answers_a_question_while_the_cache_is_down_and_logs_the_skipped_rate_limit(
    resident, town, fake, cache_down, caplog
):
    priced_provider(fake.base_url)
    client = Client(raise_request_exception=False)
    assert sign_in(client, resident.plain).status_code == 302
    body = json.dumps({"message": "Quand a lieu le marché ?", "language": "fr"})
    response = client.post("/chat/ask", body, content_type="application/json")
    assert response.status_code == 200, response.status_code  # not refused, not a 500
    events = parse_sse(b"".join(response).decode())
    assert [name for name, _ in events][-1] == "done"
    assert "".join(p.get("text", "") for n, p in events if n == "chunk") == NORMAL.text
    skipped = [r for r in caplog.records if r.name == "arcachat.chat" and r.levelname == "WARNING"]
    assert [r.getMessage() for r in skipped] == [
        "chat rate limit unavailable, not checked: ConnectionError"
    ]
    books = Books.read()
    books.assert_balanced()
    assert books.records == [NORMAL_RECORD]  # metering still counts what the question cost
