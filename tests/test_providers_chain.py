"""Fallback chain, offline provider, registry and prices."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.utils import timezone

from providers import registry
from providers.base import ChatRequest, Message, Usage
from providers.chain import stream_answer
from providers.errors import INTERRUPTED
from providers.messages import AnswerUnit, Extraction
from providers.models import Price, ProviderConfig
from providers.offline import OfflineProvider, answer_part
from providers.pricing import cost_eur, price_at
from tests.support.fakellm import FakeServer, Script
from tests.support.providers import collect, provider_for

TIMEOUT = 0.3


def ask(**kwargs) -> ChatRequest:
    kwargs.setdefault("system", "Tu es l'assistant de la mairie.")
    kwargs.setdefault("messages", [Message("user", "Quand passe le ramassage des déchets verts ?")])
    kwargs.setdefault("max_output_tokens", 800)
    return ChatRequest(**kwargs)


PASSAGE = {
    "title": "Guide des déchets 2025",
    "heading": "Déchets verts",
    "page": 4,
    "text": "Les déchets verts sont ramassés le mardi matin d'avril à octobre.",
    "url": "/documents/3.pdf#page=4",
}


def extraction(covered=True) -> Extraction:
    """What knowledge.extractive hands the offline provider for a question on green waste."""
    units = [
        AnswerUnit("Le brûlage des déchets verts est interdit toute l'année.", 1),
        AnswerUnit("12 h, salle Océane.", 1, lead="Jeudi 10 décembre - Repas des aînés"),
        AnswerUnit("lundi : 9 h - 12 h ;", 2, "item", "Horaires d'hiver :", 7),
        AnswerUnit("fermée le jeudi.", 2, "item", "Horaires d'hiver :", 7),
        AnswerUnit("Inscription au CCAS.", 1, lead="Jeudi 10 décembre - Repas des aînés"),
    ]
    sources = [(1, "Guide des déchets — Déchets verts", None), (2, "Magazine municipal", 12)]
    return Extraction(units if covered else [], 0.4 if covered else 0.1, covered, sources)


@pytest.mark.parametrize(
    ("first_fault", "second_fault"),
    [
        (Script(status=401), Script(status=500)),
        (Script(status=429, retry_after="3"), Script(fault="read_timeout", fault_after=0)),
        (Script(fault="malformed", fault_after=0), Script(status=503)),
    ],
    ids=["401-then-500", "429-then-timeout", "malformed-then-503"],
)
async def test_it_falls_back_in_order_then_to_offline_before_the_first_chunk(
    first_fault, second_fault, caplog
):
    caplog.set_level(logging.WARNING, logger="providers")
    with FakeServer("openai", first_fault) as one, FakeServer("anthropic", second_fault) as two:
        chain = [
            provider_for("openai", one.base_url, name="vendor-a", timeout=TIMEOUT),
            provider_for("anthropic", two.base_url, name="vendor-b", timeout=TIMEOUT),
            OfflineProvider(),
        ]
        answer = stream_answer(ask(passages=[PASSAGE], extract=extraction), chain)
        chunks, error = await collect(answer)
    assert error is None
    assert answer.provider is chain[2]
    assert "Le brûlage des déchets verts est interdit" in "".join(chunks)
    assert [f.provider.name for f in answer.failures] == ["vendor-a", "vendor-b"]
    assert len(one.requests) == len(two.requests) == 1
    assert answer.usage.estimated and answer.usage.output_tokens > 0
    logged = caplog.text
    assert "vendor-a failed, falling back" in logged and "vendor-b failed" in logged
    assert answer.failures[0].error.detail in logged


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "mistral"])
async def test_it_uses_the_next_provider_when_the_active_one_fails(protocol):
    with FakeServer(protocol, Script(status=500)) as bad, FakeServer("mistral") as good:
        chain = [
            provider_for(protocol, bad.base_url, name="active"),
            provider_for("mistral", good.base_url, name="backup"),
            OfflineProvider(),
        ]
        answer = stream_answer(ask(), chain)
        chunks, error = await collect(answer)
    assert error is None and answer.provider.name == "backup"
    assert "".join(chunks) == Script().text
    assert answer.usage == Usage(120, 18, 0, estimated=False)


@pytest.mark.parametrize("protocol", ["openai", "anthropic", "mistral"])
async def test_it_never_falls_back_after_the_first_chunk(protocol):
    script = Script(fault="cut", fault_after=3)
    with FakeServer(protocol, script) as cut, FakeServer("openai") as backup:
        chain = [
            provider_for(protocol, cut.base_url, name="active"),
            provider_for("openai", backup.base_url, name="backup"),
            OfflineProvider(),
        ]
        answer = stream_answer(ask(), chain)
        chunks, error = await collect(answer)
    assert chunks == script.pieces()[:3]
    assert answer.provider.name == "active"
    assert answer.error is error and error.user_message == INTERRUPTED
    assert backup.requests == []
    assert answer.usage.output_tokens < script.output_tokens and answer.usage.estimated


PHOTO = b"\x89PNG\r\n\x1a\n" + b"0" * 16


async def test_it_sends_the_photo_only_to_the_providers_that_can_read_it():
    with FakeServer("anthropic", Script(status=500)) as claude, FakeServer("mistral") as mistral:
        chain = [
            provider_for("anthropic", claude.base_url, name="claude"),  # reads images
            provider_for("mistral", mistral.base_url, name="mistral"),  # by default, does not
            OfflineProvider(),
        ]
        answer = stream_answer(ask(images=[PHOTO]), chain)
        chunks, error = await collect(answer)
    assert error is None and answer.provider.name == "mistral"
    assert "".join(chunks) == Script().text
    assert "image/png" in str(claude.requests[0]["json"])
    sent = mistral.requests[0]["json"]
    assert "image/png" not in str(sent)
    question = ask().messages[-1].content
    note = "[L'habitant a joint une photo que tu ne peux pas voir.]"
    assert sent["messages"][-1]["content"] == f"{question}\n\n{note}"


@pytest.mark.parametrize(
    ("protocol", "script", "billed"),
    [
        ("openai", Script(status=500), Usage(0, 0, estimated=True)),
        ("anthropic", Script(status=429), Usage(0, 0, estimated=True)),
        # Accepted, then nothing: the vendor may bill the input (estimated when unreported).
        ("openai", Script(fault="read_timeout", fault_after=0), "estimate"),
        ("anthropic", Script(fault="cut", fault_after=0), Usage(120, 0, estimated=True)),
        # Accepted and finished with no text (a reasoning model out of tokens): billed exactly.
        ("mistral", Script(text=""), Usage(120, 18)),
    ],
    ids=["500", "429", "stalled", "cut", "empty"],
)
async def test_it_keeps_what_a_failed_provider_may_bill_on_its_failure(protocol, script, billed):
    if billed == "estimate":
        billed = Usage(ask().input_tokens_estimate(), 0, estimated=True)
    backup_script = Script(input_tokens=300, output_tokens=40)
    with FakeServer(protocol, script) as bad, FakeServer("openai", backup_script) as backup:
        chain = [
            provider_for(protocol, bad.base_url, name="active", timeout=TIMEOUT),
            provider_for("openai", backup.base_url, name="backup"),
        ]
        answer = stream_answer(ask(), chain)
        chunks, error = await collect(answer)
    assert error is None and answer.provider.name == "backup"
    [failure] = answer.failures
    assert failure.provider.name == "active" and failure.usage == billed
    assert answer.usage == Usage(300, 40)


async def test_it_skips_to_offline_when_the_request_itself_is_refused():
    with FakeServer("anthropic", Script(status=400)) as bad, FakeServer("openai") as other:
        chain = [
            provider_for("anthropic", bad.base_url, name="claude"),
            provider_for("openai", other.base_url, name="gpt"),
            OfflineProvider(),
        ]
        answer = stream_answer(ask(), chain)
        chunks, error = await collect(answer)
    assert error is None and answer.provider.kind == "offline"
    assert other.requests == []


async def test_it_stops_the_provider_stream_when_the_reader_goes_away():
    script = Script(delay=0.01)
    with FakeServer("openai", script) as server:
        answer = stream_answer(ask(), [provider_for("openai", server.base_url), OfflineProvider()])
        first = await answer.__anext__()
        await answer.aclose()
    assert first == script.pieces()[0]
    assert answer.usage.output_tokens >= 1 and answer.usage.estimated


def answer_of(request):
    return async_to_sync(collect)(stream_answer(request))


@pytest.mark.django_db
def test_it_answers_with_the_documents_sentences_then_the_sources_to_read_more(settings):
    request = ask(passages=[PASSAGE], extract=extraction)
    stream = stream_answer(request, [OfflineProvider()])
    chunks, error = async_to_sync(collect)(stream)
    text = "".join(chunks)
    assert error is None and stream.provider.kind == "offline" and len(chunks) > 5
    answer, more = text.split("\n\nPour en savoir plus :\n")
    assert answer.split("\n\n") == [
        "Le brûlage des déchets verts est interdit toute l'année. [1]",
        "Jeudi 10 décembre - Repas des aînés : 12 h, salle Océane. Inscription au CCAS. [1]",
        "Horaires d'hiver :\n• lundi : 9 h - 12 h ;\n• fermée le jeudi. [2]",
    ]  # the sentences of one event under its heading, said once, though a list came between
    assert more == "[1] Guide des déchets — Déchets verts\n[2] Magazine municipal, page 12"
    assert answer_part(text) == answer
    assert stream.usage.estimated and stream.usage.input_tokens > 0
    assert cost_eur(stream.usage, price_at(None)) == 0


@pytest.mark.django_db
def test_it_says_plainly_that_the_documents_do_not_cover_it_and_gives_the_contact(settings):
    settings.TOWN_CONTACT = "Town hall, 05 00 00 10 00"
    for request in (ask(language="en"), ask(language="en", extract=lambda: extraction(False))):
        text = "".join(answer_of(request)[0])
        assert text == (
            "The town hall's documents do not cover this question, so I cannot answer it. "
            "To find out more, contact the town hall: Town hall, 05 00 00 10 00."
        )
        assert answer_part(text) == text
    text = "".join(answer_of(ask(language="en", extract=extraction))[0])
    assert "\n\nTo read more:\n[1] Guide des déchets" in text


@pytest.mark.django_db
def test_it_gives_the_contact_the_request_carries_else_the_setting(settings):
    settings.TOWN_CONTACT = "Mairie de Port-Lumière, 05 00 00 10 00"
    assert "contactez la mairie : Mairie de Port-Lumière, 05 00 00 10 00." in "".join(
        answer_of(ask())[0]
    )
    edited = "Accueil de l'Hôtel de ville, 05 00 00 10 00, mairie@port-lumiere.example"
    text = "".join(answer_of(ask(contact=edited, extract=lambda: extraction(False)))[0])
    assert f"contactez la mairie : {edited}." in text
    assert "Mairie de Port-Lumière" not in text and "[" not in text


def test_it_defaults_to_the_demo_town_halls_own_contact():
    page = django_settings.BASE_DIR / "demo" / "documents" / "mairie-horaires-contacts.md"
    town, phone = django_settings.TOWN_CONTACT.rsplit(", ", 1)
    assert town == "Mairie de Port-Lumière"
    assert f"Téléphone de l'accueil : {phone}." in page.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_it_builds_the_chain_from_enabled_configs_in_order_then_offline(monkeypatch):
    monkeypatch.setenv("TEST_MISTRAL_KEY", "sk-env")
    ProviderConfig.objects.create(name="Claude", kind="anthropic", order=20)
    ProviderConfig.objects.create(name="Off", kind="openai", order=5, enabled=False)
    ProviderConfig.objects.create(
        name="Mistral", kind="mistral", order=10, api_key_env="TEST_MISTRAL_KEY"
    )
    chain = registry.configured_chain()
    assert [(p.name, p.kind) for p in chain] == [
        ("Mistral", "mistral"),
        ("Claude", "anthropic"),
        ("offline", "offline"),
    ]
    assert chain[0].api_key == "sk-env" and chain[0].model == "mistral-small-latest"
    assert chain[0].capabilities == {"images": False, "prompt_caching": False}
    ProviderConfig.objects.filter(name="Mistral").update(enabled=False)
    assert registry.active_provider().capabilities == {"images": True, "prompt_caching": True}
    ProviderConfig.objects.filter(name="Claude").update(supports_images=False)
    assert registry.active_provider().capabilities["images"] is False


@pytest.mark.django_db
def test_it_tells_admins_which_variable_to_set_and_still_answers(caplog):
    ProviderConfig.objects.create(name="GPT", kind="openai", api_key_env="ARCA_UNSET_KEY_42")
    stream = stream_answer(ask())
    chunks, error = async_to_sync(collect)(stream)
    assert error is None and chunks and stream.provider.kind == "offline"
    assert "no key: set ARCA_UNSET_KEY_42" in stream.failures[0].error.detail
    assert "no key: set ARCA_UNSET_KEY_42" in caplog.text


@pytest.mark.django_db
def test_it_prices_by_the_version_in_force():
    config = ProviderConfig.objects.create(name="Mistral", kind="mistral")
    now = timezone.now()
    Price.objects.create(
        provider=config,
        effective_from=now - timedelta(days=60),
        eur_per_million_input=Decimal("1.00"),
        eur_per_million_output=Decimal("3.00"),
        eur_per_million_cached_input=Decimal("0.10"),
    )
    Price.objects.create(
        provider=config, effective_from=now - timedelta(days=1), eur_per_million_input=2
    )
    old = price_at(config, now - timedelta(days=30))
    assert old.eur_per_million_output == Decimal("3.00")
    assert price_at(config).eur_per_million_input == 2
    assert price_at(config, now - timedelta(days=90)).eur_per_million_input == 0
    usage = Usage(input_tokens=1_000_000, output_tokens=500_000, cached_tokens=400_000)
    assert cost_eur(usage, old) == Decimal("0.6") + Decimal("0.04") + Decimal("1.5")
