"""The database failing while a question is prepared: a plain 503 the chat page can retry.

Every query fails (tests/faults/kit.py `database_down`), as when the connection pool cannot
reach PostgreSQL within its 10 s: the chat answers 503 JSON `unavailable` with a plain
message, reserves and charges nothing, and the chat page shows the message with a retry
that answers once the database is back. The live outage is in test_database_restart.py.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from tests.faults.kit import (
    NORMAL,
    NORMAL_RECORD,
    UNAVAILABLE,
    UNAVAILABLE_FR,
    Books,
    database_down,
    french,
    priced_provider,
)
from tests.faults.kit import ask as ask_endpoint
from tests.support.browser import CHROMIUM, LAUNCH_ARGS, answers, ask, open_tab, sign_in

pytestmark = [
    pytest.mark.faults,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]


@pytest.mark.django_db
def test_it_says_the_service_is_unavailable_then_answers_once_the_database_is_back(
    resident, fake, caplog
):
    priced_provider(fake.base_url)
    client = Client(raise_request_exception=False)
    assert client.post("/signin", {"code": resident.plain}).status_code == 302
    with database_down():
        reply = ask_endpoint(client)
    assert reply.status == 503  # not a raw "Server Error (500)" page
    assert reply.body == {"error": "unavailable", "message": french(UNAVAILABLE)}
    logged = [r.getMessage() for r in caplog.records if r.name == "arcachat.chat"]
    assert logged == ["chat preparation failed: database unavailable: OperationalError"]
    assert fake.requests == []  # the vendor was never asked
    books = Books.read()
    books.assert_balanced()
    assert books.records == []  # nothing reserved, nothing charged

    again = ask_endpoint(client)  # the database is back: no restart
    assert again.status == 200 and again.names[-2:] == ["sources", "done"]
    assert again.text == NORMAL.text
    Books.read().assert_balanced()
    assert Books.read().records == [NORMAL_RECORD]


def test_it_has_the_unavailable_message_in_french():
    """The resident reads French: locale/fr must translate the 503 message (and be compiled
    into django.mo, which the app reads)."""
    assert french(UNAVAILABLE) == UNAVAILABLE_FR


def chat_page_during_an_outage(site: str, code: str) -> dict:
    """A resident on the chat page asks while the database is down, then retries once it is
    back. Runs in a thread of its own: Playwright's event loop stays off the ORM's thread."""
    from playwright.sync_api import expect, sync_playwright

    seen = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            _context, page = open_tab(browser, site)
            page.set_default_timeout(15_000)
            sign_in(page, code)
            with database_down():
                ask(page, "Quand a lieu le marché ?")
                error = page.locator(".turn-error")
                expect(error).to_be_visible()
                expect(page.get_by_role("button", name="Réessayer")).to_be_visible()
                seen["error"] = error.inner_text()
            page.get_by_role("button", name="Réessayer").click()
            expect(answers(page).last).to_have_attribute("aria-busy", "false")
            seen["answer"] = answers(page).last.inner_text()
            seen["assistant turns"] = page.locator(".turn-assistant").count()
            seen["errors left"] = page.locator(".turn-error:visible").count()
        finally:
            browser.close()
    return seen


@pytest.mark.browser
def test_it_shows_the_message_on_the_chat_page_with_a_retry_that_answers(site, fake):
    from accesscodes.models import AccessCode

    priced_provider(fake.base_url)
    _code, plain = AccessCode.issue()
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(chat_page_during_an_outage, site, plain).result(timeout=120)
    assert french(UNAVAILABLE) in seen["error"]  # the server's message, not "check your network"
    assert "connexion" not in seen["error"]
    assert NORMAL.text.split(",")[0] in seen["answer"]
    assert (seen["assistant turns"], seen["errors left"]) == (1, 0)  # the retry replaced it
    books = Books.read()
    books.assert_balanced()
    assert books.records == [NORMAL_RECORD]
