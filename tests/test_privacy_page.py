"""The privacy page, the record and the notice follow the live setup: a provider outside the
EU is flagged everywhere (guard 2), a retention setting changed shows at once (guard 3), and
the town's own entries go into the documents."""

import io
import logging

import docx
import pytest
from django.test import Client, override_settings
from pypdf import PdfReader

from accesscodes.models import AuditEntry
from privacy.models import ProviderLocation
from privacy.tables import TABLES
from providers.models import Kind, ProviderConfig

pytestmark = pytest.mark.django_db
OUTSIDE = "hors de l'Union européenne"


@pytest.fixture
def admin_client(client, adele):
    client.force_login(adele)
    return client


def page_text(client) -> str:
    response = client.get("/privacy/staff/")
    assert response.status_code == 200
    return response.content.decode()


def docx_text(client) -> str:
    response = client.get("/privacy/staff/record.docx")
    assert response["Content-Disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(client, path="/privacy/staff/record.pdf") -> str:
    response = client.get(path)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def notice_text() -> str:
    return Client().get("/privacy/").content.decode()


def use_only(name, kind, **fields):
    ProviderConfig.objects.update(enabled=False)
    return ProviderConfig.objects.create(name=name, kind=kind, order=1, **fields)


def test_it_warns_everywhere_once_a_provider_outside_the_eu_is_chosen(admin_client):
    use_only("Mistral", Kind.MISTRAL)
    assert OUTSIDE not in page_text(admin_client)
    assert "Mistral AI, qui les traite en France" in notice_text()
    assert ">Vie privée</a>" in admin_client.get("/spend/").content.decode()

    use_only("GPT", Kind.OPENAI)
    page = page_text(admin_client)
    assert "Le fournisseur actif « GPT » traite les questions aux États-Unis" in page
    assert ">Vie privée (⚠ hors UE)</a>" in admin_client.get("/spend/").content.decode()
    notice = notice_text()
    assert "OpenAI, qui les traite aux États-Unis. C&#x27;est hors de l&#x27;Union" in notice
    assert "C'est hors de l'Union européenne" in pdf_text(Client(), "/privacy/notice.pdf")
    assert "États-Unis" in docx_text(admin_client).split("Transferts des données hors UE")[1]


def test_it_flags_a_fallback_outside_the_eu_too(admin_client):
    use_only("Mistral", Kind.MISTRAL)
    ProviderConfig.objects.create(name="Claude", kind=Kind.ANTHROPIC, order=2)
    assert "Le fournisseur de secours « Claude »" in page_text(admin_client)
    assert "Anthropic prend le relais, aux États-Unis" in notice_text()


def test_it_asks_where_an_openai_compatible_server_runs_and_uses_the_answer(admin_client):
    server = use_only("Serveur loué", Kind.OPENAI_COMPATIBLE, base_url="https://llm.example.org/v1")
    page = page_text(admin_client)
    assert "dans un lieu non déclaré, hors de l&#x27;Union" in page
    assert "à déclarer ci-dessous" in page

    response = admin_client.post("/privacy/staff/place", {"provider": server.pk, "place": "DE"})
    assert response.status_code == 302
    assert ProviderLocation.objects.get(provider=server).place == "DE"
    assert OUTSIDE not in page_text(admin_client)
    assert "Serveur loué, qui les traite en Allemagne" in notice_text()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SETTINGS)
    assert entry.actor_name == "adele" and "Serveur loué: DE" in entry.detail


@pytest.mark.parametrize(
    "base_url, place",
    [
        ("http://127.0.0.1:8001/v1", "sur le serveur de la mairie"),
        ("http://10.0.0.7:8000/v1", "sur le serveur de la mairie"),
        ("https://albert.api.etalab.gouv.fr/v1", "en France"),
    ],
)
def test_it_knows_local_servers_and_albert_without_asking(admin_client, base_url, place):
    use_only("Local", Kind.OPENAI_COMPATIBLE, base_url=base_url)
    assert OUTSIDE not in page_text(admin_client)
    if place.startswith("sur"):
        assert "Vos questions restent sur le serveur de la mairie" in notice_text()
    else:
        assert f"Local, qui les traite {place}" in notice_text()


