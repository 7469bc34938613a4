"""A cited passage in its context for the chat's source panel: rendered, sanitised, marked,
served for READY documents valid today only."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from knowledge import passages
from knowledge.ingest import ingest_document
from knowledge.models import Chunk, Document
from tests.support.documents import add_pdf_document

pytestmark = pytest.mark.django_db

GUIDE = """---
title: Guide des seniors
published: 2026-09-01
---

# Guide des seniors

## Le registre canicule

Inscrivez-vous au **registre canicule** auprès du CCAS.

- par téléphone ;
- au guichet.

<img src=x onerror=alert(1)> <script>alert(2)</script>
[appeler](tel:0500000000) [piège](javascript:alert(3)) [relatif](/admin/) [site](https://example.org/ccas)
"""


def publish_markdown(text=GUIDE, **fields):
    doc = Document(title="Guide des seniors", kind=Document.Kind.FAQ, **fields)
    doc.file.save("guide.md", ContentFile(text.encode()), save=False)
    doc.original_name = "guide.md"
    doc.save()
    doc = ingest_document(doc.pk)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def get(client, chunk):
    return client.get(f"/documents/{chunk.document_id}/passages/{chunk.pk}")


def test_it_gives_a_pdf_passage_with_its_title_date_page_and_pdf_link(client):
    doc = add_pdf_document(
        "Magazine de mars", ["Le marché a lieu le samedi.", "La mairie ouvre à 9 h."]
    )
    chunk = doc.chunks.get(page=2)
    body = get(client, chunk).json()
    assert body["title"] == "Magazine de mars" and body["page"] == 2
    assert body["date"] == f"{timezone.localdate().day} " + body["date"].split(" ", 1)[1]
    assert body["pdf_url"] == f"/documents/{doc.pk}/file#page=2" and body["web_url"] == ""
    assert '<div class="passage-hit" id="passage-hit" tabindex="-1">' in body["html"]
    assert "La mairie ouvre à 9 h." in body["html"] and "samedi" not in body["html"]


def test_it_renders_markdown_without_front_matter_and_with_its_structure(client):
    doc = publish_markdown()
    chunk = doc.chunks.get()
    body = get(client, chunk).json()
    html = body["html"]
    assert body["heading"] == "Le registre canicule" and body["pdf_url"] == ""
    assert "<strong>registre canicule</strong>" in html and "<li>par téléphone ;</li>" in html
    for raw in ("---", "title:", "published:", "**", "# Guide"):
        assert raw not in html


def test_it_never_passes_on_markup_or_unsafe_links_from_a_document(client):
    html = get(client, publish_markdown().chunks.get()).json()["html"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html  # shown as text, never run
    assert 'href="javascript' not in html and 'href="/admin/"' not in html
    assert 'href="tel:0500000000"' in html
    assert '<a href="https://example.org/ccas" rel="noopener noreferrer nofollow">site</a>' in html


def test_it_shows_a_merged_sections_heading_without_the_document_title():
    html = passages.render_text(
        "Texte.\n\n## Guide des seniors > Le plan grand froid\nSuite.", False, "Guide des seniors"
    )
    assert "<h4>Le plan grand froid</h4>" in html and "Guide des seniors" not in html


def test_it_marks_the_cited_chunk_among_its_neighbours_under_one_heading(client):
    doc = publish_markdown()
    first = doc.chunks.get()
    for position in range(1, 6):
        Chunk.objects.create(
            document=doc, position=position, heading=first.heading, text=f"Paragraphe {position}."
        )
    Chunk.objects.create(document=doc, position=6, heading="Autre", text="Ailleurs.")
    cited = doc.chunks.get(position=3)
    html = get(client, cited).json()["html"]
    before, hit = html.split('<div class="passage-hit"', 1)
    assert "Paragraphe 1." in before and "Paragraphe 2." in before
    assert hit.index("Paragraphe 3.") < hit.index("</div>") < hit.index("Paragraphe 5.")
    assert "registre canicule" not in html  # three positions away: out of the context
    assert "Ailleurs." not in html  # another heading


@pytest.mark.parametrize(
    "change",
    [
        {"valid_until": dt.date(2020, 1, 1)},
        {"valid_from": dt.date(2999, 1, 1)},
        {"status": Document.Status.RETIRED},
    ],
)
def test_it_says_a_passage_is_gone_once_its_document_is_not_served(client, change):
    doc = publish_markdown()
    chunk = doc.chunks.get()
    Document.objects.filter(pk=doc.pk).update(**change)
    response = get(client, chunk)
    assert response.status_code == 404
    assert response.json()["error"] == "gone" and "plus disponible" in response.json()["message"]


def test_it_refuses_a_chunk_asked_under_another_document(client):
    doc = publish_markdown()
    other = add_pdf_document("Magazine", ["Texte."])
    response = client.get(f"/documents/{other.pk}/passages/{doc.chunks.get().pk}")
    assert response.status_code == 404


def test_it_links_a_web_page_to_the_towns_site(client):
    doc = publish_markdown(source_url="https://www.port-lumiere.example/seniors")
    assert (
        get(client, doc.chunks.get()).json()["web_url"]
        == "https://www.port-lumiere.example/seniors"
    )


def test_it_shows_a_pdf_pages_lines_as_paragraphs_and_no_heading():
    text = (
        "Magazine n°47 - novembre 2026 Ville de Port-Lumière\n\n"
        "Édito de la Maire\n\n"
        "Les jours raccourcissent, les derniers estivants sont repartis et notre ville\n\n"
        "retrouve son rythme d'hiver. Je voudrais qu'elle soit, cette année, celle\n\n"
        "où l'on prend soin les uns des autres.\n\n"
        "Chers habitants,\n\n"
        "1. Remplissez le <formulaire>.\n\n"
        "2. Déposez-le.\n\n"
        "Lundi 9 h - 12 h"
    )
    html = passages.render_text(text, True, "Magazine n°47 — novembre 2026")
    assert html == (  # the running header dropped, as the answerer drops it
        "<p>Édito de la Maire</p>"
        "<p>Les jours raccourcissent, les derniers estivants sont repartis et notre ville"
        " retrouve son rythme d'hiver. Je voudrais qu'elle soit, cette année, celle"
        " où l'on prend soin les uns des autres.</p>"
        "<p>Chers habitants,</p>"
        "<p>1. Remplissez le &lt;formulaire&gt;.</p><p>2. Déposez-le.</p><p>Lundi 9 h - 12 h</p>"
    )
    # a chunk of short lines, measured against its page's longest: each line its own paragraph
    assert passages.render_text("Un\n\nDeux", True, width=80) == "<p>Un</p><p>Deux</p>"


def test_it_shows_a_pdf_pages_bulleted_lines_as_a_list():
    text = (
        "Agenda : vos rendez-vous\n\n"
        "- Samedi 14 novembre, 9 h 30 : Repair Café.\n\n"
        "- Mardi 17 novembre, 15 h : conférence <gratuite>.\n\n"
        "Inscription conseillée.\n\n"
        "• Jeudi 19 novembre : thé dansant."
    )
    html = passages.render_text(text, True, width=200)
    assert html == (
        "<p>Agenda : vos rendez-vous</p>"
        "<ul><li>Samedi 14 novembre, 9 h 30 : Repair Café.</li>"
        "<li>Mardi 17 novembre, 15 h : conférence &lt;gratuite&gt;.</li></ul>"
        "<p>Inscription conseillée.</p>"
        "<ul><li>Jeudi 19 novembre : thé dansant.</li></ul>"
    )


def pdf_section_html(client, first_text: str, cited_text: str) -> tuple[str, str]:
    """The panel's HTML of a PDF section of two chunks, cut at the cited (second) one's
    block: (what comes before it, the block and after)."""
    doc = add_pdf_document("Magazine de mars", ["Sommaire."])
    first = doc.chunks.get()
    first.text = first_text
    first.save()
    cited = Chunk.objects.create(
        document=doc, position=1, heading=first.heading, page=first.page, text=cited_text
    )
    before, hit = get(client, cited).json()["html"].split('<div class="passage-hit"', 1)
    return before, hit


def test_it_marks_whole_paragraphs_when_a_pdf_chunk_begins_inside_a_printed_sentence(client):
    before, hit = pdf_section_html(
        client,
        "Agenda de novembre, tous les rendez-vous de la ville pour les habitants\n"
        "- Jeudi 19 novembre, 14 h 30 : thé dansant avec orchestre, salle\n",
        "Océane. 10 €, boisson comprise.\n- Samedi 21 novembre : foire aux livres.",
    )
    assert "<p>Agenda de novembre" in before and "salle" not in before  # the item is whole
    assert "<li>Jeudi 19 novembre, 14 h 30 : thé dansant avec orchestre, salle Océane. 10 €" in hit
    assert "<li>Samedi 21 novembre : foire aux livres.</li>" in hit


def test_it_leaves_out_a_running_header_between_a_pdf_sections_chunks(client):
    before, hit = pdf_section_html(
        client,
        "Magazine de mars\nLe marché a lieu le samedi matin sur la place.\n",
        "Magazine de mars\nLa mairie ouvre à 9 h.\nBonne lecture à tous.",
    )
    html = before + hit
    assert "Le marché a lieu le samedi" in before and "Magazine de mars" not in html
    assert "<p>La mairie ouvre à 9 h.</p>" in hit and "<p>Bonne lecture à tous.</p>" in hit
