"""An admin cannot read the server's secrets (issue 13, item 1): a live process, real HTTP.

A user of the `admins` group (staff status, not superuser) works through the Django admin as
a browser would, against a listener of their own (a fake OpenAI-compatible server that
records every request's headers): no server setting may become a key, a key from the
environment and a stored key go only to the address they were given for, and an upstream's
error body reaches the admin as a status and a short code only.
"""

import re

import pytest

from tests.support.fakellm import FakeServer, Script
from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_password

pytestmark = pytest.mark.security
ADD = "/admin/providers/providerconfig/add/"
CHANGELIST = "/admin/providers/providerconfig/"
TOWN_KEY = "sk-town-env-0123456789"  # in the app's environment, as TOWN_API_KEY
STORED_KEY = "sk-stored-9876543210"
SERVER_SETTINGS = [
    "SECRET_KEY",
    "CODE_HASH_KEY",
    "FIELD_ENCRYPTION_KEY",
    "DATABASE_URL",
    "EMAIL_HOST_PASSWORD",
    "REDIS_URL",
    "CELERY_BROKER_URL",
]


@pytest.fixture(scope="module")
def app():
    with IsolatedDatabase() as db:
        add_persona(db, "adele")
        with AppProcesses(db, WARM_UP="0", TOWN_API_KEY=TOWN_KEY) as live:
            yield live


@pytest.fixture
def listener():
    with FakeServer("openai", Script(text="OK")) as server:
        yield server


@pytest.fixture
def adele(app):
    with from_address(app.urls[0], follow_redirects=True) as client:
        client.headers["Accept-Language"] = "en"
        assert try_password(client, "adele", STAFF_PASSWORD).status_code == 200
        yield client


def form(name: str, base_url: str, **fields) -> dict:
    data = {
        "name": name,
        "kind": "openai_compatible",
        "model": "fake",
        "base_url": base_url,
        "timeout": "5",
        "order": "10",
        "enabled": "on",
        "supports_images": "unknown",
        "prompt_caching": "unknown",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def submit(client, url: str, data: dict):
    token = csrf_of(client.get(url))
    return client.post(url, data={**data, "csrfmiddlewaretoken": token})


def provider_id(client, name: str) -> int | None:
    page = client.get(CHANGELIST).text
    found = re.search(rf'/providerconfig/(\d+)/change/">{re.escape(name)}</a>', page)
    return int(found.group(1)) if found else None


def connection_test(client, pk: int) -> str:
    data = {"action": "test_connection", "_selected_action": [str(pk)]}
    return submit(client, CHANGELIST, data).text


def sent_keys(server) -> list[str]:
    """The Authorization header of every request the server got (names in any case)."""
    return [
        next((v for k, v in r["headers"].items() if k.lower() == "authorization"), "")
        for r in server.requests
    ]


@pytest.mark.parametrize("setting", [*SERVER_SETTINGS, "POSTGRES_PASSWORD", "HOME"])
def test_it_refuses_a_server_setting_as_a_key_variable(app, adele, listener, setting):
    page = submit(adele, ADD, form(f"Leak {setting}", listener.base_url, api_key_env=setting))
    assert "errorlist" in page.text
    assert "own settings" in page.text or "ending in _API_KEY" in page.text
    assert provider_id(adele, f"Leak {setting}") is None
    assert listener.requests == []


def test_it_never_sends_a_server_setting_even_from_a_row_saved_before(app, adele, listener):
    """Rows written before the rule (or by any other way than a form) are refused at use."""
    names = ", ".join(repr(name) for name in SERVER_SETTINGS)
    app.db.shell(
        "from providers.models import ProviderConfig\n"
        f"for name in [{names}]:\n"
        f"    ProviderConfig.objects.create(name='Old ' + name, kind='openai_compatible',"
        f" model='fake', base_url={listener.base_url!r}, api_key_env=name)"
    )
    for name in SERVER_SETTINGS:
        connection_test(adele, provider_id(adele, f"Old {name}"))
    secrets = [app.db.env[name] for name in ("SECRET_KEY", "CODE_HASH_KEY")]
    assert len(listener.requests) == len(SERVER_SETTINGS)
    assert not any(secret in key for key in sent_keys(listener) for secret in secrets)
    page = adele.get(CHANGELIST).text
    assert page.count("one of the server&#x27;s own settings, never a provider") == 7


def test_it_sends_a_key_from_the_environment_only_where_the_operator_said(app, adele, listener):
    page = submit(adele, ADD, form("Ailleurs", listener.base_url, api_key_env="TOWN_API_KEY"))
    errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page.text, re.S)
    assert "TOWN_BASE_URL" in " ".join(errors), errors
    assert provider_id(adele, "Ailleurs") is None
    app.db.shell(
        "from providers.models import ProviderConfig\n"
        "ProviderConfig.objects.create(name='Ailleurs', kind='openai_compatible', model='f',"
        f" base_url={listener.base_url!r}, api_key_env='TOWN_API_KEY')"
    )
    connection_test(adele, provider_id(adele, "Ailleurs"))
    assert listener.requests and not any(TOWN_KEY in key for key in sent_keys(listener))
    assert "No key is sent to this address" in adele.get(CHANGELIST).text


def test_it_forgets_a_stored_key_when_the_address_changes(app, adele, listener):
    with FakeServer("openai", Script(text="OK", expect_key=STORED_KEY)) as vendor:
        page = submit(adele, ADD, form("Albert", vendor.base_url, api_key=STORED_KEY))
        pk = provider_id(adele, "Albert")
        assert pk is not None, page.text[:3000]
        assert "Albert answered" in connection_test(adele, pk)
        assert sent_keys(vendor) == [f"Bearer {STORED_KEY}"]

    change = f"/admin/providers/providerconfig/{pk}/change/"
    moved = submit(adele, change, form("Albert", listener.base_url))
    assert "its stored key was deleted" in moved.text
    connection_test(adele, pk)
    assert not any(STORED_KEY in key for key in sent_keys(listener))


def test_it_shows_an_upstream_error_as_a_status_and_a_code_only(app, adele):
    script = Script(status=500)
    with FakeServer("openai", script) as internal:
        internal.wire.error = lambda status, message: {
            "error": {
                "message": "db=postgres://svc:hunter2@10.0.0.9/prod; you sent: OK?",
                "type": "server_error",
            }
        }
        app.db.shell(
            "from providers.models import ProviderConfig\n"
            "ProviderConfig.objects.create(name='Interne', kind='openai_compatible',"
            f" model='f', base_url={internal.base_url!r})"
        )
        page = connection_test(adele, provider_id(adele, "Interne"))
    assert "Interne failed after" in page
    assert "HTTP 500 Internal Server Error. [server_error]" in page
    assert "hunter2" not in page and "you sent" not in page
