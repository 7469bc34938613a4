"""Staff pages in a real browser: switch provider in one click, a failing provider shown after
one answer, restore a retired document, restore a prompt, the playground's answer; axe-core
on every staff page; screenshots at 1280x800, 1024x768 (document table) and 390x844."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from knowledge.prompt import DEFAULT_TEMPLATE, active_template
from providers.models import Kind, ProviderConfig
from providers.registry import configured_chain
from tests.support.browser import answers, ask, run_axe, shot, sign_in, staff_sign_in
from tests.support.documents import add_document
from tests.support.fakellm import FakeServer
from tests.support.providers import activate, add_price
from tests.support.sockets import free_port_url

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


class Clicks:
    """Counts the clicks a person makes on a page (every pointer click, on anything)."""

    def __init__(self, page):
        self.count = 0
        page.expose_function("countClick", self._add)
        page.add_init_script("document.addEventListener('click', () => window.countClick(), true)")

    def _add(self):
        self.count += 1


def test_it_switches_from_offline_to_mistral_in_one_click(new_page, adele):
    with FakeServer("mistral") as server:
        offline = ProviderConfig.objects.create(name="Hors ligne", kind=Kind.OFFLINE, order=10)
        mistral = activate(server.base_url, "mistral", order=20, name="Mistral")
        add_price(mistral, 0.09, 0.26)
        assert configured_chain()[0].name == offline.name
        page = new_page(viewport=DESKTOP, bypass_csp=True)
        staff_sign_in(page, adele, "/providers/")
        clicks = Clicks(page)
        page.reload()
        card = page.locator(f"#card-{mistral.pk}")
        card.get_by_role("button", name="Utiliser").click()
        expect(page.locator(f"#card-{mistral.pk} .badge-active")).to_have_text(
            "Répond aux habitants"
        )
        assert clicks.count == 1
        assert configured_chain()[0].name == "Mistral"
        expect(page.locator("#chain li").first).to_contain_text("Mistral")
        shot(page, "providers-1280")
        assert run_axe(page) == []


def test_it_shows_a_failing_provider_after_one_resident_answer(new_page, adele, town):
    broken = ProviderConfig.objects.create(
        name="Albert",
        kind=Kind.OPENAI_COMPATIBLE,
        model="albert-large",
        base_url=free_port_url(),
        order=1,
        timeout=2,
    )
    resident = new_page()
    sign_in(resident)
    ask(resident, "Quand a lieu le marché ?")
    expect(answers(resident).last).to_contain_text("marché", timeout=20_000)
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    staff_sign_in(page, adele, "/providers/")
    card = page.locator(f"#card-{broken.pk}")
    expect(card.locator(".health-failing")).to_contain_text("En échec")
    expect(card.locator(".health-failing")).to_contain_text("injoignable")
    expect(card).to_contain_text("1 réponse est passée au fournisseur suivant")
    expect(page.locator(".staff-banner")).to_contain_text("Albert a échoué")
    shot(page, "providers-failing-1280")
    assert run_axe(page) == []
    page.set_viewport_size(PHONE)
    shot(page, "providers-failing-390")


def test_it_retires_with_a_confirmation_and_restores_a_document(new_page, marius, eager_celery):
    doc = add_document("# Plage\nBaignade surveillée.".encode(), "plage.md", title="Plage")
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    staff_sign_in(page, marius, "/comms/")
    row = page.locator(f'tr[data-id="{doc.pk}"]')
    row.get_by_role("link", name="Ne plus utiliser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ne plus utiliser « Plage » ?")
    shot(page, "comms-retire-confirm-1280")
    assert run_axe(page) == []
    page.get_by_role("button", name="Oui, ne plus l'utiliser").click()
    expect(row.locator(".status-label")).to_have_text("Retiré")
    row.get_by_role("button", name="Rétablir").click()
    expect(row.locator(".status-label")).to_have_text("Prêt", timeout=15_000)
    doc.refresh_from_db()
    assert doc.chunks.exists()


def test_it_restores_the_default_prompt(new_page, marius):
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    staff_sign_in(page, marius, "/comms/prompt/")
    page.get_by_label("Consigne").fill("Réponds en vers pour {town}.")
    page.get_by_role("button", name="Enregistrer comme nouvelle version").click()
    assert active_template().text == "Réponds en vers pour {town}."
    page.get_by_role("button", name="Revenir à la consigne par défaut").click()
    expect(page.locator(".messages")).to_contain_text("par défaut est de nouveau en service")
    assert active_template().text == DEFAULT_TEMPLATE
    shot(page, "comms-prompt-1280")
    assert run_axe(page) == []


def test_it_shows_the_playground_answer_with_its_sources(new_page, marius, town, fake_llm):
    fake_llm.script.text = "Le marché a lieu le samedi matin, place du Port [1]."
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    staff_sign_in(page, marius, "/comms/playground/")
    page.get_by_label("Question de test").fill("Quand a lieu le marché ?")
    page.get_by_role("button", name="Demander").click()
    answer = page.locator("#answer")
    expect(answer).to_contain_text("samedi matin, place du Port")
    expect(answer.get_by_role("link", name="Magazine municipal de mars")).to_be_visible()
    details = page.locator(".retrieval-details")
    expect(details.locator(".chunks")).to_be_hidden()  # folded below
    assert "score" not in page.content()
    shot(page, "comms-playground-1280")
    assert run_axe(page) == []
    page.set_viewport_size(PHONE)
    shot(page, "comms-playground-390")


STAFF_PAGES = [
    ("adele", "/staff/", "staff-home"),
    ("adele", "/providers/", "providers"),
    ("adele", "/providers/add/", "providers-add"),
    ("adele", "/providers/add/mistral/", "providers-add-mistral"),
    ("adele", "/staff/people/", "people"),
    ("adele", "/spend/", "spend-empty"),
    ("adele", "/spend/quotas/", "spend-quotas"),
    ("marius", "/comms/", "comms-documents"),
    ("marius", "/comms/upload/", "comms-upload"),
    ("marius", "/comms/prompt/", "comms-prompt-offline"),
    ("marius", "/comms/playground/", "comms-playground-empty"),
    ("marius", "/comms/sites/", "comms-sites"),
    ("corinne", "/desk/", "desk"),
    ("corinne", "/desk/lookup", "desk-lookup"),
    ("adele", "/desk/audit/", "audit"),
]


@pytest.mark.parametrize(("who", "path", "name"), STAFF_PAGES)
def test_it_has_no_serious_accessibility_violations(new_page, request, who, path, name, town):
    ProviderConfig.objects.create(name="Mistral", kind=Kind.MISTRAL, order=20)
    add_document(
        b"# Guide\nFete.",
        "guide.md",
        title="Guide de septembre et octobre",
        kind="events_guide",
        valid_until=dt.date(2026, 10, 31),
    )
    page = new_page(viewport=DESKTOP, bypass_csp=True)
    staff_sign_in(page, request.getfixturevalue(who), path)
    shot(page, f"{name}-1280")
    assert run_axe(page) == []
    page.set_viewport_size(PHONE)
    shot(page, f"{name}-390")
    assert run_axe(page) == []
    if path == "/comms/":
        page.set_viewport_size(NARROW)
        shot(page, f"{name}-1024")
