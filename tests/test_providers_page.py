"""The Fournisseurs page: cards (the built-in offline one too), use, order, test, add, health,
the staff banner and the admins' e-mail when answers fall back."""

from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.core import mail

from providers import health, presets
from providers.chain import stream_answer
from providers.models import Kind, Price, ProviderConfig
from providers.probe import PROBE_REQUEST
from providers.registry import configured_chain
from tests.support.fakellm import FakeServer
from tests.support.sockets import free_port_url

pytestmark = pytest.mark.django_db


def chain_names() -> list[str]:
    return [provider.name for provider in configured_chain()]


def unreachable(name="Serveur éteint", order=1):
    return ProviderConfig.objects.create(
        name=name, kind=Kind.OPENAI_COMPATIBLE, model="m", base_url=free_port_url(), order=order
    )


async def _drain(request):
    stream = stream_answer(request)
    return "".join([chunk async for chunk in stream]), stream


def one_answer():
    """One answer through the chain read from the database, as the chat runs it (the ORM
    calls come back to this thread, where the test database is)."""
    return async_to_sync(_drain)(PROBE_REQUEST)


def test_it_shows_the_built_in_offline_provider_when_no_provider_is_set(client, adele):
    client.force_login(adele)
    page = client.get("/providers/").content.decode()
    assert "Hors ligne (documents de la ville)" in page
    assert "Répond aux habitants" in page
    assert ProviderConfig.objects.count() == 0  # looking creates nothing


def test_it_is_for_admins_only(client, marius, corinne):
    for persona in (marius, corinne):
        client.force_login(persona)
        assert client.get("/providers/").status_code == 403
    client.logout()
    assert client.get("/providers/").status_code == 302


def test_it_makes_a_provider_active_in_one_post(client, adele):
    first = ProviderConfig.objects.create(name="Claude", kind=Kind.ANTHROPIC, order=10)
    mistral = ProviderConfig.objects.create(
        name="Mistral", kind=Kind.MISTRAL, order=20, enabled=False
    )
    client.force_login(adele)
    response = client.post(f"/providers/{mistral.pk}/use/")
    assert response.status_code == 302
    assert chain_names()[:2] == ["Mistral", "Claude"]
    assert ProviderConfig.objects.get(pk=mistral.pk).enabled
    assert first.name in client.get("/providers/").content.decode()


def test_it_makes_the_built_in_offline_provider_active(client, adele):
    ProviderConfig.objects.create(name="Claude", kind=Kind.ANTHROPIC, order=10)
    client.force_login(adele)
    client.post("/providers/builtin/use/")
    assert configured_chain()[0].kind == Kind.OFFLINE
    assert len(configured_chain()) == 1  # the offline one first switches generation off


def test_it_moves_providers_with_the_arrows_and_by_drag(client, adele):
    a, b, c = (
        ProviderConfig.objects.create(name=n, kind=Kind.MISTRAL, order=o)
        for n, o in (("A", 10), ("B", 20), ("C", 30))
    )
    client.force_login(adele)
    client.post(f"/providers/{c.pk}/move/", {"direction": "up"})
    assert chain_names()[:3] == ["A", "C", "B"]
    client.post(f"/providers/{a.pk}/move/", {"direction": "down"})
    assert chain_names()[:3] == ["C", "A", "B"]
    response = client.post("/providers/order/", {"ids": f"{b.pk},{a.pk},{c.pk}"})
    assert response.json()["chain"][:3] == ["B", "A", "C"]


def test_it_tests_a_provider_and_shows_latency_answer_and_price(client, adele):
    with FakeServer("openai") as server:
        server.script.text = "OK"
        config = ProviderConfig.objects.create(
            name="Albert", kind=Kind.OPENAI_COMPATIBLE, model="m", base_url=server.base_url
        )
        Price.objects.create(
            provider=config,
            effective_from="2020-01-01T00:00Z",
            eur_per_million_input=Decimal("1000"),
            eur_per_million_output=Decimal("2000"),
        )
        client.force_login(adele)
        response = client.post(f"/providers/{config.pk}/test/", follow=True)
    page = response.content.decode()
    assert "Test réussi." in page and "ms." in page
    assert "<q>OK</q>" in page
    cost = (120 * 1000 + 18 * 2000) / 1_000_000  # the fake's usage at that price
    assert f"{cost:.6f}".replace(".", ",").rstrip("0") in page
    assert health.health_of(["Albert"])["Albert"].last_success is not None


def test_it_shows_a_failed_test_in_plain_words(client, adele):
    config = unreachable()
    client.force_login(adele)
    page = client.post(f"/providers/{config.pk}/test/", follow=True).content.decode()
    assert "Échec du test" in page
    assert "l&#x27;adresse est injoignable" in page


