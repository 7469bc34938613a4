"""The web site sync in a real browser: add the town's site, start a sync, watch it progress
without reloading (under the strict CSP), pause and resume it, read the report; screenshots
at desktop and phone sizes; accessibility."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import run_axe, shot, staff_sign_in
from tests.support.sitekit import Page, TownSite, filler

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def town_site(settings):
    """Twelve pages, one of them broken, served from 127.0.0.1 (allowed for tests only)."""
    settings.KNOWLEDGE_URL_ALLOW_PRIVATE = True
    settings.KNOWLEDGE_URL_TIMEOUT = 2.0
    pages = {
        f"/vie-pratique/{slug}": Page(title, filler(title, text, i))
        for i, (slug, title, text) in enumerate(
            [
                ("mairie", "Mairie", "Ouverte du lundi au vendredi de 9 h à 17 h."),
                ("piscine", "Piscine municipale", "Entrée adulte : 4 euros."),
                ("marche", "Marché", "Le samedi matin place du Port."),
                ("encombrants", "Encombrants", "Le premier mardi du mois."),
                ("plages", "Plages", "Surveillées en juillet et en août."),
                ("cantine", "Cantine scolaire", "Inscriptions avant le 30 juin."),
                ("mediatheque", "Médiathèque", "Inscription gratuite."),
                ("decheterie", "Déchèterie", "Fermée le jeudi."),
                ("etat-civil", "État civil", "Sur rendez-vous."),
                ("urbanisme", "Urbanisme", "Permis de construire en ligne."),
                ("elections", "Élections", "Inscriptions sur les listes."),
            ]
        )
    }
    pages["/vie-pratique/ancienne-page"] = Page("Ancienne page", status=500)
    with TownSite(pages) as site:
        yield site


@pytest.fixture
def strict_page(new_page, marius):
    """Marius signed in, in a tab that keeps the site's CSP (nothing inline may run)."""
    tab = new_page(viewport=SIZES["desktop"])
    staff_sign_in(tab, marius, "/comms/")
    tab.violations = []
    tab.on(
        "console",
        lambda msg: tab.violations.append(msg.text) if "Content Security" in msg.text else None,
    )
    return tab


def add_site(page, url: str, rate: str = "3") -> None:
    nav = page.get_by_role("navigation", name="Documents de la ville")
    nav.get_by_role("link", name="Sites web").click()
    page.get_by_role("link", name="Ajouter un site web").click()
    page.get_by_label("Nom").fill("Site de la ville")
    page.get_by_label("Adresse de départ").fill(url)
    page.get_by_label("Synchronisation automatique").select_option("weekly")
    page.get_by_text("Plus de réglages").click()  # folded: the defaults suit most sites
    page.get_by_label("Requêtes par seconde").fill(rate)
    page.get_by_role("button", name="Ajouter ce site").click()
    expect(page.locator("#run-status")).to_have_text("Aucune synchronisation pour l'instant.")


def test_it_shows_a_sync_progress_live_then_its_report(strict_page, town_site, eager_celery):
    page = strict_page
    add_site(page, town_site.url + "/")
    page.get_by_role("button", name="Lancer une synchronisation").click()
    page.evaluate("window.notReloaded = true")
    expect(page.locator("#run-status")).to_have_text("En cours", timeout=10_000)
    expect(page.locator("#run-pages")).to_contain_text("pages lues sur 12", timeout=10_000)
    expect(page.locator("#run-current")).to_contain_text("/vie-pratique/")
    expect(page.get_by_role("button", name="Mettre en pause")).to_be_visible()
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        shot(page, f"site-sync-running-{name}")
    expect(page.locator("#run-status")).to_have_text("Terminée", timeout=20_000)
    assert page.evaluate("window.notReloaded") is True  # refreshed by the script alone
    expect(page.locator("#run-pages")).to_have_text("12 pages lues sur 12")
    expect(page.locator("#run-counts")).to_contain_text("11 ajoutées")
    expect(page.locator("#report tbody tr")).to_have_count(12)
    failed = page.locator("#report tbody tr", has_text="En échec")
    expect(failed.get_by_role("link", name="/vie-pratique/ancienne-page")).to_have_attribute(
        "href", town_site.url + "/vie-pratique/ancienne-page"
    )
    expect(failed).to_contain_text("erreur 500")
    expect(page.get_by_role("button", name="Lancer une synchronisation")).to_be_visible()
    expect(page.get_by_role("button", name="Mettre en pause")).to_be_hidden()
    expect(page.locator("#site-synced")).to_have_text("11")  # the page's figures follow too
    expect(page.locator("#pages-title")).to_have_text("12 pages connues")
    expect(page.get_by_role("link", name="Afficher la liste à jour")).to_be_visible()
    expect(page.locator("#report tbody tr").first).to_contain_text("En échec")  # first
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        shot(page, f"site-sync-done-{name}")
    assert page.violations == []


def test_it_pauses_and_resumes_a_sync_from_the_page(strict_page, town_site, eager_celery):
    page = strict_page
    add_site(page, town_site.url + "/", rate="2")
    page.get_by_role("button", name="Lancer une synchronisation").click()
    expect(page.locator("#run-status")).to_have_text("En cours", timeout=10_000)
    page.get_by_role("button", name="Mettre en pause").click()
    expect(page.locator("#run-status")).to_have_text("En pause", timeout=10_000)
    expect(page.get_by_role("button", name="Reprendre")).to_be_visible()
    shot(page, "site-sync-paused-desktop")
    page.get_by_role("button", name="Reprendre").click()
    expect(page.locator("#run-status")).to_have_text("Terminée", timeout=30_000)
    expect(page.locator("#run-pages")).to_have_text("12 pages lues sur 12")


@pytest.mark.parametrize("path", ["/comms/sites/", "/comms/sites/add/"])
def test_it_has_no_serious_accessibility_violations(comms_page, path):
    comms_page.goto(comms_page.site + path)
    assert run_axe(comms_page) == []


def test_it_has_an_accessible_site_page(comms_page, town_site):
    from knowledge.models import WebSite

    site = WebSite.objects.create(name="Site de la ville", start_url=town_site.url + "/")
    comms_page.goto(f"{comms_page.site}/comms/sites/{site.pk}/")
    assert run_axe(comms_page) == []
    comms_page.goto(f"{comms_page.site}/comms/sites/{site.pk}/edit/")
    for name, size in SIZES.items():
        comms_page.set_viewport_size(size)
        shot(comms_page, f"site-sync-form-{name}")
    assert run_axe(comms_page) == []
