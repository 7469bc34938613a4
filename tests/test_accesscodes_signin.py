"""Resident sign-in on the landing page: happy path, each refusal, lockout, cookie, sign-out."""

import datetime as dt
import time

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accesscodes import codeformat
from accesscodes.models import AccessCode
from core import clients, lockout
from tests.support.leaks import cache_contents

pytestmark = pytest.mark.django_db


def sign_in(client, code, remember=True, **extra):
    data = {"code": code, **({"remember": "1"} if remember else {})}
    return client.post("/signin", data, **extra)


def wrong_code() -> str:
    return codeformat.pretty(codeformat.generate())


def mistyped(plain: str) -> str:
    last = plain[-1]
    return plain[:-1] + ("X" if last != "X" else "Y")


def page(response) -> str:
    return response.content.decode()


def test_it_shows_the_sign_in_form_on_the_landing_page(client):
    text = page(client.get("/"))
    assert '<label for="code">Votre code d’accès</label>' in text or "Votre code d" in text
    assert 'name="code"' in text and 'action="/signin"' in text
    assert "Se connecter" in text and "js/signin.js" in text
    assert 'name="remember"' in text


def test_it_signs_a_resident_in_and_opens_the_chat(client, resident):
    typed = " ".join(resident.plain.lower().split("-"))
    response = sign_in(client, typed)
    assert response.status_code == 302 and response["Location"] == "/chat/"
    assert client.session["resident_code_id"] == resident.pk
    chat = client.get("/chat/")
    assert chat.status_code == 200
    assert chat.wsgi_request.user.is_anonymous  # a resident is never a Django user
    assert "_auth_user_id" not in client.session


def chat_config(client) -> dict:
    import json
    import re

    page_text = client.get("/chat/").content.decode()
    found = re.search(r'id="chat-config"[^>]*>(.*?)</script>', page_text, re.S)
    return json.loads(found.group(1))


def test_it_gives_each_sign_in_its_own_conversation_on_a_shared_computer(client, resident):
    # The chat page keeps the conversation in the tab under this id: the next resident on the
    # same computer gets another id, so the browser erases the previous conversation.
    sign_in(client, resident.plain)
    first = chat_config(client)["conversation"]
    assert first == chat_config(client)["conversation"]  # stable while signed in
    client.post("/signout")
    next_resident, plain = AccessCode.issue()
    sign_in(client, plain)
    second = chat_config(client)["conversation"]
    assert len(first) >= 16 and len(second) >= 16 and second != first


def test_it_accepts_o_for_zero_and_l_for_one(client):
    body = "0011ABCD0011EFGH"
    canonical = body + codeformat.check_character(body)
    AccessCode.objects.create(digest=codeformat.digest(canonical), number=7)
    assert sign_in(client, "OOLI-ABCD-oOil-EFGH-" + canonical[-1]).status_code == 302


@pytest.mark.security
def test_it_gives_the_session_a_new_key_at_sign_in(client, resident):
    before = client.session
    before["visited"] = True
    before.save()
    client.cookies["arcachat_session"] = before.session_key
    sign_in(client, resident.plain)
    after = client.cookies["arcachat_session"].value
    assert after != before.session_key
    assert not SessionStore().exists(before.session_key)
    assert SessionStore(session_key=after)["resident_code_id"] == resident.pk


