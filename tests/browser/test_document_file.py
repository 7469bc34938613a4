"""Cited documents in chromium: PDFs in its own viewer, text sandboxed, HTML only saved."""

import io
import time

import pytest

from tests.support.browser import shot
from tests.support.documents import add_document, add_pdf_document

pytestmark = pytest.mark.browser
BLOCKED = ("content security policy", "sandbox", "blocked")


def _console(page) -> list[str]:
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def _viewer_drawn(png: bytes) -> bool:
    """The PDF viewer's look: a dark toolbar along the top, a white page below it."""
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    toolbar = image.crop((0, 0, width, 50))
    sheet = image.crop((width // 3, height // 5, width - 20, height - 20))
    white = sum(sheet.histogram()[246:]) / (sheet.width * sheet.height)
    return ImageStat.Stat(toolbar).mean[0] < 90 and white > 0.5


def test_it_opens_a_cited_pdf_page_in_the_browser_viewer(new_page):
    doc = add_pdf_document(
        "Magazine municipal", ["Le marché du samedi.", "La mairie.", "La piscine ouvre en juin."]
    )
    page = new_page()
    console = _console(page)
    response = page.goto(f"{page.site}/documents/{doc.pk}/file#page=3")
    assert response.status == 200
    headers = response.headers
    assert headers["content-type"] == "application/pdf"
    assert "sandbox" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"].startswith("inline;")
    assert page.evaluate("document.contentType") == "application/pdf"
    deadline = time.monotonic() + 10
    while not _viewer_drawn(page.screenshot()) and time.monotonic() < deadline:
        time.sleep(0.25)
    path = shot(page, "document-file-pdf")
    assert _viewer_drawn(path.read_bytes()), f"no PDF viewer drawn, see {path}"
    assert not [line for line in console if any(word in line.lower() for word in BLOCKED)]


@pytest.mark.security
def test_it_shows_plain_text_in_a_sandbox_that_runs_no_script(new_page):
    doc = add_document("Horaires : lundi au vendredi, 9 h à 17 h.".encode(), "horaires.txt")
    page = new_page()
    console = _console(page)
    response = page.goto(f"{page.site}/documents/{doc.pk}/file")
    assert response.headers["content-security-policy"].startswith("sandbox;")
    assert "lundi au vendredi" in page.inner_text("body")
    assert page.evaluate("window.origin") == "null"  # a unique origin: no access to the site
    assert not [line for line in console if any(word in line.lower() for word in BLOCKED)]


@pytest.mark.security
def test_it_saves_uploaded_html_instead_of_rendering_it(new_page):
    doc = add_document(b"<html><body><script>alert(1)</script>Page</body></html>", "page.html")
    page = new_page()
    with page.expect_download() as download:
        page.evaluate("url => { location.href = url }", f"{page.site}/documents/{doc.pk}/file")
    assert download.value.suggested_filename == "page.html"
    assert page.dialogs == []