def test_it_shows_an_unreachable_provider_failing_after_one_answer(client, adele):
    unreachable()
    text, stream = one_answer()
    assert stream.provider.kind == Kind.OFFLINE and text  # the resident still got an answer
    client.force_login(adele)
    page = client.get("/providers/").content.decode()
    assert "En échec" in page
    assert "l&#x27;adresse est injoignable" in page
    assert "1 réponse est passée au fournisseur suivant" in page


def test_it_notes_a_success_after_a_failure(client, adele):
    with FakeServer("openai") as server:
        config = unreachable()
        one_answer()
        assert health.health_of([config.name])[config.name].failing
        config.base_url = server.base_url
        config.save()
        one_answer()
    assert not health.health_of([config.name])[config.name].failing


def test_it_warns_every_staff_page_and_mails_admins_once_an_hour(
    client, adele, marius, eager_celery
):
    adele.email = "adele@mairie.example"
    adele.save()
    unreachable()
    one_answer()
    one_answer()
    assert len(mail.outbox) == 1  # throttled: one message for the hour
    assert "Serveur éteint" in mail.outbox[0].body
    assert mail.outbox[0].to == ["adele@mairie.example"]
    client.force_login(marius)
    page = client.get("/comms/").content.decode()
    assert "Les réponses passent par le secours" in page
    assert "/providers/" not in page.split('class="staff-banner"')[1].split("</div>")[0]
    client.force_login(adele)
    banner = client.get("/spend/").content.decode().split('class="staff-banner"')[1]
    assert 'href="/providers/"' in banner.split("</div>")[0]


def test_it_shows_no_banner_when_answers_do_not_fall_back(client, adele):
    client.force_login(adele)
    assert "staff-banner" not in client.get("/spend/").content.decode()


def test_it_adds_a_provider_with_only_its_fields_and_the_preset_price(client, adele):
    client.force_login(adele)
    page = client.get("/providers/add/").content.decode()
    for choice in presets.CHOICES:
        assert f"/providers/add/{choice.key}/" in page
    form = client.get("/providers/add/mistral/").content.decode()
    assert 'name="base_url"' not in form  # Mistral's public API: no address to type
    assert 'name="api_key"' in form
    small = presets.preset_for(presets.BY_KEY["mistral"], "mistral-small-latest")
    response = client.post(
        "/providers/add/mistral/",
        {
            "name": "Mistral",
            "model_choice": "mistral-small-latest",
            "api_key": "sk-test",
            "eur_input": str(small.eur_input),
            "eur_output": str(small.eur_output),
        },
    )
    assert response.status_code == 302
    config = ProviderConfig.objects.get(name="Mistral")
    assert (config.kind, config.model, config.has_stored_key) == (
        Kind.MISTRAL,
        "mistral-small-latest",
        True,
    )
    price = config.prices.get()
    assert price.eur_per_million_input == small.eur_input
    assert small.eur_input == (small.usd_input * presets.USD_TO_EUR).quantize(Decimal("0.0001"))


def test_it_asks_an_address_for_an_openai_compatible_server(client, adele):
    client.force_login(adele)
    response = client.post(
        "/providers/add/local/",
        {"name": "Ollama", "model_choice": "__other__", "model_other": "", "base_url": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Écrivez le nom du modèle" in page
    assert ProviderConfig.objects.count() == 0


def test_it_validates_through_the_model(client, adele, monkeypatch):
    """The form runs the model's full_clean: a rule of the model refuses the save."""
    from django.core.exceptions import ValidationError

    def refuse(self):
        raise ValidationError({"name": "refused by the model"})

    monkeypatch.setattr(ProviderConfig, "clean", refuse)
    client.force_login(adele)
    response = client.post(
        "/providers/add/openai/",
        {"name": "OpenAI", "model_choice": "gpt-4o-mini", "eur_input": "1", "eur_output": "2"},
    )
    assert response.status_code == 200 and "refused by the model" in response.content.decode()
    assert not ProviderConfig.objects.exists()


def test_it_edits_a_provider_and_keeps_one_price_version_when_unchanged(client, adele):
    client.force_login(adele)
    data = {"name": "OpenAI", "model_choice": "gpt-4o-mini", "eur_input": "1", "eur_output": "2"}
    client.post("/providers/add/openai/", data)
    config = ProviderConfig.objects.get()
    client.post(f"/providers/{config.pk}/edit/", {**data, "name": "OpenAI mairie"})
    client.post(f"/providers/{config.pk}/edit/", {**data, "eur_output": "3"})
    config.refresh_from_db()
    assert config.prices.count() == 2
    assert config.key_env == "OPENAI_API_KEY"
