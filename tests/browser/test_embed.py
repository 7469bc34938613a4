"""The assistant on the town's website: a town page on another origin (another host name and
port) carries the snippet; the panel opens the chat in a frame of ArcaChat, where a resident
signs in with a code and gets a streamed answer with its sources.

ArcaChat answers as http://chat.localhost:<port>, the town's site as
http://mairie.localhost:<port> (allowed) and http://autre.localhost:<port> (not allowed):
Chromium resolves *.localhost to this machine and treats it as a secure context, so the
`Secure; Partitioned` cookies of the frame work over plain HTTP here.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from embed.middleware import COOKIE_PREFIX
from tests.support.browser import ARTIFACTS, AXE, issue_code, open_tab, run_axe, staff_sign_in
from tests.support.sitekit import Page, TownSite

pytestmark = pytest.mark.browser

STREAMED = ["Le marché ", "a lieu le ", "**samedi matin**, ", "place du Port ", "[1]."]
# A theme's head as WordPress themes write it: its button styles must not reach ours.
THEME = (
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<style>body { font-family: Georgia, serif; margin: 0 1rem; } "
    "button { background: #ffd700 !important; font-size: 10px !important; }</style>"
)
SESSION = COOKIE_PREFIX + "arcachat_session"


@pytest.fixture
def chat(site, settings):
    """ArcaChat's address as the browser sees it: another host name than the town's site."""
    origin = f"http://chat.localhost:{urlsplit(site).port}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "chat.localhost"]
    settings.SITE_URL = origin
    return origin


@pytest.fixture
def town_site():
    with TownSite({}, robots=None, sitemap=False) as served:
        port = urlsplit(served.url).port
        served.allowed = f"http://mairie.localhost:{port}"
        served.other = f"http://autre.localhost:{port}"
        yield served


@pytest.fixture
def tab(chromium, chat):
    """tab(**options): a new tab (its own cookies), console messages kept in `tab.console`."""
    contexts = []

    def make(**options):
        options = {"viewport": {"width": 1280, "height": 800}, **options}
        context, page = open_tab(chromium, chat, **options)
        contexts.append(context)
        page.console = []
        page.on("console", lambda message: page.console.append(message.text))
        return page

    yield make
    for context in contexts:
        context.close()


def paste(town_site, snippet: str) -> None:
    """The comms team pastes the snippet on the town's home page and on its market page."""
    town_site.pages["/"] = Page(
        "Bienvenue à Port-Lumière",
        "Retrouvez les services de la mairie, l'agenda et les démarches en ligne.",
        head=THEME,
        snippet=snippet,
    )


def launcher(page):
    return page.locator("[data-arcachat] .launcher")


def panel(page):
    return page.locator("[data-arcachat] .panel")


def frame(page):
    return page.frame_locator("[data-arcachat] iframe")