@pytest.mark.security
def test_it_sets_a_secure_httponly_samesite_cookie_for_weeks(client, resident, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = sign_in(client, resident.plain, secure=True)
    cookie = response.cookies["arcachat_session"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 42 * 24 * 3600


@pytest.mark.security
def test_it_ends_a_shared_computer_session_with_the_browser(client, resident):
    cookie = sign_in(client, resident.plain, remember=False).cookies["arcachat_session"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_it_keeps_the_resident_signed_in_across_processes(client, resident):
    sign_in(client, resident.plain)
    cache.clear()  # another web process: nothing in its memory, the session is in the database
    assert client.get("/chat/").status_code == 200


def test_it_says_a_mistyped_code_looks_mistyped(client, resident):
    response = sign_in(client, mistyped(resident.plain))
    assert response.status_code == 400
    assert "semble mal saisi" in page(response)
    assert 'aria-invalid="true"' in page(response)
    assert "resident_code_id" not in client.session
    assert "no-store" in response["Cache-Control"]


def test_it_asks_for_the_code_when_nothing_was_typed(client):
    response = sign_in(client, "   ")
    assert response.status_code == 400 and "Tapez le code" in page(response)


def test_it_says_an_unknown_code_was_not_recognised(client):
    response = sign_in(client, wrong_code())
    assert response.status_code == 400
    assert "pas été reconnu" in page(response)
    assert "resident_code_id" not in client.session


@pytest.mark.security
@pytest.mark.parametrize(
    "status, words",
    [("suspended", "suspendu"), ("revoked", "plus valable"), ("expired", "expiré")],
)
def test_it_sends_a_blocked_code_to_the_counter(client, resident, status, words):
    if status == "expired":
        resident.expires_at = timezone.now() - dt.timedelta(minutes=1)
    else:
        resident.status = status
    resident.save()
    response = sign_in(client, resident.plain)
    assert response.status_code == 403
    assert words in page(response) and "guichet" in page(response)
    assert "resident_code_id" not in client.session
    assert client.get("/chat/")["Location"] == "/"


@pytest.mark.security
def test_it_sends_a_resident_whose_code_was_suspended_since_back_to_the_landing_page(
    resident_client, resident
):
    resident.set_status(AccessCode.Status.SUSPENDED)
    response = resident_client.get("/chat/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "plus actif" in page(response) and "guichet" in page(response)


@pytest.mark.security
def test_it_requires_the_csrf_token(resident):
    strict = Client(enforce_csrf_checks=True)
    assert sign_in(strict, resident.plain).status_code == 403


def test_it_sends_a_get_back_to_the_landing_page(client):
    assert client.get("/signin")["Location"] == "/"


@pytest.mark.security
def test_it_signs_out_and_forgets_the_session(resident_client):
    old_key = resident_client.cookies["arcachat_session"].value
    assert resident_client.get("/signout").status_code == 405
    response = resident_client.post("/signout", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "déconnecté" in page(response)
    assert not SessionStore().exists(old_key)
    assert resident_client.get("/chat/")["Location"] == "/"


def test_it_offers_sign_out_on_the_landing_page_once_signed_in(resident_client):
    text = page(resident_client.get("/"))
    assert 'action="/signout"' in text and 'href="/chat/"' in text


class Clock:
    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.mark.security
def test_it_locks_a_client_out_after_too_many_wrong_codes_even_with_the_right_one(
    client, resident, settings
):
    settings.SIGNIN_RATE = "3/15m"
    assert sign_in(client, wrong_code()).status_code == 400
    assert sign_in(client, wrong_code()).status_code == 400
    third = sign_in(client, wrong_code())
    assert third.status_code == 429 and "15 minutes" in page(third)
    refused = sign_in(client, resident.plain)
    assert refused.status_code == 429 and "resident_code_id" not in client.session
    assert "pas été reconnu" not in page(refused)  # the code was not even looked at
    elsewhere = Client(REMOTE_ADDR="192.0.2.77")
    assert sign_in(elsewhere, resident.plain).status_code == 302


@pytest.mark.security
def test_it_does_not_count_typos_towards_the_lockout(client, resident, settings):
    settings.SIGNIN_RATE = "3/15m"
    for _ in range(6):
        assert sign_in(client, mistyped(resident.plain)).status_code == 400
    assert sign_in(client, resident.plain).status_code == 302


@pytest.mark.security
def test_it_lifts_the_lockout_then_doubles_the_next_one(client, resident, settings, monkeypatch):
    settings.SIGNIN_RATE = "2/15m"
    clock = Clock(monkeypatch)
    for _ in range(2):
        sign_in(client, wrong_code())
    client_hash = lockout.client_of(client.get("/").wsgi_request)
    assert 890 <= lockout.locked_for(client_hash) <= 900
    clock.advance(901)
    assert lockout.locked_for(client_hash) == 0
    assert sign_in(client, resident.plain).status_code == 302
    for _ in range(2):
        sign_in(Client(), wrong_code())
    assert 1790 <= lockout.locked_for(client_hash) <= 1800
    clock.advance(1000)
    assert sign_in(Client(), resident.plain).status_code == 429
    clock.advance(801)
    assert sign_in(Client(), resident.plain).status_code == 302


@pytest.mark.security
def test_it_locks_out_for_a_day_a_client_pacing_under_the_rate(
    client, resident, settings, monkeypatch
):
    settings.SIGNIN_RATE, settings.SIGNIN_DAILY_LIMIT = "3/15m", 5
    clock = Clock(monkeypatch)
    for _window in range(2):  # 2 wrong codes per 15 minutes: never the rate's 3
        assert [sign_in(client, wrong_code()).status_code for _ in range(2)] == [400, 400]
        clock.advance(901)
    fifth = sign_in(client, wrong_code())
    assert fifth.status_code == 429
    assert lockout.locked_for(lockout.client_of(fifth.wsgi_request)) >= 24 * 3600 - 10
    clock.advance(23 * 3600)
    assert sign_in(client, resident.plain).status_code == 429


@pytest.mark.security
def test_it_caps_the_lockout_at_a_day(settings):
    settings.SIGNIN_RATE = "10/15m"
    assert [lockout.lock_seconds(n) for n in (1, 2, 3)] == [900, 1800, 3600]
    assert lockout.lock_seconds(30) == 24 * 3600


@pytest.mark.security
def test_it_keeps_no_address_in_the_cache(settings, resident):
    settings.SIGNIN_RATE = "2/15m"
    client = Client(REMOTE_ADDR="198.51.100.23")
    for _ in range(3):
        sign_in(client, wrong_code())
    assert b"198.51.100" not in cache_contents()


@pytest.mark.security
def test_it_treats_one_ipv6_home_network_as_one_client(rf):
    one = rf.post("/signin", REMOTE_ADDR="2001:db8:1:2::10")
    two = rf.post("/signin", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    other = rf.post("/signin", REMOTE_ADDR="2001:db8:1:3::10")
    assert lockout.client_of(one) == lockout.client_of(two) != lockout.client_of(other)
    mapped = rf.post("/signin", REMOTE_ADDR="::ffff:192.0.2.1")
    assert clients.client_network(mapped) == "192.0.2.1"


@pytest.mark.security
def test_it_trusts_only_the_proxy_s_own_forwarded_address(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1", "10.9.0.0/16"]
    forged = rf.post("/signin", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9")
    assert clients.client_network(forged) == "192.0.2.9"
    # Two trusted proxies in a row: the address the first one was reached from.
    chained = rf.post(
        "/signin", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.9, 10.9.3.3"
    )
    assert clients.client_network(chained) == "192.0.2.9"
    # The proxy's own request (its health check): the proxy.
    assert clients.client_network(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


@pytest.mark.security
def test_it_ignores_a_forwarded_address_from_anyone_but_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_PROXY=1
    direct = rf.post("/signin", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert clients.client_network(direct) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    assert clients.client_network(direct) == "198.51.100.7"


@pytest.mark.security
def test_it_compares_the_hash_in_constant_time(client, resident, monkeypatch):
    import hmac

    from accesscodes import signin

    calls, original = [], hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(signin.hmac, "compare_digest", spy)
    assert sign_in(client, resident.plain).status_code == 302
    assert calls == [(resident.digest, resident.digest)]


@pytest.mark.security
def test_it_guards_async_views_too(rf, resident):
    from asgiref.sync import async_to_sync
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.http import HttpResponse

    from accesscodes.session import resident_required

    @resident_required
    async def view(request):
        return HttpResponse("ok")

    request = rf.get("/chat/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    assert async_to_sync(view)(request)["Location"] == "/"
    request.session["resident_code_id"] = resident.pk
    assert async_to_sync(view)(request).content == b"ok"
    resident.set_status(AccessCode.Status.REVOKED)
    assert async_to_sync(view)(request)["Location"] == "/"
