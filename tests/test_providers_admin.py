"""Admins switch providers, store keys and test connections in the Django admin, live."""

import re
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from providers import crypto, registry
from providers.base import ChatRequest, Message
from providers.chain import stream_answer
from providers.models import ProviderConfig
from providers.probe import aprobe
from tests.support.fakellm import FakeServer, Script
from tests.support.providers import collect, provider_for

CHANGELIST = reverse("admin:providers_providerconfig_changelist")
SECRET = "sk-town-secret-0123456789"
UNREADABLE_SHOWN = (
    "A key is stored but cannot be decrypted: FIELD_ENCRYPTION_KEY changed; enter the key again."
)


def ask() -> ChatRequest:
    return ChatRequest(
        system="Assistant.", messages=[Message("user", "Horaires ?")], max_output_tokens=800
    )


def next_answer():
    stream = stream_answer(ask())
    chunks, error = async_to_sync(collect)(stream)
    return stream.provider, "".join(chunks), error


def change_form(config, **changes) -> dict:
    data = {
        "name": config.name,
        "kind": config.kind,
        "model": config.model,
        "base_url": config.base_url,
        "api_key_env": config.api_key_env,
        "max_output_tokens": config.max_output_tokens or "",
        "timeout": config.timeout,
        "order": config.order,
        "enabled": "on" if config.enabled else "",
        "supports_images": "unknown",
        "prompt_caching": "unknown",
        "api_key": "",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
        "prices-MIN_NUM_FORMS": "0",
        "prices-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.fixture
def admin_client(client, adele):
    """Adele in English, so that the assertions read the English msgids."""
    client.force_login(adele)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def two_servers():
    mistral = FakeServer("mistral", Script(text="Réponse de Mistral.", expect_key="sk-m"))
    albert = FakeServer("openai", Script(text="Réponse d'Albert, hébergé en France."))
    with mistral, albert:
        yield mistral, albert


@pytest.mark.django_db
def test_it_switches_the_active_provider_on_the_next_answer(admin_client, two_servers):
    mistral_server, albert_server = two_servers
    mistral = ProviderConfig.objects.create(
        name="Mistral", kind="mistral", base_url=mistral_server.base_url, order=10, timeout=2
    )
    mistral.set_api_key("sk-m")
    mistral.save()
    albert = ProviderConfig.objects.create(
        name="Albert", kind="openai_compatible", base_url=albert_server.base_url, order=20
    )
    provider, text, _ = next_answer()
    assert provider.name == "Mistral" and text == "Réponse de Mistral."

    response = admin_client.post(
        CHANGELIST, {"action": "make_active", ACTION_CHECKBOX_NAME: [albert.pk]}, follow=True
    )
    assert "Albert is now the active provider" in response.content.decode()
    provider, text, _ = next_answer()
    assert provider.name == "Albert" and text == "Réponse d'Albert, hébergé en France."

    # Back through the change form: disabling Albert hands over to Mistral again.
    albert.refresh_from_db()
    url = reverse("admin:providers_providerconfig_change", args=[albert.pk])
    response = admin_client.post(url, change_form(albert, enabled=""))
    assert response.status_code == 302
    assert next_answer()[0].name == "Mistral"
    assert len(albert_server.requests) == 1 and len(mistral_server.requests) == 2


@pytest.mark.security
@pytest.mark.django_db
def test_it_stores_the_key_encrypted_and_never_shows_it_back(admin_client, settings):
    url = reverse("admin:providers_providerconfig_add")
    assert admin_client.get(url).status_code == 200
    config = ProviderConfig(name="Claude", kind="anthropic", order=10)
    response = admin_client.post(url, change_form(config, api_key=SECRET))
    assert response.status_code == 302, response.content.decode()[:2000]
    config = ProviderConfig.objects.get(name="Claude")
    assert SECRET not in config.api_key_encrypted
    assert crypto.decrypt(config.api_key_encrypted) == SECRET
    assert config.resolve_key() == (SECRET, "the key stored in the provider settings")

    change = reverse("admin:providers_providerconfig_change", args=[config.pk])
    for page in (change, CHANGELIST):
        html = admin_client.get(page).content.decode()
        assert SECRET not in html and config.api_key_encrypted not in html
        assert "A key is stored" in html

    # Saving without typing a key keeps it; ticking "delete" removes it.
    admin_client.post(change, change_form(config, model="claude-sonnet-4-5"))
    config.refresh_from_db()
    assert config.model == "claude-sonnet-4-5" and config.resolve_key()[0] == SECRET
    admin_client.post(change, change_form(config, clear_api_key="on"))
    config.refresh_from_db()
    assert config.api_key_encrypted == "" and config.resolve_key()[0] is None


@pytest.mark.django_db
def test_it_says_the_stored_key_is_unreadable_once_the_encryption_key_changed(
    admin_client, settings, caplog
):
    config = ProviderConfig.objects.create(name="Claude", kind="anthropic", order=10)
    config.set_api_key(SECRET)
    config.save()
    settings.FIELD_ENCRYPTION_KEY = "a-new-field-encryption-key"
    config.refresh_from_db()
    assert crypto.decrypt(config.api_key_encrypted) is None
    assert config.resolve_key() == (None, crypto.UNREADABLE)

    change = reverse("admin:providers_providerconfig_change", args=[config.pk])
    for page in (change, CHANGELIST):
        html = admin_client.get(page).content.decode()
        assert UNREADABLE_SHOWN in html and "A key is stored (encrypted)" not in html

    stream = stream_answer(ask())
    chunks, error = async_to_sync(collect)(stream)
    assert error is None and chunks and stream.provider.kind == "offline"
    detail = stream.failures[0].error.detail
    assert detail == f"Claude (anthropic): {crypto.UNREADABLE}" and detail in caplog.text

    response = admin_client.post(
        CHANGELIST, {"action": "test_connection", ACTION_CHECKBOX_NAME: [config.pk]}, follow=True
    )
    html = response.content.decode()
    assert "Claude failed after" in html and crypto.UNREADABLE in html

    admin_client.post(change, change_form(config, api_key=SECRET))
    config.refresh_from_db()
    assert config.resolve_key()[0] == SECRET
    assert "A key is stored (encrypted)" in admin_client.get(change).content.decode()


@pytest.mark.security
@pytest.mark.django_db
def test_it_refuses_a_key_typed_where_the_variable_name_goes(admin_client):
    config = ProviderConfig(name="GPT", kind="openai", order=10)
    url = reverse("admin:providers_providerconfig_add")
    response = admin_client.post(url, change_form(config, api_key_env="sk-abc def"))
    assert response.status_code == 200
    assert "name of an environment variable" in response.content.decode()
    assert not ProviderConfig.objects.exists()


@pytest.mark.django_db
def test_it_tests_the_connection_with_latency_or_the_exact_error(
    admin_client, two_servers, monkeypatch
):
    mistral_server, albert_server = two_servers
    good = ProviderConfig.objects.create(
        name="Albert", kind="openai_compatible", base_url=albert_server.base_url
    )
    bad = ProviderConfig.objects.create(
        name="Mistral",
        kind="mistral",
        base_url=mistral_server.base_url,
        api_key_env="ARCA_TEST_API_KEY",
        order=20,
    )
    # The server's operator lets that key go to that address (providers.validators).
    monkeypatch.setenv("ARCA_TEST_API_KEY", "sk-wrong")
    monkeypatch.setenv("ARCA_TEST_BASE_URL", mistral_server.base_url)
    response = admin_client.post(
        CHANGELIST,
        {"action": "test_connection", ACTION_CHECKBOX_NAME: [good.pk, bad.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "Albert answered: first words after" in html and " ms, done in " in html
    assert "Mistral failed after" in html
    assert "HTTP 401 invalid key: check the environment variable ARCA_TEST_API_KEY" in html
    assert "sk-wrong" not in html


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "mistral"])
async def test_it_counts_a_successful_answer_with_no_text_as_connected(protocol):
    with FakeServer(protocol, Script(text="")) as server:
        result = await aprobe(provider_for(protocol, server.base_url))
    body = server.requests[0]["json"]
    assert (body.get("max_tokens") or body.get("max_completion_tokens")) == 64
    assert result.ok and result.first_chunk_ms is None and result.total_ms >= 0
    assert result.detail.startswith("connected, but the model wrote no text within 64 output")


@pytest.mark.django_db
def test_it_warns_admins_when_the_connection_test_gets_no_text(admin_client):
    with FakeServer("openai", Script(text="")) as server:
        config = ProviderConfig.objects.create(
            name="Albert", kind="openai_compatible", base_url=server.base_url
        )
        action = {"action": "test_connection", ACTION_CHECKBOX_NAME: [config.pk]}
        response = admin_client.post(CHANGELIST, action, follow=True)
    html = response.content.decode()
    assert "Albert answered in " in html and " ms, but with no text: connected" in html
    assert 'class="warning"' in html and "Albert failed" not in html


def residents_page(resident_client) -> dict:
    """The chat page as a signed-in resident gets it, split into the parts that may change
    with the provider (notice, attachment field) and the rest (CSRF token and blank space
    left by the attachment field evened out)."""
    html = resident_client.get("/chat/").content.decode()
    html = re.sub(r'(name="csrfmiddlewaretoken" value=)"[^"]*"', r"\1''", html)
    notice = re.search(r'<p id="notice"[^>]*>(.*?)</p>', html, re.S).group(1)
    attach = re.search(r'<div class="attach">.*?</div>', html, re.S)
    rest = html.replace(notice, "").replace(attach.group(0) if attach else "", "")
    return {"notice": notice, "attach": attach is not None, "rest": " ".join(rest.split())}


@pytest.mark.django_db
def test_it_switches_providers_without_changing_the_residents_page(admin_client, resident_client):
    kinds = {"Mistral": "mistral", "Claude": "anthropic", "Extracts": "offline"}
    for order, (name, kind) in enumerate(kinds.items(), start=1):
        ProviderConfig.objects.create(name=name, kind=kind, order=order * 10)
    names = list(kinds)
    pages = {}
    for name in names:
        config = ProviderConfig.objects.get(name=name)
        admin_client.post(CHANGELIST, {"action": "make_active", ACTION_CHECKBOX_NAME: [config.pk]})
        assert registry.active_provider().name == name
        pages[name] = residents_page(resident_client)
    mistral, claude, extracts = (pages[name] for name in names)
    assert mistral["rest"] == claude["rest"] == extracts["rest"]
    assert mistral["notice"] == claude["notice"] != extracts["notice"]
    assert [mistral["attach"], claude["attach"], extracts["attach"]] == [False, True, False]


def price_rows(**rates) -> dict:
    data = {
        "prices-TOTAL_FORMS": "1",
        "prices-0-effective_from_0": "2026-11-01",
        "prices-0-effective_from_1": "00:00:00",
    }
    data.update({f"prices-0-eur_per_million_{name}": value for name, value in rates.items()})
    return data


@pytest.mark.django_db
def test_it_refuses_negative_prices_and_a_cached_price_above_the_input_price(admin_client):
    from providers.models import Price

    config = ProviderConfig.objects.create(name="Claude", kind="anthropic", order=10)
    change = reverse("admin:providers_providerconfig_change", args=[config.pk])
    negative = change_form(config, **price_rows(input="-3", output="-15"))
    page = admin_client.post(change, negative).content.decode()
    assert page.count("Ensure this value is greater than or equal to 0.") == 2
    dear_cache = change_form(config, **price_rows(input="3", output="15", cached_input="50"))
    page = admin_client.post(change, dear_cache).content.decode()
    assert "The cached input price cannot be above the input price." in page
    assert not Price.objects.exists()


@pytest.mark.django_db
def test_it_charges_cached_input_at_the_input_price_when_no_cached_price_is_set(admin_client):
    from providers.base import Usage
    from providers.pricing import cost_eur, price_at

    config = ProviderConfig.objects.create(name="Claude", kind="anthropic", order=10)
    change = reverse("admin:providers_providerconfig_change", args=[config.pk])
    response = admin_client.post(change, change_form(config, **price_rows(input="3", output="15")))
    assert response.status_code == 302
    price = price_at(config)
    assert price.eur_per_million_cached_input is None
    # 1,000 input tokens (400 from the cache) x 3 € + 100 output x 15 € per million
    assert cost_eur(Usage(1_000, 100, cached_tokens=400), price) == Decimal("0.0045")


@pytest.mark.django_db
def test_it_warns_admins_of_a_paid_provider_with_no_price_in_force(admin_client):
    ProviderConfig.objects.create(name="Documents", kind="offline", order=30)
    ProviderConfig.objects.create(name="Claude", kind="anthropic", order=10)
    html = admin_client.get(CHANGELIST).content.decode()
    assert html.count("No price in force: its answers cost 0 €.") == 1
    assert "No price in force for Claude: their answers are counted at 0 €" in html


@pytest.mark.security
@pytest.mark.django_db
def test_it_keeps_a_key_for_the_address_saved_with_it_and_drops_it_when_the_address_moves():
    config = ProviderConfig(name="Albert", kind="openai_compatible", model="albert-large")
    config.set_api_key(SECRET)  # as a form may do before it sets the address
    config.base_url = "https://albert.api.etalab.gouv.fr/v1"
    config.save()
    config.refresh_from_db()
    assert config.resolve_key() == (SECRET, "the key stored in the provider settings")
    config.base_url = "https://elsewhere.example/v1"
    config.save()
    assert config.key_cleared and not config.has_stored_key
    assert config.resolve_key() == (None, "no key")


@pytest.mark.security
@pytest.mark.django_db
def test_it_sends_a_key_from_the_environment_only_to_the_address_the_server_gives(monkeypatch):
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    monkeypatch.setenv("VLLM_API_KEY", "sk-env")
    config = ProviderConfig(
        name="Mairie",
        kind="openai_compatible",
        base_url="http://10.0.0.5:8000/v1",  # the town's own server: an address like any other
        api_key_env="VLLM_API_KEY",
    )
    with pytest.raises(ValidationError) as refused:
        config.full_clean()
    assert "VLLM_BASE_URL" in str(refused.value.message_dict[NON_FIELD_ERRORS])
    assert config.resolve_key()[0] is None
    monkeypatch.setenv("VLLM_BASE_URL", "http://10.0.0.5:8000/v1/")
    config.full_clean()
    assert config.resolve_key() == ("sk-env", "the environment variable VLLM_API_KEY")


@pytest.mark.security
@pytest.mark.django_db
def test_it_sends_a_preset_s_key_from_the_environment_to_the_preset_s_own_address(monkeypatch):
    monkeypatch.setenv("ALBERT_API_KEY", "sk-albert")
    albert = ProviderConfig(
        name="Albert",
        kind="openai_compatible",
        base_url="https://albert.api.etalab.gouv.fr/v1",
        api_key_env="ALBERT_API_KEY",
    )
    albert.full_clean()
    assert albert.resolve_key()[0] == "sk-albert"
    albert.base_url = "https://albert.example.net/v1"
    assert albert.resolve_key()[0] is None


@pytest.mark.security
@pytest.mark.django_db
def test_it_tells_the_fournisseurs_page_that_a_moved_address_lost_its_key(admin_client):
    config = ProviderConfig(
        name="Mairie", kind="openai_compatible", model="m", base_url="http://10.0.0.5/v1"
    )
    config.set_api_key(SECRET)
    config.save()
    data = {
        "name": "Mairie",
        "base_url": "https://elsewhere.example/v1",
        "model_choice": "__other__",
        "model_other": "m",
        "eur_input": "0",
        "eur_output": "0",
    }
    response = admin_client.post(f"/providers/{config.pk}/edit/", data, follow=True)
    assert "its stored key was deleted" in response.content.decode()
    config.refresh_from_db()
    assert not config.has_stored_key
