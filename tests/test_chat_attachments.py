"""Attachments to a question: photos checked and passed on, PDFs reduced to bounded text."""

import io
import json

import pytest
from django.utils import translation
from PIL import Image

from arcachat.attachments import MAX_PDF_CHARS, AttachmentError, parse_attachment
from tests.support.answers import parse_sse
from tests.support.documents import data_url, make_pdf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]


def photo(fmt="JPEG", size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_it_accepts_jpeg_png_and_webp_photos(fmt, mime):
    url = data_url(mime, photo(fmt))
    assert parse_attachment({"kind": "image", "data": url}, True).images == [url]


@pytest.mark.security
@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"kind": "image", "data": "data:image/heic;base64,AAAA"}, "HEIC"),
        ({"kind": "image", "data": data_url("image/png", photo("JPEG"))}, "photo"),
        ({"kind": "image", "data": data_url("image/gif", b"GIF89a....")}, "JPEG"),
        ({"kind": "image", "data": data_url("image/jpeg", b"\xff" * 3_000_000)}, "too large"),
        ({"kind": "image", "data": "javascript:alert(1)"}, "could not be read"),
        ({"kind": "pdf", "data": data_url("application/pdf", b"not a pdf")}, "PDF"),
        ("oops", "could not be read"),
    ],
)
def test_it_refuses_bad_files_with_a_plain_message(payload, words):
    with translation.override("en"), pytest.raises(AttachmentError) as caught:
        parse_attachment(payload, True)
    assert words in caught.value.user_message


@pytest.mark.security
def test_it_refuses_attachments_when_the_provider_cannot_see_images():
    with pytest.raises(AttachmentError):
        parse_attachment({"kind": "image", "data": data_url("image/png", photo("PNG"))}, False)
    assert parse_attachment(None, False) is None


@pytest.mark.security
def test_it_extracts_and_bounds_the_text_of_a_pdf():
    pages = [f"Page {i} : avis de taxe foncière, montant à payer. " * 40 for i in range(12)]
    result = parse_attachment(
        {"kind": "pdf", "data": data_url("application/pdf", make_pdf(pages))}, True
    )
    assert "taxe foncière" in result.text
    assert len(result.text) == MAX_PDF_CHARS and result.truncated


def test_it_sends_the_photo_and_the_pdf_text_to_the_provider(resident_client, vision_llm):
    url = data_url("image/png", photo("PNG"))
    body = {
        "message": "Qu'est-ce que ce panneau ?",
        "history": [],
        "attachment": {"kind": "image", "data": url},
    }
    response = resident_client.post("/chat/ask", json.dumps(body), content_type="application/json")
    assert [n for n, _ in parse_sse(b"".join(response).decode())][-1] == "done"
    sent = json.dumps(vision_llm.bodies[-1]["messages"])
    assert url in sent

    pdf = data_url("application/pdf", make_pdf(["Facture d'eau : 42 euros, échéance le 15 mai."]))
    body["attachment"] = {"kind": "pdf", "data": pdf}
    response = resident_client.post("/chat/ask", json.dumps(body), content_type="application/json")
    assert [n for n, _ in parse_sse(b"".join(response).decode())][-1] == "done"
    assert "42 euros" in json.dumps(vision_llm.bodies[-1]["messages"], ensure_ascii=False)


def test_it_refuses_an_attachment_with_an_offline_provider(resident_client):
    url = data_url("image/png", photo("PNG"))
    body = {"message": "Et ça ?", "attachment": {"kind": "image", "data": url}}
    response = resident_client.post("/chat/ask", json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "attachment"
