"""XSS through document titles in chromium: chat sources (SSE, then restored from storage) and
the comms and admin pages with their scripts running; no dialog, no injected element.

Playwright's sync API allows one instance per thread and tests/browser keeps one on the main
thread for the whole session, so this module drives its own chromium from a thread of its own.
The strict CSP is bypassed, as in tests/browser/test_chat_xss.py: the rendering alone is tested.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from knowledge.models import Document
from tests.security.test_xss_titles import HEADING, TEXT, TITLE
from tests.support.browser import CHROMIUM, LAUNCH_ARGS, answers, ask, issue_code, open_tab, sign_in
from tests.support.documents import add_document

pytestmark = [
    pytest.mark.security,
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]

SOURCE = f"# {HEADING}\n{TEXT}\n".encode()
TRAPS = """
window.__xss = 0;
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = () => { window.__xss += 1; };
}
"""
FINDINGS = """() => ({
  xss: window.__xss,
  injected: document.querySelectorAll('[data-xss], iframe, svg[onload], img[src="x"]').length,
  handlers: [...document.querySelectorAll('*')]
    .filter(el => [...el.attributes].some(a => /^on/i.test(a.name))).length,
  jsUrls: [...document.querySelectorAll('[href], [src], [action]')]
    .filter(el => /^\\s*javascript:/i.test(
      el.getAttribute('href') || el.getAttribute('src') || el.getAttribute('action'))).length,
  inlineScripts: [...document.scripts].filter(s => !s.src && /alert/.test(s.textContent)).length,
})"""
CLEAN = {"xss": 0, "injected": 0, "handlers": 0, "jsUrls": 0, "inlineScripts": 0}


class BrowserThread:
    """A headless chromium whose every call runs on one worker thread."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="security-chromium")
        self.playwright = self.run(lambda: sync_playwright().start())
        self.browser = self.run(
            lambda: self.playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        )

    def run(self, job, *args):
        return self.pool.submit(job, *args).result(timeout=180)

    def close(self):
        self.run(lambda: (self.browser.close(), self.playwright.stop()))
        self.pool.shutdown()


@pytest.fixture(scope="module")
def chromium_thread():
    browser = BrowserThread()
    yield browser
    browser.close()


@pytest.fixture
def hostile(transactional_db):
    doc = add_document(SOURCE, "piscine.md", title=TITLE, kind="web_page")
    assert doc.status == Document.Status.READY
    return doc


def new_tab(browser, site_url):
    context, tab = open_tab(browser, site_url, bypass_csp=True)
    tab.add_init_script(TRAPS)
    return context, tab


def resident_asks(browser, site_url, code: str) -> list:
    context, tab = new_tab(browser, site_url)
    try:
        sign_in(tab, code)
        ask(tab, "Quand ouvre la piscine ?")
        expect(answers(tab).last).to_have_attribute("aria-busy", "false")
        source = tab.locator(".source-open").first  # opens the source panel in the chat
        expect(source).to_contain_text('<script>alert("titre")</script>')
        source.click()  # the panel draws the title and the passage as text too
        expect(tab.locator("#source-title")).to_contain_text('<script>alert("titre")</script>')
        tab.keyboard.press("Escape")
        seen = [("answer", tab.evaluate(FINDINGS), tab.dialogs[:])]
        tab.reload()  # the conversation is drawn again from session storage
        expect(tab.locator(".source-open").first).to_contain_text("<img src=x")
        tab.wait_for_timeout(300)
        seen.append(("reloaded", tab.evaluate(FINDINGS), tab.dialogs[:]))
        return seen
    finally:
        context.close()


def staff_visits(browser, site_url, cookie: str, paths: list[str]) -> list:
    context, tab = new_tab(browser, site_url)
    context.add_cookies([{"name": "arcachat_session", "value": cookie, "url": site_url}])
    seen = []
    try:
        for path in paths:
            tab.goto(site_url + path)
            if path == "/comms/playground/":
                tab.locator("#id_question").fill("Quand ouvre la piscine ?")
                tab.locator("form.stacked-form button[type=submit]").click()
                tab.wait_for_load_state()
            tab.wait_for_timeout(1500 if path == "/comms/" else 200)  # the status poll runs
            seen.append((path, tab.evaluate(FINDINGS), tab.dialogs[:], tab.content()))
        return seen
    finally:
        context.close()


def staff_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["arcachat_session"].value


def test_it_draws_hostile_source_titles_as_text_in_the_chat(
    chromium_thread,
    site,
    fake_llm,
    hostile,
):
    fake_llm.script.chunks = ["La piscine ouvre à 10 h ", "[1]."]
    code = issue_code()
    seen = chromium_thread.run(resident_asks, chromium_thread.browser, site, code)
    for step, findings, dialogs in seen:
        assert findings == CLEAN, step
        assert dialogs == [], step


def test_it_keeps_hostile_titles_inert_on_comms_and_admin_pages(
    chromium_thread,
    site,
    hostile,
    marius,
    adele,
):
    pending = add_document(b"# Brouillon\nEn cours.", "brouillon.md", title=TITLE, ingest=False)
    Document.objects.filter(pk=pending.pk).update(status="processing", error=TITLE)
    comms = ["/comms/", f"/comms/documents/{hostile.pk}/", "/comms/upload/", "/comms/playground/"]
    admin = [
        "/admin/knowledge/document/",
        f"/admin/knowledge/chunk/{hostile.chunks.first().pk}/change/",
    ]
    seen = chromium_thread.run(
        staff_visits, chromium_thread.browser, site, staff_cookie(marius), comms
    )
    seen += chromium_thread.run(
        staff_visits, chromium_thread.browser, site, staff_cookie(adele), admin
    )
    assert [path for path, *_ in seen] == comms + admin
    for path, findings, dialogs, _html in seen:
        assert findings == CLEAN, path
        assert dialogs == [], path
    listing = seen[0][3]
    assert listing.count("&lt;script&gt;alert") >= 2  # both titles; the polled error as text
    assert "&lt;iframe" in seen[3][3]  # the playground found the passage and shows it as text
