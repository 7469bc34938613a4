"""The chat's controls in a real browser, on a desktop and on a phone: stop, copy, new answer,
edit the last question, Enter and the hint, new conversation, following the answer, reading
aloud and dictation."""

import pytest
from playwright.sync_api import expect

from tests.browser.chatpage import (
    DESKTOP,
    NO_SPEECH,
    PHONE,
    SCREENS,
    SPEECH,
    answered,
    snap,
    wait_for,
)
from tests.support.browser import answers, ask, sign_in

pytestmark = pytest.mark.browser

SLOW = ["Le marché ", "a lieu ", "le samedi ", "matin, ", "place ", "du Port ", "[1]."]


@pytest.mark.parametrize("screen", SCREENS)
def test_it_stops_an_answer_and_keeps_its_text_billed_as_partial(new_page, fake_llm, town, screen):
    from metering.models import UsageRecord

    page = new_page(**SCREENS[screen])
    sign_in(page)
    fake_llm.script.chunks = SLOW
    fake_llm.script.delay = 0.6
    ask(page, "Quand a lieu le marché ?")
    send = page.get_by_role("button", name="Envoyer")
    stop = page.get_by_role("button", name="Arrêter la réponse")
    expect(stop).to_be_visible()
    expect(send).to_be_disabled()  # one answer at a time
    expect(answers(page).last).to_contain_text("a lieu")
    snap(page, f"controls-{screen}-streaming")
    stop.click()
    expect(page.locator(".turn-stopped")).to_have_text(
        "Vous avez arrêté cette réponse : le début déjà écrit est conservé ci-dessus."
    )
    kept = answers(page).last.inner_text()
    assert kept.startswith("Le marché a lieu") and "du Port" not in kept
    expect(send).to_be_enabled()
    expect(stop).to_be_hidden()
    expect(page.locator("#live")).to_contain_text("arrêté cette réponse")
    snap(page, f"controls-{screen}-stopped")
    # The server saw the page leave: what was generated is settled once, as a partial answer.
    record = wait_for(lambda: UsageRecord.objects.filter(outcome="partial").first())
    assert record.output_tokens > 0 and record.input_tokens > 0
    assert UsageRecord.objects.count() == 1
    page.reload()  # the stopped answer stays stopped in the tab's conversation
    expect(page.locator(".turn-stopped")).to_be_visible()
    expect(answers(page).last).to_have_text(kept)


