"""The counter desk in a real browser: issue, look a code up, suspend, reissue; accessibility."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import run_axe, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(open_desk):
    """Corinne at the desk; CSP bypassed only so that axe-core can be injected."""
    return open_desk(bypass_csp=True)


def test_it_walks_a_counter_through_a_lost_slip(desk):
    from accesscodes.models import AccessCode

    assert run_axe(desk) == []
    shot(desk, "desk-home")
    desk.get_by_role("button", name="Émettre un code et imprimer sa fiche").click()
    first = desk.locator(".slip-code").get_attribute("data-code")
    assert run_axe(desk) == []
    desk.get_by_role("link", name="Retour au guichet").click()

    desk.get_by_label("Code tapé depuis la fiche").fill(first.lower().replace("-", " "))
    desk.get_by_role("button", name="Voir son état").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Code N° 0001")
    expect(desk.locator(".status-badge")).to_have_text("actif")
    expect(desk.locator(".facts").last).to_contain_text("Questions posées")
    assert run_axe(desk) == []
    shot(desk, "desk-code")

    desk.get_by_role("button", name="Suspendre").click()
    expect(desk.locator(".status-badge")).to_have_text("suspendu")
    desk.get_by_role("button", name="Réactiver").click()
    expect(desk.locator(".status-badge")).to_have_text("actif")

    desk.get_by_label("Je confirme : révoquer ce code et en imprimer un nouveau").check()
    desk.get_by_role("button", name="Remplacer").click()
    expect(desk.get_by_role("alert")).to_contain_text("une fois")
    second = desk.locator(".slip-code").get_attribute("data-code")
    assert second != first
    assert AccessCode.find(first).status == "revoked"
    assert AccessCode.find(second).replaces == AccessCode.find(first)

    desk.goto(desk.site + "/desk/codes/1/")
    expect(desk.locator(".facts").first).to_contain_text(re.compile(r"Remplacé par\s*N° 0002"))
    assert first not in desk.content() and second not in desk.content()


def test_it_tells_the_counter_a_code_looks_mistyped(desk):
    desk.get_by_label("Code tapé depuis la fiche").fill("ABCD-EFGH")
    desk.get_by_role("button", name="Voir son état").click()
    expect(desk.get_by_role("alert")).to_contain_text("semble mal saisi")
    assert run_axe(desk) == []
