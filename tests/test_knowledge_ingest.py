"""Ingestion: every format, every failure reason, duplicates, replacement of a magazine issue."""

import datetime as dt
import io
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from knowledge.chunking import HARD_MAX_TOKENS, chunk_sections
from knowledge.extract import Section
from knowledge.ingest import ingest_document
from knowledge.models import Document
from knowledge.retrieval import search
from tests.support.documents import add_document, make_docx, make_pdf
from tests.support.sockets import serving

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TODAY = dt.date(2026, 11, 21)


HTML = b"""<html><head><title>Piscine municipale</title></head><body>
<header><p>Menu du site : accueil, agenda</p></header>
<nav><a href="/">Accueil</a> Plan du site cookies</nav>
<main><h1>Piscine des Embruns</h1><h2>Horaires</h2>
<p>La piscine est ouverte du mardi au dimanche de 10 h a 19 h.</p>
<script>alert('never indexed')</script></main>
<aside>Publicite partenaires</aside><footer>Mentions legales</footer></body></html>"""


def test_it_ingests_a_pdf_keeping_page_numbers():
    data = make_pdf(
        ["Le marche couvert ouvre le mercredi matin.", "La mediatheque prete des liseuses."]
    )
    doc = add_document(data, "magazine.pdf", kind="magazine")
    assert doc.status == Document.Status.READY
    assert (doc.progress_done, doc.progress_total) == (2, 2)
    hit = search("liseuses a la médiathèque", today=TODAY)[0]
    assert hit.page == 2
    assert hit.url.endswith(f"/documents/{doc.pk}/file#page=2")


def test_it_ingests_html_keeping_main_content_and_headings():
    doc = add_document(HTML, "piscine.html", kind="web_page")
    texts = [(c.heading, c.text) for c in doc.chunks.all()]
    joined = " ".join(t for _, t in texts)
    assert "mardi au dimanche" in joined
    assert "Accueil" not in joined and "alert" not in joined and "Publicite" not in joined
    assert any(h == "Piscine des Embruns > Horaires" for h, _ in texts)


def test_it_ingests_markdown_with_heading_paths_and_front_matter():
    text = (
        "---\ntitle: FAQ\nkind: faq\n---\n# Déchets\n## Encombrants\n"
        "Le ramassage a lieu le premier lundi du mois.\n"
    )
    doc = add_document(text.encode(), "faq.md", kind="faq")
    chunk = doc.chunks.get()
    assert chunk.heading == "Déchets > Encombrants"
    assert "title:" not in chunk.text


def test_it_ingests_plain_text():
    doc = add_document(
        "Déchèterie : ouverte le samedi.\n\nBadge gratuit en mairie.".encode("cp1252"), "notes.txt"
    )
    assert doc.status == Document.Status.READY
    assert "Déchèterie" in doc.chunks.first().text


def test_it_ingests_docx_with_headings_from_styles():
    data = make_docx(
        [("h1", "Cantine scolaire"), ("h2", "Tarifs"), ("p", "Le repas coûte 3,20 euros.")]
    )
    doc = add_document(data, "cantine.docx", kind="procedure")
    chunk = doc.chunks.get()
    assert chunk.heading == "Cantine scolaire > Tarifs"
    assert "3,20 euros" in chunk.text


FETE = "<html><head><title>Fête de l’été</title></head><body><p>Fête de l’été au port.</p>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
# What the test site serves at each path: (Content-Type, body); a callable builds the body.
ROUTES = {
    "/page": ("text/html; charset=utf-8", HTML),
    "/utf8-header-only": ("text/html; charset=utf-8", FETE.encode()),
    "/latin-header-only": ("text/html; charset=windows-1252", FETE.encode("cp1252")),
    "/utf8-no-charset": ("text/html", FETE.encode()),
    "/latin-meta": (
        "text/html",
        FETE.replace("<head>", "<head><meta charset=windows-1252>").encode("cp1252"),
    ),
    "/word": ("application/octet-stream", lambda: make_docx([("p", "Le bal du 14 juillet.")])),
    "/pdf-untyped": ("application/octet-stream", lambda: make_pdf(["Le bal du 14 juillet."])),
    "/photo": ("image/png", PNG),
    "/photo-as-html": ("text/html", PNG),
    "/archive": ("application/zip", lambda: _zip({"photos/plage.jpg": b"\xff\xd8" * 50})),
    "/empty": ("text/html", b"<html><body><script>draw()</script></body></html>"),
}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


