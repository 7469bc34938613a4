"""CSRF on every route, session fixation and sign-out, blocked codes' sessions, brute force.

The CSRF check POSTs to every route of the access table (tests/security/access.py) as a persona
allowed to use it, carrying the CSRF cookie but not the token: each must answer 403 and change
nothing. Residents' sign-in brute force (lockout, typos, IPv6 /64) is proven in
tests/test_accesscodes_signin.py; here: the code space, and staff passwords.
"""

import io
import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command

from accesscodes import codeformat
from accesscodes.models import AccessCode
from embed.middleware import COOKIE_PREFIX, is_embedded
from tests.security.access import AUDIENCES, PERSONAS, ROUTES, concrete, rule_for, values_for
from tests.security.conftest import fast_client, snapshot
from tests.support.leaks import cache_contents, forms_of
from tests.support.personas import PASSWORD

pytestmark = [
    pytest.mark.security,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]
COOKIE = "arcachat_session"


def SessionStore(**kwargs):  # noqa: N802 - stands for the configured engine's class
    return import_module(settings.SESSION_ENGINE).SessionStore(**kwargs)


def persona_allowed(route) -> str:
    """Someone the table lets use the route (a CSRF refusal must not be a role refusal)."""
    who = AUDIENCES[rule_for(route).who]
    return next(p for p in PERSONAS if p in who)


def post(client, path: str, data: dict, **extra):
    if path in ("/chat/ask", "/embed/ask"):
        body = json.dumps({"message": "Quand ouvre la piscine ?", "history": []})
        return client.post(path, body, content_type="application/json", **extra)
    return client.post(path, data, **extra)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_it_refuses_a_post_without_the_csrf_token_on_every_route(route, world, client_for):
    rule = rule_for(route)
    client = client_for(persona_allowed(route), csrf=True)
    path = concrete(route, values_for(route, world))
    embedded = is_embedded(path)  # inside a frame, the CSRF cookie is the embed routes' own
    client.get(
        "/embed/" if embedded else "/"
    )  # the CSRF cookie is there: only the token is missing
    assert client.cookies.get(COOKIE_PREFIX + "csrftoken" if embedded else "csrftoken")
    before = snapshot()
    response = post(client, path, rule.data)
    assert response.status_code == 403, (path, response.status_code)
    assert (
        "plus à jour" in response.content.decode()
    )  # the page-expired page, not a permission refusal
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "path", "data"),
    [
        ("anonymous", "/staff/login/", {"username": "marius", "password": PASSWORD}),
        ("resident", "/chat/ask", {}),
        ("marius", "/comms/prompt/", {"text": "Mairie de {town}", "contact": "05 00"}),
        ("corinne", "/desk/codes/{n}/suspend", {}),
    ],
)
def test_it_accepts_the_same_post_with_the_token(persona, path, data, client_for, marius, resident):
    """The control: what the test above refuses is only the missing token."""
    client = client_for(persona, csrf=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = post(client, path.format(n=resident.number), data, HTTP_X_CSRFTOKEN=token)
    if response.streaming:
        b"".join(response)
    assert response.status_code in (200, 302), response.status_code


def test_it_refuses_a_resident_sign_in_from_another_site(resident):
    client = fast_client(csrf=True)
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/signin",
        {"code": resident.plain, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_ORIGIN="https://evil.example",
        HTTP_REFERER="https://evil.example/",
    )
    assert response.status_code == 403 and "resident_code_id" not in client.session


def planted(client) -> str:
    """An attacker's session key, set in the victim's browser before they sign in."""
    store = SessionStore()
    store["planted"] = True
    store.save()
    client.cookies[COOKIE] = store.session_key
    return store.session_key


def test_it_gives_staff_a_new_session_key_at_sign_in(adele):
    client = fast_client()
    key = planted(client)
    response = client.post("/staff/login/", {"username": "adele", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert client.cookies[COOKIE].value != key
    assert not SessionStore().exists(key)
    assert SessionStore(session_key=client.cookies[COOKIE].value)["_auth_user_id"] == str(adele.pk)


def test_it_sends_the_admin_login_to_the_staff_sign_in(adele):
    client = fast_client()
    response = client.post("/admin/login/?next=/admin/", {"username": "adele", "password": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/login/?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def test_it_gives_a_resident_a_new_session_key_at_sign_in(resident):
    client = fast_client()
    key = planted(client)
    assert client.post("/signin", {"code": resident.plain}).status_code == 302
    assert client.cookies[COOKIE].value != key and not SessionStore().exists(key)


def test_it_forgets_the_staff_session_at_sign_out(client_for):
    client = client_for("marius")
    key = client.cookies[COOKIE].value
    assert client.post("/staff/logout/").status_code == 302
    assert not SessionStore().exists(key)
    client.cookies[COOKIE] = key  # replaying the old cookie
    assert client.get("/comms/")["Location"].startswith("/staff/login/")


@pytest.mark.parametrize("status", ["suspended", "revoked", "expired"])
def test_it_cuts_off_an_existing_session_once_its_code_is_blocked(status, client_for, resident):
    client = client_for("resident")
    assert client.get("/chat/").status_code == 200
    if status == "expired":
        AccessCode.objects.filter(pk=resident.pk).update(expires_at="2000-01-01T00:00Z")
    else:
        resident.set_status(status)
    assert client.get("/chat/")["Location"] == "/"
    asked = post(client, "/chat/ask", {})
    assert asked.status_code == 403 and asked.json()["error"] == "code_inactive"
    assert client.post("/signin", {"code": resident.plain}).status_code == 403
    assert client.get("/chat/")["Location"] == "/"


def test_it_keeps_neither_the_code_nor_the_question_in_cache_sessions_or_tables(resident):
    """The confidentiality promise, on local memory and on Redis alike: hashes only."""
    client = fast_client()
    client.post("/signin", {"code": resident.plain, "remember": "1"})
    question = "Ma voisine Odette Berthier a-t-elle payé la cantine ?"
    body = json.dumps({"message": question, "history": []})
    b"".join(client.post("/chat/ask", body, content_type="application/json"))
    tables = io.StringIO()
    call_command("dumpdata", stdout=tables)
    sessions = [row.get_decoded() for row in Session.objects.all()]  # stored encoded
    assert sessions, "no session to look into"
    everything = cache_contents() + tables.getvalue().encode() + repr(sessions).encode()
    for secret in [*forms_of(resident.plain), question, "Odette Berthier"]:
        assert secret.encode() not in everything, secret


def test_it_draws_codes_from_an_eighty_bit_space_with_a_secure_generator(monkeypatch):
    assert len(codeformat.ALPHABET) ** codeformat.BODY_LENGTH >= 2**80
    calls = []
    real = codeformat.secrets.choice
    monkeypatch.setattr(codeformat.secrets, "choice", lambda seq: calls.append(1) or real(seq))
    assert len(codeformat.generate()) == codeformat.LENGTH
    assert len(calls) == codeformat.BODY_LENGTH


@pytest.mark.parametrize("login", ["/staff/login/", "/admin/login/"])
def test_it_locks_out_a_client_guessing_staff_passwords(login, adele, settings):
    settings.SIGNIN_RATE = "5/15m"
    client = fast_client()
    for attempt in range(20):
        client.post(login, {"username": "adele", "password": f"guess-{attempt}"})
    response = client.post(login, {"username": "adele", "password": PASSWORD})
    # The staff page refuses while locked; the admin's own page signs no one in: it sends
    # staff to the staff page (and its lockout).
    expected = 429 if login == "/staff/login/" else 302
    assert response.status_code == expected
    assert "_auth_user_id" not in client.session
