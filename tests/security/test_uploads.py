"""Hostile uploads: every bad file ends with a plain reason for its sender and nothing served.

Comms uploads go through the real upload page (refused at once, or stored then failed by
ingestion, the reason shown in the document list); residents' chat attachments go through
the real chat endpoint and must never reach the provider. Memory stays bounded on bombs.
"""

import html
import json
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Document
from tests.security import hostile
from tests.security.hostile import MB
from tests.support.documents import add_document, data_url, make_pdf

pytestmark = [
    pytest.mark.security,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]


@pytest.fixture
def comms(client_for, english, settings, eager_celery):
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    settings.KNOWLEDGE_MAX_UNCOMPRESSED_MB = 1
    return client_for("marius")


def upload(client, name: str, data: bytes, capture):
    """POST the file as the upload page does; ingestion runs once the request has committed."""
    form = {"kind": "magazine", "published_on": "2026-11-01", "title": ""}
    with capture(execute=True):
        return client.post("/comms/upload/", {**form, "files": [SimpleUploadedFile(name, data)]})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


REFUSED_AT_ONCE = [
    ("huge.txt", b"a" * (MB + 1), "the limit is 1 MB"),
    ("vide.pdf", b"", "is empty"),
    ("setup.pdf", b"MZ\x90\x00\x03" + b"\0" * 64, "is not really a PDF file"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "is not really a PDF file"),
    ("virus.exe", b"MZ\x90\x00", "this type of file is not supported"),
    ("logo.svg", b"<svg onload='alert(1)'/>", "this type of file is not supported"),
    ("notes.txt", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 64, "is not a text file"),
    ("lettre.docx", b"%PDF-1.4 not a zip", "is not really a Word .docx file"),
]