def sign_in_inside(page, code: str | None = None):
    inside = frame(page)
    inside.get_by_label("Votre code d'accès").fill(code or issue_code())
    inside.get_by_role("button", name="Se connecter").click()
    expect(inside.locator("#ask-form[data-ready]")).to_be_attached()
    return inside


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_it_takes_an_admin_from_the_allowed_site_to_the_snippet(tab, adele, town_site, chat):
    page = tab()
    staff_sign_in(page, adele, "/widget/")
    field = page.get_by_label("Adresse du site")
    field.fill(town_site.allowed + "/actualites/")
    page.get_by_role("button", name="Autoriser ce site").click()
    expect(page.locator("#origin-error")).to_contain_text("sans page")  # a page, not a site
    field.fill(town_site.allowed)
    page.get_by_role("button", name="Autoriser ce site").click()
    expect(page.locator(".allowed-sites")).to_contain_text(town_site.allowed)

    page.get_by_label("Couleur du bouton").fill("#ffee88")  # pale yellow with white text
    page.get_by_role("button", name="Mettre à jour le code").click()
    expect(page.locator(".snippet-form .error")).to_contain_text("difficile à lire")
    expect(page.locator("#snippet")).to_have_count(0)
    page.get_by_label("Couleur de son texte").fill("#000000")
    page.get_by_role("button", name="Mettre à jour le code").click()
    snippet = page.locator("#snippet").input_value()
    assert snippet.startswith(f'<script src="{chat}/static/js/embed.js"')
    assert 'data-background="#ffee88" data-color="#000000"' in snippet
    shot(page, "embed-staff-page")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the page laid out again at the new width
    page.screenshot(path=str(ARTIFACTS / "embed-staff-page-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing wider than a phone's screen"


@pytest.fixture
def allowed(town_site, chat, db):
    from embed.models import AllowedSite
    from embed.views import snippet

    AllowedSite.objects.create(origin=town_site.allowed)
    data = {"position": "right", "label": "Poser une question"}
    paste(town_site, snippet({**data, "background": "#0b4f8a", "color": "#ffffff"}, chat))
    return town_site


def test_it_answers_inside_the_panel_of_an_allowed_town_site(tab, allowed, fake_llm, town):
    page = tab()
    page.goto(allowed.allowed + "/")
    button = launcher(page)
    expect(button).to_have_text("Poser une question")
    colour = button.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour == "rgb(11, 79, 138)", "the theme's styles must not reach the button"
    button.click()
    expect(panel(page)).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")

    inside = sign_in_inside(page)
    expect(inside.locator("#question")).to_be_focused()  # the panel opens on the question
    fake_llm.script.chunks = STREAMED
    fake_llm.script.delay = 0.4
    inside.get_by_label("Votre question", exact=True).fill("Quand a lieu le marché ?")
    inside.get_by_role("button", name="Envoyer").click()
    answer = inside.locator(".turn-assistant .answer").last
    expect(answer).to_contain_text("a lieu le")  # streamed: part of it while the rest comes
    assert "place du Port" not in answer.inner_text()
    expect(answer).to_have_attribute("aria-busy", "false", timeout=10_000)
    expect(answer.locator("strong")).to_have_text("samedi matin")
    source = inside.locator(".turn-assistant .source-list .source-open").first
    expect(source).to_have_text("Magazine municipal de mars, page 1")
    source.click()  # the source opens in the chat's own panel, inside the frame
    expect(inside.locator(".passage-hit")).to_be_visible()
    page.keyboard.press("Escape")  # closes the source, not the town site's panel
    expect(inside.locator("#source-dialog")).to_be_hidden()
    expect(panel(page)).to_be_visible()
    expect(inside.locator("#notice")).to_contain_text("Réponses générées par une IA")
    shot(page, "embed-desktop-answer")

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies[SESSION]
    assert session["partitionKey"] == "http://mairie.localhost", session
    assert session["secure"] and session["sameSite"] == "None" and session["httpOnly"]
    assert "arcachat_session" not in cookies  # the main site's cookie is never set here

    inside.get_by_label("Votre question", exact=True).focus()
    page.keyboard.press("Escape")  # inside the frame: the panel closes, the button has focus
    expect(panel(page)).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()  # the conversation is still there
    expect(frame(page).locator(".turn-assistant .answer").last).to_contain_text("samedi matin")
    assert page.dialogs == []


def test_it_does_not_sign_the_main_sites_resident_in_inside_the_frame(tab, allowed, chat):
    page = tab()
    page.goto(chat + "/")  # signed in on the main site first, in the same browser
    page.get_by_label("Votre code d'accès").fill(issue_code())
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(chat + "/chat/")

    page.goto(allowed.allowed + "/")
    launcher(page).click()
    inside = frame(page)
    expect(inside.get_by_label("Votre code d'accès")).to_be_visible()  # asked for a code
    shot(page, "embed-desktop-signin")
    sign_in_inside(page)
    page.goto(chat + "/chat/")  # and the frame's sign-in did not replace the main one
    expect(page.locator("#ask-form")).to_be_attached()
    names = [c["name"] for c in page.context.cookies()]
    assert names.count("arcachat_session") == 1 and names.count(SESSION) == 1


def test_it_shows_no_chat_on_a_site_that_is_not_allowed(tab, allowed, chat):
    page = tab()
    page.goto(allowed.other + "/")  # the same snippet on another site
    expect(page.locator("[data-arcachat]")).to_have_count(0)
    assert said(page, "not allowed to show the town assistant")
    expect(page.locator("[data-arcachat]")).to_have_count(0)

    # A page that frames the embed route by itself, bypassing the script: the header refuses.
    allowed.pages["/frame"] = Page(
        "Cadre", "Un cadre.", snippet=f'<iframe src="{chat}/embed/"></iframe>'
    )
    page.goto(allowed.other + "/frame")
    assert f'"frame-ancestors {allowed.allowed}"' in refusal(page)


def said(page, text: str, seconds: float = 5) -> bool:
    """The page's console showed a message containing `text` (waiting for it a little)."""
    for _ in range(int(seconds * 10)):
        if any(text in message for message in page.console):
            return True
        page.wait_for_timeout(100)
    return False


def refusal(page) -> str:
    """The console's message saying that the page's frame was refused by its CSP, once the
    frame shows the browser's error page instead of ours; "" if it was not refused."""
    for _ in range(50):
        messages = [m for m in page.console if "frame-ancestors" in m]
        if messages and page.frames[1].url.startswith("chrome-error:"):
            return messages[0]
        page.wait_for_timeout(100)
    return ""


@pytest.mark.parametrize("path", ["/", "/chat/", "/staff/login/", "/privacy/"])
def test_it_keeps_refusing_frames_on_the_main_sites_pages(tab, allowed, chat, path):
    allowed.pages["/frame"] = Page(
        "Cadre", "Un cadre.", snippet=f'<iframe src="{chat}{path}"></iframe>'
    )
    page = tab()
    page.goto(allowed.allowed + "/frame")  # even from the allowed site
    assert "\"frame-ancestors 'none'\"" in refusal(page)


def test_it_makes_a_pale_text_readable_when_a_snippet_is_edited_by_hand(tab, allowed, chat):
    from embed.views import snippet

    data = {"position": "left", "label": "Une question ?", "background": "#ffee88"}
    paste(allowed, snippet({**data, "color": "#ffffff"}, chat))  # 1.1:1, typed by hand
    page = tab()
    page.goto(allowed.allowed + "/")
    button = launcher(page)
    expect(button).to_have_text("Une question ?")
    assert button.evaluate("b => getComputedStyle(b).color") == "rgb(0, 0, 0)"
    assert said(page, "too pale")
    assert button.bounding_box()["x"] < 100  # on the left, as asked


def test_it_fits_a_phone_screen(tab, allowed, fake_llm, town):
    page = tab(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(allowed.allowed + "/")
    launcher(page).click()
    box = panel(page).bounding_box()
    assert box["width"] == 390 and box["height"] == 844, box  # the whole screen
    expect(frame(page).get_by_label("Votre code d'accès")).to_be_focused()
    shot(page, "embed-phone-signin")
    inside = sign_in_inside(page)
    fake_llm.script.chunks = STREAMED
    inside.get_by_label("Votre question", exact=True).fill("Quand a lieu le marché ?")
    inside.get_by_role("button", name="Envoyer").click()
    expect(inside.locator(".turn-assistant .source-list .source-open").first).to_be_visible()
    shot(page, "embed-phone-answer")
    page.locator("[data-arcachat] .close").click()
    expect(launcher(page)).to_be_focused()


def test_it_passes_axe_on_the_town_page_and_inside_the_panel(tab, allowed, fake_llm, town):
    page = tab(bypass_csp=True)  # only so that axe-core can be injected into the frame
    page.goto(allowed.allowed + "/")
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    violations = [v for v in run_axe(page) if "[data-arcachat]" in str(v["nodes"])]
    assert violations == []
    sign_in_inside(page)
    child = next(f for f in page.frames if "/embed/" in f.url)
    child.add_script_tag(path=str(AXE))
    result = child.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert re.search(r"/embed/$", child.url)
