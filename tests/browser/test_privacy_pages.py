"""The privacy pages in a real browser: an admin reads the page at desktop and phone widths,
opens a table, declares where a server runs; a resident reads the notice. axe-core finds no
serious violation; screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import run_axe, shot, staff_sign_in

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _providers():
    from providers.models import Kind, ProviderConfig

    ProviderConfig.objects.create(name="Mistral", kind=Kind.MISTRAL, order=1)
    ProviderConfig.objects.create(
        name="Serveur loué",
        kind=Kind.OPENAI_COMPATIBLE,
        order=2,
        base_url="https://llm.example.org/v1",
    )


def _sign_in_admin(page, adele):
    staff_sign_in(page, adele, "/privacy/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vie privée")


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_the_privacy_page_to_an_admin(new_page, adele, size):
    _providers()
    page = new_page(bypass_csp=True, viewport=SIZES[size])  # axe is injected as a script
    _sign_in_admin(page, adele)
    warnings = page.locator("section.privacy-check")
    expect(warnings).to_contain_text("Serveur loué")
    expect(page.locator(".staff-bar")).to_contain_text("Vie privée (⚠ hors UE)")
    page.locator("summary", has_text="Codes d'accès des habitants").click()
    expect(page.get_by_text("empreinte du code (HMAC")).to_be_visible()
    shot(page, f"privacy-page-{size}")
    assert run_axe(page) == []
    assert _no_sideways_scroll(page)  # on a phone each table row stacks its cells


def test_it_lets_an_admin_declare_where_a_server_runs(new_page, adele):
    _providers()
    page = new_page()
    _sign_in_admin(page, adele)
    page.get_by_label("Où « Serveur loué » traite-t-il les questions ?").select_option("FR")
    page.get_by_role("button", name="Enregistrer").first.click()
    expect(page.locator(".messages")).to_contain_text("Enregistré")
    expect(page.locator("section.privacy-check")).not_to_contain_text("Serveur loué")
    expect(page.locator(".staff-bar")).not_to_contain_text("hors UE")


@pytest.mark.parametrize("size", SIZES)
def test_it_shows_residents_the_notice_from_the_home_page(new_page, size):
    _providers()
    page = new_page(bypass_csp=True, viewport=SIZES[size])
    page.goto(page.site + "/")
    page.get_by_role("link", name="Comment la mairie traite vos données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vos données et l'assistant de la mairie"
    )
    expect(page.locator("main")).to_contain_text("Mistral AI, qui les traite en France")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert _no_sideways_scroll(page)
    shot(page, f"privacy-notice-{size}")
    assert run_axe(page) == []