class _Site(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server API
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        content_type, body = ROUTES.get(self.path, ("text/html; charset=utf-8", b"x" * 300_000))
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body() if callable(body) else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _Site)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


def _url_doc(url: str) -> Document:
    doc = Document.objects.create(title=url, source_url=url, kind="web_page", published_on=TODAY)
    return ingest_document(doc.pk)


def test_it_ingests_a_web_page_by_url_following_redirects(site, settings):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    doc = _url_doc(f"{site}/moved")
    assert doc.status == Document.Status.READY, doc.error
    assert doc.title == "Piscine municipale"
    assert doc.content_hash and doc.file
    assert search("horaires piscine", today=TODAY)[0].url == f"{site}/moved"


@pytest.mark.security
def test_it_refuses_a_private_address_by_default(site):
    doc = _url_doc(f"{site}/page")
    assert doc.status == Document.Status.FAILED
    assert "private network" in doc.error
    assert not doc.chunks.exists()


@pytest.mark.security
@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest", "http://[::1]/", "http://10.0.0.8/"]
)
def test_it_refuses_link_local_loopback_and_private_urls(url):
    assert "private network" in _url_doc(url).error


@pytest.mark.security
def test_it_refuses_non_http_schemes():
    assert "Only http://" in _url_doc("file:///etc/passwd").error


@pytest.mark.security
def test_it_refuses_a_web_page_above_the_size_limit(site, settings):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    settings.KNOWLEDGE_URL_MAX_BYTES = 100_000
    doc = _url_doc(f"{site}/big")
    assert doc.status == Document.Status.FAILED
    assert "larger than" in doc.error


@pytest.mark.security
@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"%PDF-1.7\nthis is not a real pdf", "broken.pdf", "damaged"),
        (None, "secret.pdf", "password"),
        (None, "scan.pdf", "No text found"),
    ],
)
def test_it_explains_why_a_pdf_fails(data, name, reason):
    if name == "secret.pdf":
        data = make_pdf(["Budget confidentiel"], password="s3cret")
    elif name == "scan.pdf":
        data = make_pdf(["", ""])
    doc = add_document(data, name)
    assert doc.status == Document.Status.FAILED
    assert reason in doc.error
    assert not doc.chunks.exists()


@pytest.mark.security
def test_it_refuses_a_zip_bomb_docx_before_parsing(settings):
    settings.KNOWLEDGE_MAX_UNCOMPRESSED_MB = 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (3 * 1024 * 1024))
    doc = add_document(out.getvalue(), "bomb.docx")
    assert doc.status == Document.Status.FAILED
    assert "expand to more than 1 MB" in doc.error


def test_it_replaces_the_previous_magazine_only_once_the_new_one_is_ready():
    old = add_document(
        make_pdf(["Edito : la fete du port aura lieu en juin."]), "mag-10.pdf", kind="magazine"
    )
    broken = add_document(b"%PDF-1.4 garbage", "mag-11.pdf", kind="magazine", replaces=old)
    old.refresh_from_db()
    assert broken.status == Document.Status.FAILED
    assert old.status == Document.Status.READY  # a failed issue retires nothing
    new = add_document(
        make_pdf(["Edito : la fete du port est reportee en juillet."]),
        "mag-11b.pdf",
        kind="magazine",
        replaces=old,
    )
    old.refresh_from_db()
    assert new.status == Document.Status.READY and old.status == Document.Status.RETIRED
    assert [p.document_id for p in search("fête du port", today=TODAY)] == [new.pk]
    assert old.file  # the retired issue stays on record


def test_it_keeps_chunks_under_the_hard_maximum_and_follows_paragraphs():
    long_paragraph = " ".join(["La commune entretient les plages chaque matin."] * 120)
    sections = [Section("Plages", f"Intro courte.\n\n{long_paragraph}", 3)]
    drafts = chunk_sections(sections)
    assert len(drafts) > 2
    assert all(d.tokens <= HARD_MAX_TOKENS for d in drafts)
    assert all(d.heading == "Plages" and d.page == 3 for d in drafts)