def test_it_refuses_to_place_a_provider_whose_place_is_fixed_by_its_kind(admin_client):
    openai = use_only("GPT", Kind.OPENAI)
    admin_client.post("/privacy/staff/place", {"provider": openai.pk, "place": "FR"})
    assert not ProviderLocation.objects.exists()
    assert "Le fournisseur actif « GPT » traite les questions aux États-Unis" in page_text(
        admin_client
    )


def test_it_shows_a_changed_retention_at_once_on_the_page_and_in_the_documents(admin_client):
    assert "31 jours" in page_text(admin_client)
    with override_settings(SHARING_KEEP_DAYS=9, SESSION_COOKIE_AGE=3 * 86400):
        page = page_text(admin_client)
        assert "9 jours" in page and "3 jours au plus" in page and "31 jours" not in page
        assert "9 jours" in docx_text(admin_client)
        assert "9 jours" in pdf_text(admin_client)
        assert "elle garde 9 jours une trace brouillée" in notice_text()
        assert "cookie de connexion 3 jours au plus" in notice_text()


def test_it_flags_a_retention_no_scheduled_task_applies(admin_client, settings):
    assert "Traces d&#x27;appareils (empreintes salées) : aucune tâche" not in page_text(
        admin_client
    )
    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    del schedule["forget-old-salts"]
    with override_settings(CELERY_BEAT_SCHEDULE=schedule):
        page = page_text(admin_client)
        record = docx_text(admin_client)
    assert "Traces d&#x27;appareils (empreintes salées) : aucune tâche planifiée" in page
    assert "31 jours (aucune tâche planifiée ne l'applique)" in record


def test_it_puts_the_towns_entries_into_the_record(admin_client):
    assert "Le délégué à la protection des données n&#x27;est pas renseigné" in page_text(
        admin_client
    )
    form = {
        "controller": "Mairie de Port-Lumière, 1 place du Cœur, représentée par son maire",
        "dpo": "Mme Irène Lefèvre, dpo@port-lumiere.fr",
        "legal_basis": "consent",
        "basis_detail": "Délibération n° 2026-42",
        "transfer_safeguards": "Clauses contractuelles types",
    }
    assert admin_client.post("/privacy/staff/record", form).status_code == 302
    use_only("GPT", Kind.OPENAI)
    for text in (docx_text(admin_client), pdf_text(admin_client)):
        assert "1 place du Cœur" in text
        assert "Mme Irène Lefèvre" in text
        assert "Consentement (RGPD, art. 6-1-a). Délibération n° 2026-42" in text
        assert "Clauses contractuelles types" in text
        assert "GPT (OpenAI)" in text.split("Transferts des données hors UE")[1]
    assert "Le délégué à la protection des données n&#x27;est pas renseigné" not in page_text(
        admin_client
    )
    assert "Mme Irène Lefèvre" in notice_text()


def test_it_follows_the_cnil_record_headings_in_order(admin_client):
    text = pdf_text(admin_client)
    headings = [
        "Acteurs",
        "Responsable du traitement",
        "Délégué à la protection des données",
        "Finalité(s) du traitement effectué",
        "Catégories de personnes concernées",
        "Catégories de données personnelles concernées",
        "Destinataires",
        "Transferts des données hors UE",
        "Durées de conservation",
        "Mesures de sécurité",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)


def test_it_keeps_the_notice_on_one_page_even_with_long_entries(admin_client):
    admin_client.post(
        "/privacy/staff/record",
        {"legal_basis": "public_task", "dpo": "Centre de gestion, service RGPD. " * 12},
    )
    use_only("GPT", Kind.OPENAI)
    ProviderConfig.objects.create(name="Claude", kind=Kind.ANTHROPIC, order=2)
    response = Client().get("/privacy/notice.pdf")
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_it_warns_when_the_web_server_writes_ip_addresses(admin_client, monkeypatch):
    access_log = logging.getLogger("uvicorn.access")
    assert "--no-access-log" not in page_text(admin_client)
    monkeypatch.setattr(access_log, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(access_log, "level", logging.INFO)
    assert "--no-access-log" in page_text(admin_client)


def test_it_describes_every_table_on_the_page(admin_client):
    page = page_text(admin_client)
    for table in TABLES.values():
        assert f"<code>{table.model}</code>" in page
        for field in table.fields.values():
            escaped = field.text.replace("'", "&#x27;")
            assert escaped[:1].upper() + escaped[1:] in page, (table.model, field.text)


def test_it_links_the_notice_from_the_landing_page():
    assert 'href="/privacy/"' in Client().get("/").content.decode()
