"""Headless Debian chromium on the app: tabs, the steps of a resident and of staff, checks.

Playwright's sync API keeps an event loop on the thread that starts it: tests/browser starts
one chromium for the session on the main thread (its conftest); a suite that must keep the
ORM's thread free drives its own chromium from a worker thread, with the same LAUNCH_ARGS.
"""

import shutil
from pathlib import Path

from playwright.sync_api import expect

from accesscodes.models import AccessCode

from .personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHAT = "/chat/"


def open_tab(browser, site: str, **options):
    """(context, tab): a fresh tab of its own storage, French, on `site`; `tab.dialogs`
    records the message of any dialog a script opens (and dismisses it)."""
    context = browser.new_context(**{"locale": "fr-FR", **options})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    tab.site = site
    return context, tab


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page) -> list[dict]:
    """Serious or critical axe-core violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def issue_code(status: str = "active") -> str:
    """A new access code in plain text (as printed on a slip), with the given status."""
    code, plain = AccessCode.issue()
    if status != "active":
        code.status = status
        code.save()
    return plain


def sign_in(page, code: str | None = None, expect_chat: bool = True):
    """A resident signs in with `code` (a new one by default) on the landing page."""
    page.goto(page.site + "/")
    page.get_by_label("Votre code d'accès").fill(code or issue_code())
    page.get_by_role("button", name="Se connecter").click()
    if expect_chat:
        expect(page).to_have_url(page.site + CHAT)
        wait_until_ready(page)


def staff_sign_in(page, user, next_path: str):
    """A persona (personas.py) signs in on the staff login page and lands on `next_path`."""
    page.goto(f"{page.site}/staff/login/?next={next_path}")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{next_path}")


def wait_until_ready(page):
    """The chat page's script has wired the form (it loads as a module, after the HTML)."""
    page.wait_for_selector("#ask-form[data-ready]", state="attached")


def ask(page, text: str):
    wait_until_ready(page)
    page.get_by_label("Votre question", exact=True).fill(text)
    page.get_by_role("button", name="Envoyer").click()


def answers(page):
    return page.locator(".turn-assistant .answer")
