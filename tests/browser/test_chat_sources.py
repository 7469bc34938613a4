"""Sources open in the chat (issue 14, part 3): a panel with the document's title, date and
page, the cited passage highlighted in its section, the PDF at that page; Esc closes it and
focus goes back to where it was. Markdown documents are shown rendered, never raw."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.chatpage import DESKTOP, PHONE, SCREENS, add_markdown_document, answered, snap
from tests.support.browser import ask, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", SCREENS)
def test_it_opens_a_pdf_source_in_the_chat_at_its_passage(new_page, fake_llm, town, screen):
    page = new_page(**SCREENS[screen])
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi matin [1]."]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    source = page.get_by_role("button", name="Magazine municipal de mars, page 1")
    source.click()
    panel = page.get_by_role("dialog", name="Magazine municipal de mars")
    expect(panel).to_be_visible()
    expect(page.locator("#source-title")).to_be_focused()
    published = town.published_on
    expect(panel.locator("#source-meta")).to_contain_text(f"Publié le {published.day} ")
    expect(panel.locator("#source-meta")).to_contain_text("page 1")
    hit = panel.locator(".passage-hit")
    expect(hit).to_contain_text("Le marché a lieu le samedi matin place du Port")
    expect(hit).to_be_in_viewport()
    pdf = panel.get_by_role("link", name="Ouvrir le PDF à la page 1")
    assert re.search(rf"/documents/{town.pk}/file#page=1$", pdf.get_attribute("href"))
    assert pdf.get_attribute("target") == "_blank"  # the chat stays open behind it
    snap(page, f"sources-{screen}-pdf-panel")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(source).to_be_focused()
    expect(page).to_have_url(page.site + "/chat/")  # never left the chat


def test_it_shows_a_markdown_source_rendered_without_its_front_matter(new_page, fake_llm):
    doc = add_markdown_document()
    page = new_page(**PHONE)
    sign_in(page)
    fake_llm.script.chunks = ["Au Centre-Port, le lundi et le jeudi [1]."]
    ask(page, "Quels jours passe la collecte des poubelles au Centre-Port ?")
    answered(page)
    ref = page.locator(".answer a.source-ref").first  # the [1] in the text opens it too
    ref.click()
    panel = page.get_by_role("dialog", name="Collecte des déchets")
    expect(panel.locator("#source-heading")).to_have_text("Calendrier de collecte par quartier")
    body = panel.locator("#source-body")
    expect(body.locator(".passage-hit li strong").first).to_have_text("Centre-Port")
    text = body.inner_text()
    for raw in ("---", "title:", "published:", "**", "- **"):
        assert raw not in text, raw
    expect(panel.get_by_role("link", name=re.compile("PDF"))).to_have_count(0)
    snap(page, "sources-phone-markdown-panel")
    panel.get_by_role("button", name="Fermer").click()
    expect(panel).to_be_hidden()
    expect(ref).to_be_focused()
    assert doc.pk


def test_it_never_lets_a_documents_markup_run_in_the_chat(new_page, fake_llm):
    add_markdown_document()
    page = new_page(**DESKTOP)
    sign_in(page)
    fake_llm.script.chunks = ["Les encombrants sont sur rendez-vous [1]."]
    ask(page, "Comment faire enlever des encombrants ?")
    answered(page)
    page.locator(".source-open").first.click()
    body = page.locator("#source-body")
    expect(body).to_contain_text("Allô Propreté")
    assert body.locator("script").count() == 0
    assert body.locator("a[href^='javascript']").count() == 0
    assert page.dialogs == []


def test_it_says_so_when_a_cited_document_has_expired_since(new_page, fake_llm, town):
    from knowledge.models import Document

    page = new_page(**DESKTOP)
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi [1]."]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    yesterday = dt.date.today() - dt.timedelta(days=2)
    Document.objects.filter(pk=town.pk).update(valid_until=yesterday)
    page.locator(".source-open").first.click()
    expect(page.locator("#source-body")).to_have_text(
        "Ce passage n'est plus disponible\u00a0: le document a peut-être été mis à jour ou retiré."
    )


def test_it_keeps_the_keyboard_inside_the_open_panel(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi [1]."]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    page.locator(".source-open").first.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#source-dialog")
    expect(panel).to_be_visible()
    for _ in range(6):  # Tab goes round the panel's controls, never behind it
        page.keyboard.press("Tab")
        inside = page.evaluate(
            "document.getElementById('source-dialog').contains(document.activeElement)"
            " || document.activeElement === document.body"
        )
        assert inside
    page.keyboard.press("Escape")
    expect(page.locator(".source-open").first).to_be_focused()


def test_it_marks_an_answer_that_does_not_come_from_the_towns_documents(new_page, fake_llm, town):
    page = new_page(**PHONE)
    sign_in(page)
    fake_llm.script.chunks = ["Pour des crêpes, comptez 250 g de farine et 3 œufs."]
    ask(page, "Une recette de crêpes ?")
    answered(page)
    note = page.locator(".turn-note")
    expect(note).to_have_text("Cette réponse ne vient pas des documents de la mairie.")
    expect(page.locator(".turn-assistant .sources")).to_be_hidden()
    expect(page.locator("#live")).to_contain_text("ne vient pas des documents de la mairie")
    snap(page, "sources-phone-general-answer")


@pytest.mark.parametrize("screen", SCREENS)
def test_it_marks_what_an_extract_quotes_inside_the_passage(new_page, screen):
    add_markdown_document()  # no provider configured: the offline answerer quotes it
    page = new_page(**SCREENS[screen])
    sign_in(page)
    ask(page, "Quels jours passe la collecte des poubelles au Centre-Port ?")
    answered(page)
    page.locator(".source-open").first.click()
    hit = page.locator("#source-body .passage-hit")
    quoted = hit.locator("li:has(mark.quoted)")
    expect(quoted).to_have_text(  # the list the answer quotes, not the sentence before it
        [
            "Centre-Port : ordures ménagères le lundi et le jeudi.",
            "Les Dunes : ordures ménagères le mardi.",
        ]
    )
    expect(hit).to_contain_text("Voici les jours de ramassage des poubelles")
    expect(hit.locator("mark.quoted").first).to_be_in_viewport()
    marked = "".join(hit.locator("mark.quoted").all_inner_texts())  # the items, no more
    assert marked == (
        "Centre-Port : ordures ménagères le lundi et le jeudi."
        "Les Dunes : ordures ménagères le mardi."
    )
    snap(page, f"sources-{screen}-quoted-marked")
    page.keyboard.press("Escape")
    expect(page.locator("#source-dialog")).to_be_hidden()


MARKING = """async () => {
  const src = document.querySelector('script[type="module"][src*="chat"]').src;
  const { markQuotes } = await import(new URL("sourcepanel.js", src));
  const section = document.createElement("div");
  section.innerHTML = '<p>Fin de la page</p><p>précédente sur</p><div class="passage-hit">'
    + '<p class="visually-hidden">Début du passage cité.</p><p>deux lignes. Gratuit.</p>'
    + "<p>Fermé le <strong>lundi</strong>. Gratuit.</p></div>";
  document.body.append(section);
  const hit = section.querySelector(".passage-hit");
  const quotes = ["Gratuit.", "Gratuit.", "Fermé le lundi.", "précédente sur deux lignes."];
  quotes.push("Absent.");
  const marks = markQuotes(hit, section, quotes);
  return {
    marks: marks.map((mark) => mark.textContent),
    nested: section.querySelectorAll("mark mark").length,
    hidden: section.querySelector(".visually-hidden").innerHTML,
  };
}"""


def test_it_marks_each_quote_once_in_page_order_across_blocks(new_page):
    page = new_page(**DESKTOP)
    sign_in(page)
    found = page.evaluate(MARKING)
    assert found["marks"] == [  # the running sentence, then "Gratuit." once, then bold split
        "précédente sur",
        "deux lignes.",
        "Gratuit.",
        "Fermé le ",
        "lundi",
        ".",
    ]
    assert found["nested"] == 0 and found["hidden"] == "Début du passage cité."