def test_it_copies_an_answer_with_its_sources(new_page, fake_llm, town):
    page = new_page(**DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le **samedi** matin [1].\n\n", "- place du Port"]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    page.get_by_role("button", name="Copier").click()
    expect(page.locator("#live")).to_have_text("Réponse copiée.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (
        "Le marché a lieu le samedi matin [1].\n- place du Port\n\n"
        "Sources\u00a0:\n[1] Magazine municipal de mars, page 1"
    )


def test_it_writes_a_new_answer_to_the_last_question(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    sign_in(page)
    fake_llm.script.chunks = ["Première réponse."]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    fake_llm.script.chunks = ["Seconde réponse, le samedi."]
    page.get_by_role("button", name="Nouvelle réponse").click()
    answered(page)
    expect(page.locator(".turn-assistant")).to_have_count(1)
    expect(answers(page).last).to_have_text("Seconde réponse, le samedi.")
    assert len(fake_llm.requests) == 2
    last = fake_llm.bodies[-1]["messages"][-1]["content"]
    assert "Quand a lieu le marché ?" in str(last)


@pytest.mark.parametrize("screen", SCREENS)
def test_it_edits_and_resends_the_last_question(new_page, fake_llm, town, screen):
    page = new_page(**SCREENS[screen])
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi."]
    ask(page, "Quand a lieu le marche ?")
    answered(page, 1)
    ask(page, "Et la mairie ?")
    answered(page, 2)
    # Only the last question can be changed.
    edit = page.get_by_role("button", name="Modifier la question")
    expect(edit).to_have_count(1)
    edit.click()
    box = page.get_by_label("Votre question", exact=True)
    expect(box).to_have_value("Et la mairie ?")
    expect(box).to_be_focused()
    expect(page.locator("#editing")).to_be_visible()
    snap(page, f"controls-{screen}-editing")
    box.fill("Et la mairie, le samedi ?")
    page.get_by_role("button", name="Envoyer").click()
    wait_for(lambda: len(fake_llm.requests) == 3)
    answered(page)
    expect(page.locator(".user-text")).to_have_text(
        ["Quand a lieu le marche ?", "Et la mairie, le samedi ?"]
    )
    expect(page.locator(".turn-assistant")).to_have_count(2)
    expect(page.locator("#editing")).to_be_hidden()
    sent = str(fake_llm.bodies[-1]["messages"])
    assert "Et la mairie, le samedi ?" in sent and "Et la mairie ?" not in sent


def test_it_sends_with_enter_and_adds_a_line_with_shift_enter_on_a_keyboard(
    new_page, fake_llm, town
):
    page = new_page(**DESKTOP)
    sign_in(page)
    expect(page.locator("#question-help")).to_have_text(
        "Touche Entrée pour envoyer, Maj + Entrée pour aller à la ligne."
    )
    box = page.get_by_label("Votre question", exact=True)
    box.click()
    page.keyboard.type("Quand a lieu")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("le marché ?")
    expect(box).to_have_value("Quand a lieu\nle marché ?")
    assert len(fake_llm.requests) == 0
    page.keyboard.press("Enter")
    answered(page)
    expect(page.locator(".user-text")).to_have_text("Quand a lieu\nle marché ?")
    expect(box).to_have_value("")


def test_it_sends_with_the_button_on_a_touch_screen(new_page, fake_llm, town):
    page = new_page(**PHONE)
    sign_in(page)
    hint = page.locator("#question-help")
    expect(hint).to_have_text("Pour envoyer, touchez « Envoyer ».")
    assert "Ctrl" not in hint.inner_text() and "Entrée" not in hint.inner_text()
    box = page.get_by_label("Votre question", exact=True)
    box.tap()
    page.keyboard.type("Quand a lieu")
    page.keyboard.press("Enter")  # the phone keyboard's return key: a new line
    page.keyboard.type("le marché ?")
    expect(box).to_have_value("Quand a lieu\nle marché ?")
    assert len(fake_llm.requests) == 0
    page.get_by_role("button", name="Envoyer").tap()
    answered(page)


def test_it_asks_before_erasing_the_conversation(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    sign_in(page)
    expect(page.get_by_role("button", name="Nouvelle conversation")).to_be_hidden()  # nothing yet
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    page.get_by_role("button", name="Nouvelle conversation").click()
    dialog = page.get_by_role("dialog", name="Commencer une nouvelle conversation ?")
    expect(dialog).to_be_visible()
    snap(page, "controls-desktop-confirm-new")
    dialog.get_by_role("button", name="Non, les garder").click()
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.get_by_role("button", name="Nouvelle conversation")).to_be_focused()
    page.get_by_role("button", name="Nouvelle conversation").click()
    page.keyboard.press("Escape")  # Esc keeps it too
    expect(page.locator(".turn")).to_have_count(2)
    page.get_by_role("button", name="Nouvelle conversation").click()
    dialog.get_by_role("button", name="Oui, effacer et recommencer").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#live")).to_have_text("Nouvelle conversation commencée.")
    expect(page.get_by_label("Votre question", exact=True)).to_be_focused()
    assert page.dialogs == []  # in the page, never a browser pop-up


def _scroll(page):
    return page.evaluate("window.scrollY")


def _settled_scroll(page):
    """The scroll position once a (smooth) scroll has finished."""
    last = None
    for _ in range(50):
        page.wait_for_timeout(100)
        now = _scroll(page)
        if now == last:
            return now
        last = now
    return last


def test_it_follows_the_answer_until_the_resident_scrolls_up(new_page, fake_llm, town):
    page = new_page(**PHONE)
    sign_in(page)
    fake_llm.script.chunks = [
        f"Ligne {n} de la réponse, assez longue pour tenir une ligne.\n\n" for n in range(40)
    ]
    fake_llm.script.delay = 0.12
    ask(page, "Quand a lieu le marché ?")
    answer = answers(page).last
    expect(answer).to_contain_text("Ligne 6")
    # Followed: the latest words are in view above the pinned question box...
    assert _scroll(page) > 0
    snap(page, "controls-phone-following")
    page.mouse.wheel(0, -600)  # ...until the resident scrolls up to read
    back = page.get_by_role("button", name="Aller à la fin")
    expect(back).to_be_visible()
    where = _settled_scroll(page)
    expect(answer).to_contain_text("Ligne 20")
    assert abs(_scroll(page) - where) < 2, "the page moved under the resident's eyes"
    snap(page, "controls-phone-scrolled-up")
    back.click()
    expect(back).to_be_hidden()
    answered(page)
    assert page.evaluate(
        "window.scrollY + innerHeight >= document.documentElement.scrollHeight - 48"
    )
    # The question box stayed pinned at the bottom of the screen all along.
    box = page.locator("#ask-form").bounding_box()
    assert abs(box["y"] + box["height"] - 844) < 2


def test_it_keeps_the_start_of_a_long_answer_on_screen(new_page, fake_llm, town):
    page = new_page(**PHONE)
    sign_in(page)
    fake_llm.script.chunks = [f"Paragraphe {n}, une phrase entière.\n\n" for n in range(60)]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    top = page.locator(".turn-assistant").last.bounding_box()["y"]
    assert 0 <= top < 200, "the answer's first line scrolled out of sight on its own"
    expect(page.get_by_role("button", name="Aller à la fin")).to_be_visible()


def test_it_reads_an_answer_aloud_in_french_and_takes_dictation(new_page, fake_llm, town):
    page = new_page(**PHONE)
    page.add_init_script(SPEECH)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page)
    page.get_by_role("button", name="Dicter").tap()
    expect(page.get_by_label("Votre question", exact=True)).to_have_value("Quand a lieu le marché")
    assert page.evaluate("window.__heard.lang") == "fr-FR"
    fake_llm.script.chunks = ["Le marché a lieu le **samedi** [1].\n\n", "- place du Port"]
    page.get_by_role("button", name="Envoyer").tap()
    answered(page)
    before = len(requests)
    read = page.get_by_role("button", name="Lire la réponse")
    read.tap()
    expect(page.get_by_role("button", name="Arrêter la lecture")).to_have_attribute(
        "aria-pressed", "true"
    )
    snap(page, "controls-phone-reading")
    spoken = page.evaluate("window.__spoken")
    assert spoken == [
        {"text": "Le marché a lieu le samedi.\nplace du Port", "lang": "fr-FR", "voice": "Amélie"}
    ]
    expect(page.get_by_role("button", name="Lire la réponse")).to_be_visible()  # read to the end
    assert requests[before:] == []  # the page sent nothing anywhere to read or to listen


def test_it_hides_reading_and_dictation_where_the_browser_lacks_them(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    page.add_init_script(NO_SPEECH)
    sign_in(page)
    expect(page.locator("#dictate")).to_be_hidden()
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    expect(page.get_by_role("button", name="Lire la réponse")).to_have_count(0)
    expect(page.get_by_role("button", name="Copier")).to_be_visible()
