"""Accessibility of every state of the chat page, on a desktop and on a phone: axe-core finds
no violation at all, every control is at least 44 x 44 px, nothing scrolls sideways at the
largest text on a 320 px phone, the answer is announced once, and the phone's header is small."""

import pytest
from playwright.sync_api import expect

from tests.browser.chatpage import (
    PHONE,
    SCREENS,
    add_markdown_document,
    answered,
    axe_violations,
    sideways_scroll,
    small_targets,
    snap,
)
from tests.support.browser import answers, ask, sign_in

pytestmark = pytest.mark.browser

LARGEST_TEXT = "localStorage.setItem('arcachat.textSize', 'larger')"
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}


def check_state(page, name):
    """Look at it (screenshot), then axe-core and the size of every control."""
    snap(page, name)
    assert axe_violations(page) == [], name
    assert small_targets(page) == [], name


@pytest.mark.parametrize("screen", SCREENS)
def test_it_is_accessible_in_every_state_of_an_answer(new_page, fake_llm, town, screen):
    page = new_page(bypass_csp=True, **SCREENS[screen])  # bypass: only to inject axe-core
    sign_in(page)
    check_state(page, f"a11y-{screen}-empty")
    fake_llm.script.chunks = [
        "Le marché a lieu ",
        "le **samedi** matin ",
        "[1].\n\n",
        "- place du Port",
    ]
    fake_llm.script.delay = 0.8
    ask(page, "Quand a lieu le marché ?")
    expect(answers(page).last).to_contain_text("a lieu")
    check_state(page, f"a11y-{screen}-streaming")
    answered(page)
    check_state(page, f"a11y-{screen}-answered")
    page.get_by_role("button", name="Non").click()
    expect(page.get_by_role("button", name="Incomplète")).to_be_visible()
    check_state(page, f"a11y-{screen}-feedback")
    page.locator(".source-open").first.click()
    expect(page.locator(".passage-hit")).to_be_visible()
    check_state(page, f"a11y-{screen}-source-panel")
    page.keyboard.press("Escape")
    fake_llm.script.delay = 0.6
    ask(page, "Et le dimanche ?")
    expect(page.locator(".turn-assistant")).to_have_count(2)
    expect(answers(page).last).to_contain_text("a lieu")
    page.get_by_role("button", name="Arrêter la réponse").click()
    expect(page.locator(".turn-stopped").last).to_be_visible()
    check_state(page, f"a11y-{screen}-stopped")
    page.get_by_role("button", name="Modifier la question").click()
    check_state(page, f"a11y-{screen}-editing")
    page.get_by_role("button", name="Annuler la modification").click()
    fake_llm.script.delay = 0
    fake_llm.script.fault = "cut"
    fake_llm.script.fault_after = 1
    ask(page, "Et en hiver ?")
    expect(page.locator(".turn-error").last).to_contain_text("interrompue")
    check_state(page, f"a11y-{screen}-error")
    page.get_by_role("button", name="Nouvelle conversation").click()
    check_state(page, f"a11y-{screen}-confirm-new")


@pytest.mark.parametrize("screen", SCREENS)
def test_it_is_accessible_while_warning_about_personal_data(new_page, fake_llm, town, screen):
    page = new_page(bypass_csp=True, **SCREENS[screen])
    sign_in(page)
    ask(page, "Je suis Jeanne Martin, 12 rue du Port : quand a lieu le marché ?")
    expect(page.locator("#pii-dialog")).to_be_visible()
    check_state(page, f"a11y-{screen}-guard")


def test_it_folds_the_header_into_one_menu_on_a_phone(new_page, fake_llm, town):
    page = new_page(bypass_csp=True, **PHONE)
    sign_in(page)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 70, header  # it took ~370 of 844 px before
    menu = page.get_by_role("button", name="Menu")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="Texte normal")).to_be_focused()  # the first inside
    check_state(page, "a11y-phone-menu-open")
    page.get_by_role("button", name="Très grand texte").click()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 100, header  # at the largest text too
    snap(page, "a11y-phone-larger-text")
    menu.click()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(page.site + "/")


def test_it_announces_an_answer_once_when_it_is_complete(new_page, fake_llm, town):
    page = new_page(**PHONE)
    sign_in(page)
    page.evaluate(
        """() => { window.__said = [];
        new MutationObserver(() => { const t = document.getElementById('live').textContent;
          if (t) window.__said.push(t); })
        .observe(document.getElementById('live'),
                 {childList: true, characterData: true, subtree: true}); }"""
    )
    fake_llm.script.chunks = ["Le marché ", "a lieu ", "le samedi ", "matin [1]."]
    fake_llm.script.delay = 0.3
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    page.wait_for_timeout(300)
    said = page.evaluate("window.__said")
    assert said == [
        "L'assistant écrit sa réponse…",
        "Réponse complète : Le marché a lieu le samedi matin [1].",
    ]
    assert answers(page).last.get_attribute("aria-live") is None  # never word by word


@pytest.mark.parametrize("where", ["landing", "chat"])
def test_it_never_scrolls_sideways_at_the_largest_text_on_a_small_phone(
    new_page, fake_llm, town, where
):
    page = new_page(**SMALL_PHONE)
    page.add_init_script(LARGEST_TEXT)
    page.goto(page.site + "/")
    if where == "landing":
        assert not sideways_scroll(page)
        assert small_targets(page) == []
        snap(page, "a11y-320-larger-landing")
        return
    add_markdown_document()
    sign_in(page)
    assert not sideways_scroll(page)
    fake_llm.script.chunks = [
        "Le marché a lieu le samedi matin [1]. https://www.port-lumiere.example/marches-et-foires-du-littoral\n\n",
        "- place du Port\n- Allô Propreté : 05 00 00 40 00",
    ]
    ask(page, "Quand a lieu le marché ?")
    answered(page)
    page.get_by_role("button", name="Non").click()
    assert not sideways_scroll(page)
    snap(page, "a11y-320-larger-chat")
    page.get_by_role("button", name="Menu").click()
    assert not sideways_scroll(page)
    page.keyboard.press("Escape")
    page.locator(".source-open").first.click()
    expect(page.locator(".passage-hit")).to_be_visible()
    assert not sideways_scroll(page)
    snap(page, "a11y-320-larger-source")
    page.keyboard.press("Escape")
    ask(page, "Je suis Jeanne Martin, 12 rue du Port : quand a lieu le marché ?")
    expect(page.locator("#pii-dialog")).to_be_visible()
    assert not sideways_scroll(page)
    snap(page, "a11y-320-larger-guard")
