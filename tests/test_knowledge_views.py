"""Comms pages: access by role, multi-file upload with clear refusals, status JSON, prompt
editor history, playground, chunk preview, retire/delete, and the public document file."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Document, PromptTemplate
from tests.support.documents import add_document, make_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PAGES = ["/comms/", "/comms/upload/", "/comms/prompt/", "/comms/playground/"]


def _form(**extra):
    data = {"kind": "magazine", "published_on": "2026-11-01", "title": ""}
    data.update(extra)
    return data


@pytest.mark.security
@pytest.mark.parametrize("url", PAGES)
def test_it_sends_anonymous_visitors_to_the_staff_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


@pytest.mark.security
@pytest.mark.parametrize("url", PAGES)
def test_it_refuses_counter_staff(client, corinne, url):
    client.force_login(corinne)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["marius", "adele"])
def test_it_opens_comms_pages_to_comms_and_admins(client, request, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 200


@pytest.mark.security
def test_it_uploads_several_files_and_refuses_bad_ones_clearly(
    client, marius, settings, django_capture_on_commit_callbacks, eager_celery
):
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    client.force_login(marius)
    files = [
        SimpleUploadedFile("mag.pdf", make_pdf(["Le port en fete.", "Agenda du mois."])),
        SimpleUploadedFile("faq.md", b"# Mairie\nOuverte le lundi."),
        SimpleUploadedFile("photo.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>"),
        SimpleUploadedFile("huge.txt", b"a" * (1024 * 1024 + 10)),
        SimpleUploadedFile("vide.txt", b""),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comms/upload/", _form(files=files, title="Novembre"), follow=True)
    text = response.content.decode()
    assert Document.objects.filter(status="ready").count() == 2
    assert set(Document.objects.values_list("title", flat=True)) == {  # read from each file
        "Novembre – Le port en fete.",
        "Novembre – Mairie",
    }
    assert Document.objects.get(original_name="mag.pdf").progress_total == 2
    assert Document.objects.get(original_name="mag.pdf").uploaded_by == marius
    assert "not supported" in text and "is not really a PDF" in text
    assert "the limit is 1 MB" in text and "“vide.txt” is empty" in text


def test_it_detects_a_duplicate_upload_by_content(
    client, marius, django_capture_on_commit_callbacks, eager_celery
):
    client.force_login(marius)
    data = "# Cimetière\nOuvert de 8 h à 18 h.".encode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/comms/upload/", _form(files=[SimpleUploadedFile("a.md", data)], title="Cimetière")
        )
    assert Document.objects.get().status == Document.Status.READY
    response = client.post(
        "/comms/upload/", _form(files=[SimpleUploadedFile("copie.md", data)]), follow=True
    )
    assert Document.objects.count() == 1
    assert "is already online as “Cimetière”" in response.content.decode()
    assert "Add documents" in response.content.decode()  # the form is shown again


def test_it_asks_for_a_file_or_an_address(client, marius):
    client.force_login(marius)
    response = client.post("/comms/upload/", _form())
    assert "at least one file" in response.content.decode()


def test_it_reports_progress_as_json(client, marius):
    client.force_login(marius)
    doc = add_document(make_pdf(["a", "b", "c"]), "trois.pdf")
    body = client.get(f"/comms/documents/status.json?ids={doc.pk}").json()
    row = body["documents"][0]
    assert (row["status"], row["done"], row["total"], row["percent"]) == ("ready", 3, 3, 100)


@pytest.mark.security
def test_it_lists_documents_with_the_polling_script_and_no_inline_script(client, marius):
    client.force_login(marius)
    add_document(b"Texte", "note.txt", title="Note")
    html = client.get("/comms/").content.decode()
    assert "Note" in html and "js/knowledge-status.js" in html
    assert "<script>" not in html and "style=" not in html


def test_it_previews_chunks_and_retires_then_deletes(client, marius):
    client.force_login(marius)
    doc = add_document("# Plage\nBaignade surveillée en juillet.".encode(), "plage.md")
    assert "Baignade surveillée" in client.get(f"/comms/documents/{doc.pk}/").content.decode()
    client.post(f"/comms/documents/{doc.pk}/retire/")
    doc.refresh_from_db()
    assert doc.status == "retired" and not doc.chunks.exists()
    client.post(f"/comms/documents/{doc.pk}/delete/")
    assert not Document.objects.filter(pk=doc.pk).exists()


def test_it_saves_prompt_versions_with_author_and_history(client, marius):
    client.force_login(marius)
    client.post("/comms/prompt/", {"text": "Version 1 pour {town}", "contact": "05 00"})
    client.post("/comms/prompt/", {"text": "Version 2 pour {town}", "contact": "05 01"})
    assert PromptTemplate.objects.count() == 2
    active = PromptTemplate.objects.get(is_active=True)
    assert active.text == "Version 2 pour {town}" and active.author == marius
    assert "Version 1 pour" in client.get("/comms/prompt/").content.decode()


def test_it_shows_passages_prompt_tokens_and_cost_in_the_playground(client, adele):
    client.force_login(adele)
    add_document(
        "# Déchets\nLes encombrants sont collectés le premier lundi.".encode(), "dechets.md"
    )
    response = client.post(
        "/comms/playground/", {"question": "Quand passent les encombrants ?", "today": "2026-11-21"}
    )
    html = response.content.decode()
    answer = html.split('id="answer"')[1].split("</div>")[0]
    assert "<p>" in answer  # what the offline provider answers (its wording is its own)
    details = html.split('class="retrieval-details"')[1]
    assert "collectés le premier lundi" in details
    assert "input tokens" in details and "Active provider" in details
    assert "score" not in html and "<document" not in html  # no raw scores, no prompt


def test_it_serves_ready_documents_publicly_with_page_links(client):
    doc = add_document(make_pdf(["Page un"]), "mag.pdf")
    response = client.get(f"/documents/{doc.pk}/file")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.security
def test_it_hides_expired_or_unready_documents_from_the_public(client, marius):
    old = add_document(b"Vieux", "vieux.txt", valid_until=dt.date(2000, 1, 1))
    pending = add_document(b"Pas encore", "pending.txt", ingest=False)
    assert client.get(f"/documents/{old.pk}/file").status_code == 404
    assert client.get(f"/documents/{pending.pk}/file").status_code == 404
    client.force_login(marius)
    assert client.get(f"/documents/{pending.pk}/file").status_code == 200


@pytest.mark.security
def test_it_never_serves_uploaded_html_inline(client):
    doc = add_document(b"<html><body><h1>Page</h1><p>Contenu</p></body></html>", "page.html")
    response = client.get(f"/documents/{doc.pk}/file")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.security
def test_it_serves_pdfs_to_the_browser_viewer_without_a_sandbox(client):
    doc = add_document(make_pdf(["Page un", "Page deux"]), "Magazine d'été 2026.pdf")
    response = client.get(f"/documents/{doc.pk}/file")
    policy = response["Content-Security-Policy"]
    assert "sandbox" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # nothing may run but the browser's own viewer
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=utf-8''Magazine%20d_%C3%A9t%C3%A9%202026.pdf" in disposition


@pytest.mark.security
def test_it_keeps_plain_text_sandboxed_and_html_a_sandboxed_download(client):
    text = add_document(b"Horaires de la mairie.", "horaires.txt")
    page = add_document(b"<html><body><p>Contenu de la page</p></body></html>", "page.html")
    shown, fetched = (
        client.get(f"/documents/{text.pk}/file"),
        client.get(f"/documents/{page.pk}/file"),
    )
    assert shown["Content-Type"] == "text/plain; charset=utf-8"
    assert shown["Content-Disposition"].startswith("inline;")
    assert fetched["Content-Type"] == "application/octet-stream"
    assert fetched["Content-Disposition"] == 'attachment; filename="page.html"'
    for response in (shown, fetched):
        assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.security
def test_it_gives_downloads_a_safe_file_name(client):
    doc = add_document(b"Contenu", 'a"b;\\c\r\nd<script>.txt')
    disposition = client.get(f"/documents/{doc.pk}/file")["Content-Disposition"]
    assert disposition == 'inline; filename="a_b_c_d_script.txt"'