def test_it_stops_reading_a_document_that_takes_too_long(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from knowledge import ingest
    from knowledge.tasks import ingest_document_task

    def stuck(data, progress):
        raise SoftTimeLimitExceeded()

    monkeypatch.setitem(ingest.READERS, "markdown", stuck)
    doc = add_document(b"# Titre\nUn texte.", "lent.md", ingest=False)
    ingest_document_task(doc.pk)
    doc.refresh_from_db()
    assert doc.status == Document.Status.FAILED and "took too long" in doc.error
    assert ingest_document_task.soft_time_limit == 900
    assert ingest_document_task.time_limit > ingest_document_task.soft_time_limit


@pytest.mark.parametrize(
    ("path", "ready"),
    [("/word", "Le bal du 14 juillet."), ("/pdf-untyped", "Le bal du 14 juillet.")],
)
def test_it_reads_a_word_file_or_pdf_an_address_serves(site, settings, path, ready):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    doc = _url_doc(site + path)
    assert doc.status == Document.Status.READY, doc.error
    assert [c.text for c in doc.chunks.all()] == [ready]


@pytest.mark.parametrize("path", ["/photo", "/photo-as-html", "/archive"])
def test_it_refuses_an_address_serving_neither_a_page_nor_a_document(site, settings, path):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    doc = _url_doc(site + path)
    assert doc.status == Document.Status.FAILED
    assert "neither to a web page, nor to a PDF, nor to a Word document" in doc.error
    assert not doc.chunks.exists()


@pytest.mark.parametrize(
    "path", ["/utf8-header-only", "/latin-header-only", "/utf8-no-charset", "/latin-meta"]
)
def test_it_decodes_a_page_with_the_charset_it_declares_or_its_bytes_show(site, settings, path):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    doc = _url_doc(site + path)
    assert doc.status == Document.Status.READY, doc.error
    assert doc.title == "Fête de l’été"
    assert doc.chunks.get().text == "Fête de l’été au port."
    assert ingest_document(doc.pk).chunks.get().text == "Fête de l’été au port."  # from the file


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("/empty", "No text found on this web page"),
        ("vide.docx", "No text found in this Word document"),
        ("titres.md", "No text found in this file"),
    ],
)
def test_it_says_no_text_was_found_in_the_words_of_the_format(site, settings, how, reason):
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    if how.startswith("/"):
        doc = _url_doc(site + how)
    elif how.endswith(".docx"):
        doc = add_document(make_docx([("p", "  ")]), how)
    else:
        doc = add_document(b"# Titre\n## Sous-titre\n", how)
    assert doc.status == Document.Status.FAILED
    assert reason in doc.error and "scanned PDF" not in doc.error


@pytest.mark.parametrize("name", ["lent.pdf", "lent.docx"])
def test_it_says_a_pdf_page_or_word_file_took_too_long_not_that_it_is_damaged(monkeypatch, name):
    from celery.exceptions import SoftTimeLimitExceeded
    from pypdf import PageObject

    from knowledge.tasks import ingest_document_task

    def stuck(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    data = make_pdf(["Page une."]) if name.endswith(".pdf") else make_docx([("p", "Un texte.")])
    doc = add_document(data, name, ingest=False)
    if name.endswith(".pdf"):
        monkeypatch.setattr(PageObject, "extract_text", stuck)
    else:
        monkeypatch.setattr("docx.Document", stuck)
    ingest_document_task(doc.pk)
    doc.refresh_from_db()
    assert doc.status == Document.Status.FAILED
    assert doc.error.startswith("Reading this document took too long"), doc.error


STREETS = ", ".join(
    f"{kind} {name} {n}"
    for n in range(1, 40)
    for kind, name in [("rue", "des Lilas"), ("avenue", "Foch"), ("impasse", "du Port")]
)


@pytest.mark.parametrize(
    "text",
    [
        f"Liste des rues.\n\n{STREETS}",  # no sentence end in 2,000 tokens
        f"{'mot ' * 40}\n\n{'et ' * 220}",  # a small paragraph before one near the maximum
        "x" * 5000,  # one "word" of 1,250 tokens
    ],
)
def test_it_keeps_every_chunk_under_the_hard_maximum_without_sentence_ends(text):
    drafts = chunk_sections([Section("Voirie", text, 1)])
    assert all(d.tokens <= HARD_MAX_TOKENS for d in drafts), [d.tokens for d in drafts]
    assert "".join(d.text for d in drafts).replace(" ", "").replace("\n", "") == text.replace(
        " ", ""
    ).replace("\n", "")  # nothing lost
