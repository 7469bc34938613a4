"""Signing in by showing the slip's QR code to the camera: on the main site and inside the
panel on the town's website, where the phone's camera app cannot help.

Chromium's fake camera plays a Y4M file: here, a frame with the QR code a slip prints (the
site's address, the code in its fragment). The page reads it (jsQR: headless Chromium on Linux
has no BarcodeDetector), fills the code in and signs in.
"""

from urllib.parse import urlsplit

import pytest
import segno
from playwright.sync_api import expect

from accesscodes.slips import signin_url
from tests.support.browser import CHROMIUM, LAUNCH_ARGS, issue_code, open_tab, wait_until_ready

from .test_embed import allowed, chat, frame, launcher, town_site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 640, 480
SCAN = "Scanner le QR code de mon papier"


def y4m_of(text: str, path) -> None:
    """One 640×480 greyscale frame (4:2:0, full range) of `text` as a QR code, centred."""
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=1, border=4)]
    scale = min(WIDTH, HEIGHT) * 9 // 10 // len(rows)
    side = len(rows) * scale
    left, top = (WIDTH - side) // 2, (HEIGHT - side) // 2
    luma = bytearray([255]) * (WIDTH * HEIGHT)
    for y in range(side):
        row = rows[y // scale]
        start = (top + y) * WIDTH + left
        luma[start : start + side] = bytes(0 if row[x // scale] else 255 for x in range(side))
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture
def camera(chromium, tmp_path):
    """camera(text, allow=True): a chromium whose camera shows `text` as a QR code (or that
    refuses the camera), and a tab of it on `site`."""
    browsers = []

    def start(site: str, text: str, allow: bool = True, **options):
        video = tmp_path / "slip.y4m"
        y4m_of(text, video)
        args = [*LAUNCH_ARGS, "--use-fake-device-for-media-stream"]
        args.append(f"--use-file-for-fake-video-capture={video}")
        if allow:
            args.append("--use-fake-ui-for-media-stream")  # the resident says yes
        browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=args)
        browsers.append(browser)
        _context, tab = open_tab(browser, site, **options)
        return tab

    yield start
    for browser in browsers:
        browser.close()


def test_it_signs_in_with_the_slip_s_qr_code_shown_to_the_camera(camera, site):
    tab = camera(site, signin_url(issue_code(), site))
    tab.goto(site + "/")
    tab.get_by_role("button", name=SCAN).click()
    expect(tab).to_have_url(site + "/chat/", timeout=15_000)
    wait_until_ready(tab)
    assert tab.dialogs == []


def test_it_signs_in_inside_the_panel_on_the_town_s_website(camera, allowed, chat):  # noqa: F811
    port = urlsplit(chat).port
    tab = camera(chat, signin_url(issue_code(), f"http://chat.localhost:{port}"))
    tab.goto(allowed.allowed + "/")
    launcher(tab).click()
    inside = frame(tab)
    inside.get_by_role("button", name=SCAN).click()
    expect(inside.locator("#ask-form[data-ready]")).to_be_attached(timeout=15_000)


def test_it_reads_no_other_qr_code_and_says_so(camera, site):
    tab = camera(site, "https://example.com/menu-du-jour")
    tab.goto(site + "/")
    tab.get_by_role("button", name=SCAN).click()
    dialog = tab.get_by_role("dialog", name=SCAN)
    expect(dialog.get_by_role("status")).to_have_text(
        "Ce QR code n'est pas celui d'un papier de code d'accès.", timeout=15_000
    )
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert tab.url == site + "/"


def test_it_tells_a_resident_who_refuses_the_camera_to_type_the_code(camera, site):
    tab = camera(site, "unused", allow=False)
    tab.context.grant_permissions([])  # nothing granted: headless chromium says no
    tab.goto(site + "/")
    tab.get_by_role("button", name=SCAN).click()
    dialog = tab.get_by_role("dialog", name=SCAN)
    expect(dialog.get_by_role("status")).to_contain_text("tapez plutôt le code", timeout=15_000)
    dialog.get_by_role("button", name="Annuler").click()
    expect(tab.get_by_role("button", name=SCAN)).to_be_focused()  # back where it was


def test_it_offers_no_scan_on_a_device_without_a_camera(page, site):
    page.goto(site + "/")  # the suite's chromium has no camera at all
    expect(page.get_by_label("Votre code d'accès")).to_be_visible()
    page.wait_for_timeout(300)  # the list of devices is asked for after the page loads
    expect(page.get_by_role("button", name=SCAN)).to_be_hidden()
