"""Shared pieces of the security suite: signed-in clients per persona and a database snapshot.

Personas (tests/support/personas.py): anonymous, a resident signed in with an access code, a
resident signed in inside a town site's panel (`framed`: the embed routes' cookies only),
counter staff `corinne`, comms `marius`, admin `adele` (the only one with staff status).
"""

import hashlib

import pytest
from django.apps import apps
from django.test import Client

_HANDLERS: dict = {}


def fast_client(csrf: bool = False) -> Client:
    """A test client sharing its request handler: each new handler builds the middleware again,
    and WhiteNoise reads every static file then (150 ms), for a suite that makes thousands."""
    client = Client(enforce_csrf_checks=csrf)
    if csrf not in _HANDLERS:
        _HANDLERS[csrf] = client.handler
    client.handler = _HANDLERS[csrf]
    return client


@pytest.fixture
def client_for(request, db):
    """client_for(persona, csrf=False): a client signed in as that persona (fresh each call)."""

    def make(persona: str, csrf: bool = False) -> Client:
        client = fast_client(csrf)
        if persona == "resident":
            signed_in = request.getfixturevalue("resident_client")
            client.cookies = signed_in.cookies
        elif persona == "framed":
            client.cookies = framed_client().cookies
        elif persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return make


def framed_client() -> Client:
    """A client signed in with a new code through the panel's form (embed routes)."""
    from accesscodes.models import AccessCode

    client = Client()
    response = client.post("/embed/signin", {"code": AccessCode.issue()[1], "remember": "1"})
    assert response.status_code == 302 and response["Location"] == "/embed/", response
    return client


def snapshot() -> str:
    """A digest of every row of every table except sessions: equal digests, nothing changed."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label == "sessions.Session":
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(model._meta.label.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas' passwords hashed cheaply: the suite signs in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(corinne, marius, adele):
    """One object of every model the admin lists, so that its object pages exist."""
    from accesscodes.models import AccessCode, AuditEntry, Site
    from knowledge.models import PromptTemplate
    from providers.models import ProviderConfig
    from tests.security.access import ready_document

    site = Site.objects.create(name="Maison de quartier des Dunes")
    AuditEntry.record(corinne, AuditEntry.Action.ISSUED, AccessCode.issue(site=site)[0])
    PromptTemplate.objects.create(text="Mairie de {town}", author=marius)
    ProviderConfig.objects.create(name="Extraits", kind="offline", model="town-documents")
    ready_document()
    return adele
