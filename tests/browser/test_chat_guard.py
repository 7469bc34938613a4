"""The personal-data guard in a real browser: a name and a street address are found by the
server's check and masked before sending; nothing reaches the provider before the resident
chose; the server refuses a question the page let through unchecked."""

import pytest
from playwright.sync_api import expect

from tests.browser.chatpage import DESKTOP, PHONE, SCREENS, answered, snap, wait_for
from tests.support.browser import ask, sign_in

pytestmark = pytest.mark.browser

JEANNE = "Bonjour, je suis Jeanne Martin, 12 rue du Port, quand a lieu le marché ?"


def _last_question_sent(fake_llm) -> str:
    return str(fake_llm.bodies[-1]["messages"][-1]["content"])


@pytest.mark.parametrize("screen", SCREENS)
def test_it_masks_a_name_and_a_street_address_before_sending(new_page, fake_llm, town, screen):
    page = new_page(**SCREENS[screen])
    sign_in(page)
    ask(page, JEANNE)
    dialog = page.get_by_role("dialog", name="Des informations personnelles ?")
    expect(dialog).to_be_visible()
    expect(page.locator("#pii-title")).to_be_focused()
    expect(dialog).to_contain_text("le nom d'une personne et une adresse personnelle")
    expect(dialog.locator("mark")).to_have_count(2)
    expect(dialog.locator("mark").first).to_contain_text("Jeanne Martin")
    expect(dialog.locator("mark").last).to_contain_text("12 rue du Port")
    expect(page.locator("#pii-masked")).to_have_text(
        "Bonjour, je suis [nom masqué], [adresse masquée], quand a lieu le marché ?"
    )
    snap(page, f"guard-{screen}-warning")
    page.wait_for_timeout(500)
    assert len(fake_llm.requests) == 0, "nothing leaves before the resident chose"
    dialog.get_by_role("button", name="Masquer et envoyer").click()
    answered(page)
    sent = _last_question_sent(fake_llm)
    assert "Jeanne" not in sent and "12 rue du Port" not in sent
    assert "[nom masqué]" in sent and "[adresse masquée]" in sent
    expect(page.locator(".user-text").last).to_have_text(
        "Bonjour, je suis [nom masqué], [adresse masquée], quand a lieu le marché ?"
    )
    expect(page.get_by_label("Votre question", exact=True)).to_have_value("")


def test_it_sends_as_it_is_when_the_resident_chooses_so(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    sign_in(page)
    ask(page, JEANNE)
    page.get_by_role("button", name="Envoyer quand même").click()
    answered(page)
    assert "Jeanne Martin, 12 rue du Port" in _last_question_sent(fake_llm)
    # The same question asked again for a new answer keeps the resident's choice.
    page.get_by_role("button", name="Nouvelle réponse").click()
    wait_for(lambda: len(fake_llm.requests) == 2)
    answered(page)
    expect(page.locator(".turn-error")).to_have_count(1)  # hidden, nothing refused
    expect(page.locator(".turn-error:visible")).to_have_count(0)


@pytest.mark.parametrize("how", ["button", "escape"])
def test_it_gives_the_message_back_to_edit_with_the_name_selected(new_page, fake_llm, town, how):
    page = new_page(**PHONE)
    sign_in(page)
    ask(page, JEANNE)
    dialog = page.get_by_role("dialog", name="Des informations personnelles ?")
    expect(dialog).to_be_visible()
    if how == "button":
        dialog.get_by_role("button", name="Modifier mon message").tap()
    else:
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    box = page.get_by_label("Votre question", exact=True)
    expect(box).to_be_focused()
    expect(box).to_have_value(JEANNE)
    selected = page.evaluate(
        "() => { const q = document.getElementById('question');"
        " return q.value.slice(q.selectionStart, q.selectionEnd); }"
    )
    assert selected == "Jeanne Martin"
    expect(page.locator(".turn")).to_have_count(0)
    assert len(fake_llm.requests) == 0


def test_it_finds_a_phone_number_with_the_pages_own_check_when_the_server_cannot(
    new_page, fake_llm, town
):
    page = new_page(**DESKTOP)
    page.route("**/chat/check", lambda route: route.abort())
    sign_in(page)
    ask(page, "Rappelez-moi au 06 12 34 56 78 pour le marché")
    dialog = page.get_by_role("dialog", name="Des informations personnelles ?")
    expect(dialog).to_contain_text("un numéro de téléphone")
    dialog.get_by_role("button", name="Masquer et envoyer").click()
    answered(page)
    sent = _last_question_sent(fake_llm)
    assert "06 12 34 56 78" not in sent and "[téléphone masqué]" in sent


def test_it_is_stopped_by_the_server_when_the_pages_check_missed_a_name(new_page, fake_llm, town):
    page = new_page(**DESKTOP)
    page.route("**/chat/check", lambda route: route.abort())  # the page's patterns see no name
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.url.endswith("/chat/ask") else None)
    sign_in(page)
    ask(page, JEANNE)
    dialog = page.get_by_role("dialog", name="Des informations personnelles ?")
    expect(dialog).to_be_visible()  # from the server's refusal (409), with its findings
    expect(dialog.locator("mark").first).to_contain_text("Jeanne Martin")
    assert len(asked) == 1 and len(fake_llm.requests) == 0
    expect(page.locator(".turn")).to_have_count(0)
    dialog.get_by_role("button", name="Masquer et envoyer").click()
    answered(page)
    assert "Jeanne" not in _last_question_sent(fake_llm)
