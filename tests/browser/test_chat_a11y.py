"""Accessibility of the landing and chat pages: axe-core scan, phone width, 200% zoom, text size."""

import pytest

from tests.support.browser import ask, run_axe, shot, sign_in

pytestmark = pytest.mark.browser


def test_it_has_no_serious_axe_violation_on_the_landing_page(new_page):
    page = new_page(bypass_csp=True)  # only so that axe can be injected as a script tag
    page.goto(page.site + "/")
    shot(page, "landing")
    assert run_axe(page) == []


def test_it_has_no_serious_axe_violation_on_the_chat_page(new_page, fake_llm, town):
    page = new_page(bypass_csp=True)
    sign_in(page)
    assert run_axe(page) == []
    fake_llm.script.chunks = ["Le marché a lieu le **samedi** matin [1].\n\n", "- place du Port"]
    ask(page, "Quand a lieu le marché ?")
    page.get_by_role("heading", name="Sources").first.wait_for()
    shot(page, "chat-answered")
    assert run_axe(page) == []


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_it_fits_a_phone_screen_320_px_wide(new_page, fake_llm, town):
    page = new_page(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    page.goto(page.site + "/")
    assert _no_sideways_scroll(page)
    shot(page, "landing-phone")
    sign_in(page)
    fake_llm.script.chunks = ["Le marché a lieu le samedi matin, place du Port [1]."]
    ask(page, "Quand a lieu le marché ?")
    page.get_by_role("heading", name="Sources").first.wait_for()
    assert _no_sideways_scroll(page)
    shot(page, "chat-phone")


def test_it_stays_usable_at_200_percent_zoom(new_page, fake_llm, town):
    # 200% zoom of a 1280 px window is what a 640 px window shows at scale 2.
    page = new_page(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    sign_in(page)
    assert _no_sideways_scroll(page)
    page.get_by_label("Votre question", exact=True).fill("Bonjour")
    assert page.get_by_role("button", name="Envoyer").is_visible()
    shot(page, "chat-zoom-200")


def test_it_remembers_the_chosen_text_size(page):
    page.goto(page.site + "/")
    size = "parseFloat(getComputedStyle(document.body).fontSize)"
    assert page.evaluate(size) >= 18
    page.get_by_role("button", name="Très grand texte").click()
    bigger = page.evaluate(size)
    assert bigger >= 28
    page.reload()
    assert page.evaluate(size) == bigger
    assert (
        page.get_by_role("button", name="Très grand texte").get_attribute("aria-pressed") == "true"
    )
    shot(page, "landing-larger-text")