@pytest.mark.parametrize(
    ("name", "data", "reason"), REFUSED_AT_ONCE, ids=[r[0] for r in REFUSED_AT_ONCE]
)
def test_it_refuses_a_bad_file_at_once_with_its_reason(
    comms, name, data, reason, django_capture_on_commit_callbacks
):
    response = upload(comms, name, data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert reason in page_text(response)
    assert not Document.objects.exists()


FAILED_BY_INGESTION = [
    ("broken.pdf", lambda: b"%PDF-1.7\nthis is not a real pdf", "damaged or is not really a PDF"),
    ("secret.pdf", hostile.encrypted_pdf, "protected by a password"),
    ("bomb.docx", lambda: hostile.honest_zip_bomb(3), "would expand to more than 1 MB"),
    ("menteur.docx", lambda: hostile.lying_zip_bomb(8), "would expand to more than 1 MB"),
    ("rires.docx", hostile.billion_laughs_docx, "damaged or is not a .docx"),
    ("bombe.pdf", lambda: hostile.flate_bomb_pdf(120), "Page 1 of this PDF is damaged"),
]


@pytest.mark.parametrize(
    ("name", "build", "reason"), FAILED_BY_INGESTION, ids=[r[0] for r in FAILED_BY_INGESTION]
)
def test_it_fails_a_hostile_document_with_its_reason_and_serves_nothing(
    comms, name, build, reason, client_for, django_capture_on_commit_callbacks
):
    response = upload(comms, name, build(), django_capture_on_commit_callbacks)
    assert response["Location"] == "/comms/"
    doc = Document.objects.get()
    assert doc.status == Document.Status.FAILED and reason in doc.error
    shown = reason in page_text(comms.get("/comms/"))
    assert shown, "the reason is not in the document list"
    assert not doc.chunks.exists()
    for persona in ("anonymous", "resident"):
        assert client_for(persona).get(f"/documents/{doc.pk}/file").status_code == 404


@pytest.mark.parametrize("padding_mb", [64])
def test_it_refuses_a_docx_lying_about_its_size_without_inflating_it(settings, padding_mb):
    """Before the fix, a 70 KB file passed the size check and took 2 x 64 MB to read."""
    settings.KNOWLEDGE_MAX_UNCOMPRESSED_MB = 100
    data = hostile.lying_zip_bomb(padding_mb)
    assert len(data) < MB
    tracemalloc.start()
    try:
        doc = add_document(data, "menteur.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.status == Document.Status.FAILED
    assert peak < 16 * MB, f"{peak / MB:.0f} MB"


@pytest.mark.parametrize(
    ("name", "build"), [("xxe.docx", hostile.xxe_docx), ("xxe.html", hostile.xxe_html)]
)
def test_it_never_reads_a_local_file_named_by_an_xml_entity(name, build, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mot-de-passe-du-serveur")
    doc = add_document(build(str(secret)), name)
    texts = " ".join(doc.chunks.values_list("text", flat=True)) + doc.error
    assert "mot-de-passe-du-serveur" not in texts


def ask_with(client, attachment: dict):
    body = {"message": "Que dit ce document ?", "language": "en", "attachment": attachment}
    return client.post("/chat/ask", json.dumps(body), content_type="application/json")


ATTACHMENTS = [
    ("photo-too-big", data_url("image/jpeg", b"\xff\xd8" + b"\0" * 2_600_000), "too large"),
    ("pdf-too-big", data_url("application/pdf", b"%PDF-1.4" + b"\0" * 8_100_000), "too large"),
    ("heic", data_url("image/heic", b"\0\0\0\x18ftypheic"), "HEIC"),
    ("gif", data_url("image/gif", b"GIF89a\x01\x00\x01\x00"), "Only photos"),
    ("exe", data_url("application/x-msdownload", b"MZ\x90\x00"), "Only photos"),
    ("html-as-png", data_url("image/png", b"<script>alert(1)</script>"), "could not be read"),
    ("svg", data_url("image/svg+xml", b"<svg onload='alert(1)'/>"), "Only photos"),
    ("pdf-garbage", data_url("application/pdf", b"%PDF-1.4 garbage"), "could not be read"),
    ("pdf-locked", data_url("application/pdf", hostile.encrypted_pdf()), "password"),
    ("not-a-data-url", "https://evil.example/x.png", "could not be read"),
]


@pytest.mark.parametrize(("label", "url", "reason"), ATTACHMENTS, ids=[a[0] for a in ATTACHMENTS])
def test_it_refuses_a_bad_attachment_before_the_provider(
    label, url, reason, vision_llm, resident_client
):
    response = ask_with(resident_client, {"kind": "file", "data": url})
    assert response.status_code == 400, response.status_code
    body = response.json()
    assert body["error"] == "attachment" and reason in body["message"]
    assert vision_llm.requests == []


def test_it_refuses_a_question_larger_than_the_request_limit(vision_llm, resident_client):
    huge = data_url("image/jpeg", b"\0" * 12 * MB)  # 16 MB once in base64
    resident_client.raise_request_exception = False
    assert ask_with(resident_client, {"kind": "image", "data": huge}).status_code == 400
    assert vision_llm.requests == []


@pytest.mark.parametrize(
    "url",
    [
        data_url("image/png", hostile.png_header_only(20_000, 20_000)),
        data_url("application/pdf", hostile.flate_bomb_pdf(120)),
    ],
    ids=["png-400-megapixels", "pdf-flate-bomb"],
)
def test_it_refuses_a_decompression_bomb_attachment_plainly(url, vision_llm, resident_client):
    resident_client.raise_request_exception = False
    response = ask_with(resident_client, {"kind": "file", "data": url})
    assert response.status_code == 400, response.status_code
    assert response.json()["error"] == "attachment"
    assert vision_llm.requests == []


def test_it_still_reads_a_good_pdf_attachment(vision_llm, resident_client):
    """The control: the endpoint above accepts a sound file."""
    url = data_url("application/pdf", make_pdf(["Avis de passage : colis a retirer en mairie."]))
    response = ask_with(resident_client, {"kind": "file", "data": url})
    assert response.status_code == 200
    b"".join(response)
    assert len(vision_llm.requests) == 1
