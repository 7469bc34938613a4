"""Comms pages: title and kind read from the file, retire with a confirmation and restore,
expired documents, prompt restore and the offline note, the playground's answer."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.guess import guess
from knowledge.models import Document, PromptTemplate
from knowledge.prompt import DEFAULT_TEMPLATE, active_template
from tests.support.documents import add_document, make_docx, make_pdf

pytestmark = pytest.mark.django_db

HTML = """<html><head><title>Piscine municipale – horaires</title></head>
<body><h1>La piscine</h1><p>Ouverte tous les jours.</p></body></html>""".encode()


@pytest.mark.parametrize(
    ("name", "data", "title", "kind"),
    [
        ("piscine.html", HTML, "Piscine municipale – horaires", "web_page"),
        ("guide.md", "# Agenda de l'été\nConcerts.".encode(), "Agenda de l'été", "events_guide"),
        ("mag.pdf", make_pdf(["Magazine de mars\nLe port."]), "Magazine de mars", "magazine"),
        (
            "carte.docx",
            make_docx([("h1", "Démarche : carte d'identité"), ("p", "Prendre rendez-vous.")]),
            "Démarche : carte d'identité",
            "procedure",
        ),
        ("notes.txt", b"\n\n", "notes", "other"),
    ],
)
def test_it_guesses_title_and_kind_from_the_file(name, data, title, kind):
    found = guess(name, data)
    assert (found["title"], found["kind"]) == (title, kind)
    assert found["from_file"] == (name != "notes.txt")


def test_it_answers_the_guess_as_json_to_the_upload_form(client, marius):
    client.force_login(marius)
    response = client.post("/comms/upload/guess", {"file": SimpleUploadedFile("p.html", HTML)})
    assert response.json()["title"] == "Piscine municipale – horaires"
    assert response.json()["kind_label"] == "Page web"
    bad = client.post("/comms/upload/guess", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and bad.json()["error"]


def test_it_asks_before_retiring_and_restores_a_retired_document(
    client, marius, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(marius)
    doc = add_document("# Plage\nBaignade surveillée.".encode(), "plage.md", title="Plage")
    confirm = client.get(f"/comms/documents/{doc.pk}/retire/").content.decode()
    assert "Ne plus utiliser « Plage » ?" in confirm
    doc.refresh_from_db()
    assert doc.status == "ready"  # asking changes nothing
    client.post(f"/comms/documents/{doc.pk}/retire/")
    doc.refresh_from_db()
    assert doc.status == "retired"
    listing = client.get("/comms/").content.decode()
    assert f"/comms/documents/{doc.pk}/restore/" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/comms/documents/{doc.pk}/restore/")
    doc.refresh_from_db()
    assert doc.status == "ready" and doc.chunks.exists()


def test_it_shows_an_expired_document_as_expired(client, marius):
    client.force_login(marius)
    add_document(
        b"# Guide\nFete.", "guide.md", title="Guide sept-oct", valid_until=dt.date(2020, 10, 31)
    )
    row = client.get("/comms/").content.decode().split("Guide sept-oct")[1].split("</tr>")[0]
    assert "Expiré" in row and "Prêt" not in row


def test_it_says_the_upload_was_received_without_claiming_a_state(
    client, marius, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(marius)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/comms/upload/",
            {"files": [SimpleUploadedFile("p.html", HTML)], "published_on": "2026-11-01"},
            follow=True,
        )
    page = response.content.decode()
    assert "1 document ajouté. Son état s" in page and "lecture en cours" not in page
    doc = Document.objects.get()
    assert (doc.title, doc.kind) == ("Piscine municipale – horaires", "web_page")


def test_it_restores_an_earlier_prompt_or_the_default(client, marius):
    client.force_login(marius)
    client.post("/comms/prompt/", {"text": "Version 1 pour {town}", "contact": "05 00"})
    client.post("/comms/prompt/", {"text": "Version 2 pour {town}", "contact": "05 01"})
    first = PromptTemplate.objects.get(text="Version 1 pour {town}")
    client.post("/comms/prompt/restore", {"version": first.pk})
    assert active_template().text == "Version 1 pour {town}"
    client.post("/comms/prompt/restore", {"default": "1"})
    assert active_template().text == DEFAULT_TEMPLATE
    assert PromptTemplate.objects.count() == 4  # every text ever used stays in the history


def test_it_says_the_offline_provider_does_not_use_the_prompt(client, marius, fake_llm):
    client.force_login(marius)
    assert 'id="offline-note"' not in client.get("/comms/prompt/").content.decode()
    fake_llm.config.enabled = False
    fake_llm.config.save()
    assert 'id="offline-note"' in client.get("/comms/prompt/").content.decode()


def test_it_shows_the_answer_of_the_active_provider_with_its_sources(client, marius, fake_llm):
    client.force_login(marius)
    add_document("# Déchets\nLes encombrants &gt; lundi.".encode(), "dechets.md", title="Déchets")
    fake_llm.script.text = "Les encombrants passent le lundi [1]."
    page = client.post("/comms/playground/", {"question": "Encombrants ?"}).content.decode()
    answer = page.split('id="answer"')[1].split("</div>")[0]
    assert "Les encombrants passent le lundi [1]." in answer
    assert ">Déchets</a>" in answer
    assert "Réponse de : Fake openai." in page
    assert "&amp;gt;" not in page  # passages decoded for reading
