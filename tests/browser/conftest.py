"""Fixtures of the browser suite: one headless chromium for the session and its fresh tabs.

The app (`site`), personas, the town and the fake provider come from tests/support/fixtures.py.
"""

import pytest

from tests.support.browser import CHROMIUM, LAUNCH_ARGS, open_tab, staff_sign_in


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """One headless chromium for the session, started after the test database exists."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, site):
    """Open fresh tabs (own storage) that record any dialog a script might open."""
    contexts = []

    def make(bypass_csp=False, **options):
        options = {"viewport": {"width": 1100, "height": 900}, **options}
        context, tab = open_tab(chromium, site, bypass_csp=bypass_csp, **options)
        contexts.append(context)
        return tab

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def open_desk(new_page, corinne, settings):
    """open_desk(**tab_options): Corinne signed in at the desk of the Maison de quartier des
    Dunes, in a new tab."""
    from accesscodes.models import Site

    def open_(**options):
        page = new_page(**options)
        settings.SITE_URL = page.site  # the QR codes open this test server
        Site.objects.create(name="Maison de quartier des Dunes", address="3 rue des Oyats")
        staff_sign_in(page, corinne, "/desk/")
        return page

    return open_


@pytest.fixture
def comms_page(new_page, marius):
    """Marius signed in; CSP bypassed only so that axe-core can be injected."""
    page = new_page(bypass_csp=True)
    staff_sign_in(page, marius, "/comms/")
    return page
