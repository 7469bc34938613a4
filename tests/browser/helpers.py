"""Steps shared by the browser tests: issue a code, sign in, ask a question."""

from playwright.sync_api import expect

CHAT = "/chat/"


def issue_code(status: str = "active") -> str:
    """A new access code in plain text (as printed on a slip), with the given status."""
    from accesscodes.models import AccessCode

    code, plain = AccessCode.issue()
    if status != "active":
        code.status = status
        code.save()
    return plain


def sign_in(page, code: str | None = None, expect_chat: bool = True):
    page.goto(page.site + "/")
    page.get_by_label("Votre code d'accès").fill(code or issue_code())
    page.get_by_role("button", name="Se connecter").click()
    if expect_chat:
        expect(page).to_have_url(page.site + CHAT)
        wait_until_ready(page)


def wait_until_ready(page):
    """The chat page's script has wired the form (it loads as a module, after the HTML)."""
    page.wait_for_selector("#ask-form[data-ready]", state="attached")


def ask(page, text: str):
    wait_until_ready(page)
    page.get_by_label("Votre question").fill(text)
    page.get_by_role("button", name="Envoyer").click()


def answers(page):
    return page.locator(".turn-assistant .answer")
