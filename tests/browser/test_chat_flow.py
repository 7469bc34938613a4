"""A resident in the browser: sign in, ask, watch it stream, sources, failures, keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import answers, ask, issue_code, shot, sign_in
from tests.support.fakellm import Script

pytestmark = pytest.mark.browser

STREAMED = ["Le marché ", "a lieu le ", "**samedi matin**, ", "place du Port ", "[1]."]


def test_it_streams_a_sourced_answer_then_starts_a_new_conversation(page, fake_llm, town):
    sign_in(page)
    expect(page.locator("#allowance")).to_have_text(
        "Il vous reste environ 100 % de votre crédit de questions du mois."
    )
    shot(page, "chat-empty")
    fake_llm.script.chunks = STREAMED
    fake_llm.script.delay = 0.4
    ask(page, "Quand a lieu le marché ?")
    answer = answers(page).last
    expect(answer).to_contain_text("a lieu le")  # part of it, while the rest is still coming
    assert answer.get_attribute("aria-busy") == "true"
    assert "place du Port" not in answer.inner_text()
    shot(page, "chat-streaming")
    expect(answer).to_have_attribute("aria-busy", "false", timeout=10_000)
    expect(answer.locator("strong")).to_have_text("samedi matin")
    expect(page.locator("#live")).to_contain_text("Réponse complète")
    expect(page.locator("#notice")).to_contain_text("Réponses générées par une IA")
    source = page.locator(".turn-assistant .source-list .source-open").first
    expect(source).to_have_text("Magazine municipal de mars, page 1")
    shot(page, "chat-answered-sources")

    source.click()  # the source opens in the chat, the PDF link at the right page
    pdf = page.get_by_role("link", name="Ouvrir le PDF à la page 1")
    assert re.search(r"/documents/\d+/file#page=1$", pdf.get_attribute("href"))
    page.keyboard.press("Escape")
    expect(answers(page).last).to_contain_text("samedi matin")

    page.get_by_role("button", name="Nouvelle conversation").click()
    page.get_by_role("button", name="Oui, effacer et recommencer").click()
    expect(page.locator(".turn")).to_have_count(0)
    expect(page.locator("#live")).to_have_text("Nouvelle conversation commencée.")
    page.reload()
    expect(page.locator(".turn")).to_have_count(0)
    assert page.dialogs == []


def tab_to(page, condition: str, backwards: bool = False, limit: int = 15):
    """Press Tab (or Shift+Tab) until `condition` holds for the focused element."""
    for _ in range(limit):
        if page.evaluate(condition):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    assert page.evaluate(condition), f"never reached by keyboard: {condition}"


def test_it_works_with_the_keyboard_alone(page, fake_llm, town):
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi [1]."]
    page.keyboard.press("Tab")  # skip link first
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    tab_to(page, "document.activeElement.id === 'question'")
    page.keyboard.type("Quand a lieu le marché ?")
    tab_to(page, "document.activeElement.id === 'send'")  # after "Dicter", where offered
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid", "focus must be visible"
    page.keyboard.press("Enter")
    expect(answers(page).last).to_have_attribute("aria-busy", "false")
    tab_to(page, "document.activeElement.className === 'source-open'", backwards=True)
    shot(page, "chat-keyboard-focus")
    page.keyboard.press("Enter")
    expect(page.locator("#source-dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".source-open")).to_be_focused()
    page.get_by_role("button", name="Nouvelle conversation").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-new")).to_be_visible()  # Tab before it opens leaves the page
    tab_to(page, "document.activeElement.textContent === 'Oui, effacer et recommencer'")
    page.keyboard.press("Enter")
    expect(page.locator(".turn")).to_have_count(0)


def test_it_keeps_the_partial_answer_and_offers_to_retry_when_the_provider_breaks(
    page, fake_llm, town
):
    sign_in(page)
    chunks = ["Le marché a lieu ", "le samedi ", "matin."]
    fake_llm.script = Script(chunks=chunks, fault="cut", fault_after=2)
    ask(page, "Quand a lieu le marché ?")
    error = page.locator(".turn-error")
    expect(error).to_contain_text("interrompue")
    expect(error).to_contain_text("conservé")
    expect(answers(page).last).to_contain_text("Le marché a lieu le samedi")
    shot(page, "chat-provider-broke")
    fake_llm.script.fault = None
    page.get_by_role("button", name="Réessayer").click()
    expect(answers(page).last).to_contain_text("le samedi matin.")
    expect(page.locator(".turn-assistant")).to_have_count(1)
    expect(page.locator(".turn-error:visible")).to_have_count(0)


def test_it_keeps_what_arrived_when_the_network_drops(page, fake_llm, town):
    sign_in(page)
    fake_llm.script.chunks = ["Le marché ", "a lieu ", "le samedi."]
    fake_llm.script.delay = 0.5
    ask(page, "Quand a lieu le marché ?")
    expect(answers(page).last).to_contain_text("Le marché")
    page.context.set_offline(True)
    page.evaluate("window.stop()")  # the connection is cut under the page
    expect(page.locator(".turn-error")).to_contain_text("connexion")
    expect(answers(page).last).to_contain_text("Le marché")
    page.context.set_offline(False)
    expect(page.get_by_role("button", name="Réessayer")).to_be_visible()


def test_it_quotes_documents_when_no_provider_can_answer(page, fake_llm, town):
    sign_in(page)
    fake_llm.script.status = 500
    ask(page, "Quand a lieu le marché ?")
    expect(answers(page).last).to_contain_text("place du Port")
    expect(page.locator("#notice")).to_contain_text("extraits de documents")
    shot(page, "chat-offline-extracts")


def test_it_warns_about_personal_data_and_masks_it(page, fake_llm, town):
    sign_in(page)
    ask(page, "Rappelez-moi au 06 12 34 56 78 pour le marché")
    warning = page.locator("#pii-dialog")
    expect(warning).to_be_visible()
    expect(page.locator("#pii-title")).to_be_focused()
    expect(warning).to_contain_text("un numéro de téléphone")
    shot(page, "chat-personal-data-warning")
    page.get_by_role("button", name="Masquer et envoyer").click()
    expect(answers(page).last).to_have_attribute("aria-busy", "false")
    sent = str(fake_llm.bodies[-1]["messages"])
    assert "06 12 34 56 78" not in sent and "[téléphone masqué]" in sent
    expect(page.locator(".user-text").last).to_have_text(
        "Rappelez-moi au [téléphone masqué] pour le marché"
    )


def test_it_tells_a_resident_whose_code_was_suspended(page, fake_llm, town):
    sign_in(page, issue_code("suspended"), expect_chat=False)
    expect(page.locator("main")).to_contain_text("guichet")
    shot(page, "signin-suspended")
    page.goto(page.site + "/chat/")
    expect(page).to_have_url(page.site + "/")


def test_it_says_plainly_when_the_monthly_allowance_is_used_up(page, fake_llm, town):
    from metering.models import QuotaSettings

    quotas = QuotaSettings.current()
    quotas.code_monthly_tokens = 10  # less than any answer's worst case
    quotas.save()
    sign_in(page)
    ask(page, "Quand a lieu le marché ?")
    expect(page.locator(".turn-error")).to_contain_text("crédit de ce mois")
    expect(page.locator("#allowance")).to_contain_text("environ 0 %")
    expect(page.get_by_role("button", name="Réessayer")).to_have_count(0)
    expect(page.get_by_label("Votre question", exact=True)).to_have_value(
        "Quand a lieu le marché ?"
    )
    assert fake_llm.requests == []
    shot(page, "chat-allowance-used-up")


def test_it_asks_to_reload_a_page_whose_security_token_went_stale(page, fake_llm, town):
    sign_in(page)
    stale = "#ask-form input[name=csrfmiddlewaretoken]"
    page.evaluate(f"() => {{ document.querySelector('{stale}').value = 'x'.repeat(64); }}")
    ask(page, "Quand a lieu le marché ?")
    expect(page.locator(".turn-error")).to_contain_text("Veuillez la recharger")
    expect(page.get_by_label("Votre question", exact=True)).to_have_value(
        "Quand a lieu le marché ?"
    )
    assert fake_llm.requests == []


def test_it_asks_to_slow_down_when_rate_limited(page, fake_llm, town, settings):
    settings.CHAT_RATE = "1/m"
    sign_in(page)
    ask(page, "Quand a lieu le marché ?")
    expect(answers(page).last).to_have_attribute("aria-busy", "false")
    # django-ratelimit counts in fixed windows: the second question may open the next
    # minute's (1 chance in 30 or so), so a third, seconds later, must be refused then
    for attempt, question in enumerate(("Et la mairie ?", "Et la médiathèque ?")):
        ask(page, question)
        refused = page.locator(".turn-error").last
        try:
            expect(refused).to_contain_text("Patientez une minute", timeout=3000)
            break
        except AssertionError:
            if attempt:
                raise


def test_it_never_shows_a_conversation_to_the_next_resident_on_the_same_computer(
    page, fake_llm, town
):
    sign_in(page)
    ask(page, "Quand a lieu le marché ?")
    expect(answers(page).last).to_have_attribute("aria-busy", "false", timeout=10_000)
    page.get_by_role("button", name="Se déconnecter").first.click()
    expect(page).to_have_url(re.compile(r"/$"))
    sign_in(page, issue_code())  # the next resident, same tab
    expect(page.locator(".turn")).to_have_count(0)
    stored = page.evaluate("() => Object.keys(window.sessionStorage)")
    assert not [key for key in stored if key.startswith("arcachat.conversation")]


def _photo(path, colour):
    from PIL import Image

    Image.new("RGB", (40, 30), colour).save(path)
    return str(path)


def _image_sent(body) -> str:
    parts = body["messages"][-1]["content"]
    return next(p["image_url"]["url"] for p in parts if p.get("type") == "image_url")


def test_it_tries_a_question_again_with_its_own_photo(page, fake_llm, town, tmp_path):
    from providers.models import ProviderConfig

    ProviderConfig.objects.update(supports_images=True)
    sign_in(page)
    # The first answer breaks off: "Try again" is offered.
    fake_llm.script = Script(chunks=["Sur cette photo, ", "on voit…"], fault="cut", fault_after=1)
    page.set_input_files("#attachment", _photo(tmp_path / "red.png", "red"))
    ask(page, "Que montre cette photo ?")
    expect(page.get_by_role("button", name="Réessayer")).to_have_count(1)
    fake_llm.script.fault = None
    page.set_input_files("#attachment", _photo(tmp_path / "blue.png", "blue"))
    ask(page, "Et celle-ci ?")
    expect(page.locator(".turn-assistant")).to_have_count(2)  # checked, then asked
    expect(answers(page).last).to_have_attribute("aria-busy", "false", timeout=10_000)
    first_photo = _image_sent(fake_llm.bodies[0])
    page.get_by_role("button", name="Réessayer").click()  # the first question, its red photo
    expect(answers(page).last).to_have_attribute("aria-busy", "false", timeout=10_000)
    assert len(fake_llm.bodies) >= 3
    assert _image_sent(fake_llm.bodies[-1]) == first_photo
    assert _image_sent(fake_llm.bodies[1]) != first_photo
