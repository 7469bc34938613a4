"""XSS through document titles, headings and text: every server-rendered page keeps them text.

A document's title can come from a fetched web page's <title>, its headings and text from any
uploaded file: all untrusted. Each page that shows them (comms list, upload form, detail and
chunk preview, playground, messages, status JSON, the Django admin) is parsed: no element or
attribute of the payload may exist. The browser half (chat sources drawn by static/js, and
the comms pages running their scripts) is in test_xss_titles_browser.py; model output is
covered by tests/browser/test_chat_xss.py.
"""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Document
from tests.support.documents import add_document

pytestmark = [pytest.mark.security, pytest.mark.django_db]

TITLE = '<script>alert("titre")</script><img src=x onerror=alert(1) data-xss>'
HEADING = "<svg onload=alert(2) data-xss>Horaires"
TEXT = (
    "La piscine ouvre a 10 h. [Voir](javascript:alert(3)) "
    '<iframe src="javascript:alert(4)" data-xss></iframe> "><b data-xss>gras</b>'
)
SOURCE = f"# {HEADING}\n{TEXT}\n".encode()


class Tags(HTMLParser):
    """Start tags of a page, to find any the payload would have created."""

    def __init__(self, text: str):
        super().__init__()
        self.found = []
        self.script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if "data-xss" in names or any(name.startswith("on") for name in names):
            self.found.append((tag, attrs))
        if any(value and value.strip().lower().startswith("javascript:") for _, value in attrs):
            self.found.append((tag, attrs))
        self.script = tag if tag == "script" else None

    def handle_data(self, data):
        if self.script and "alert" in data:
            self.found.append(("script", data))


def injected(response) -> list:
    assert response.status_code == 200, response.status_code
    return Tags(response.content.decode()).found


@pytest.fixture
def hostile(db):
    doc = add_document(SOURCE, "piscine.md", title=TITLE, kind="web_page")
    assert doc.status == Document.Status.READY
    return doc


@pytest.fixture
def comms(client_for):
    return client_for("marius")


def test_it_keeps_the_title_text_in_the_document_list(hostile, comms):
    newer = add_document(b"# Piscine\nOuverte.", "piscine-2.md", title="Piscine", replaces=hostile)
    assert newer.status == Document.Status.READY
    page = comms.get("/comms/")
    assert injected(page) == []
    assert "&lt;script&gt;alert(&quot;titre&quot;)&lt;/script&gt;" in page.content.decode()


def test_it_keeps_title_heading_and_text_text_in_the_preview(hostile, comms):
    page = comms.get(f"/comms/documents/{hostile.pk}/")
    assert injected(page) == []
    assert "&lt;svg onload=alert(2) data-xss&gt;Horaires" in page.content.decode()


def test_it_keeps_the_titles_text_in_the_upload_form(hostile, comms):
    assert injected(comms.get("/comms/upload/")) == []


def test_it_keeps_passages_and_prompt_text_in_the_playground(hostile, comms):
    page = comms.post("/comms/playground/", {"question": "Quand ouvre la piscine ?"})
    assert "&lt;iframe" in page.content.decode()  # the passage was found, and is shown as text
    assert injected(page) == []


def test_it_keeps_titles_text_in_messages(hostile, comms, english):
    duplicate = comms.post(
        "/comms/upload/",
        {
            "kind": "faq",
            "published_on": "2026-11-01",
            "files": [SimpleUploadedFile("b.md", SOURCE)],
        },
    )
    assert "is already online as “&lt;script&gt;" in duplicate.content.decode()
    assert injected(duplicate) == []
    retired = comms.post(f"/comms/documents/{hostile.pk}/retire/", follow=True)
    assert injected(retired) == []


def test_it_sends_the_status_of_documents_as_json_only(hostile, comms):
    Document.objects.filter(pk=hostile.pk).update(status="processing", error=TITLE)
    response = comms.get(f"/comms/documents/status.json?ids={hostile.pk}")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["documents"][0]["error"] == TITLE  # data; the script uses textContent


@pytest.mark.filterwarnings("ignore:The default scheme will be changed")
@pytest.mark.parametrize(
    "path",
    [
        "/admin/knowledge/document/",
        "/admin/knowledge/document/{pk}/change/",
        "/admin/knowledge/chunk/",
        "/admin/knowledge/chunk/{chunk}/change/",
    ],
)
def test_it_keeps_titles_text_in_the_django_admin(hostile, client_for, path):
    chunk = hostile.chunks.first()
    page = client_for("adele").get(path.format(pk=hostile.pk, chunk=chunk.pk))
    assert injected(page) == []


def test_it_would_see_an_injected_element():
    """The control: the parser does report the payload when it is not escaped."""
    assert len(Tags(f"<p>{TITLE}</p><h2>{HEADING}</h2><p>{TEXT}</p>").found) >= 4


@pytest.mark.parametrize("path", ["/", "/staff/login/", "/chat/"])
def test_it_escapes_the_address_it_reflects_in_forms(path, client_for):
    """The language form and the staff login carry the current address (or `next`) back."""
    attack = '"><script>alert(5)</script><img src=x onerror=alert(6) data-xss>'
    client = client_for("resident")
    page = client.get(path, {"q": attack, "next": attack})
    assert injected(page) == []
