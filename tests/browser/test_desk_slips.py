"""Printed slips in headless chromium: the code and a QR code that reads back as the sign-in
address, on one A6 page or on A4 sheets of four; and the QR address signing a resident in."""

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, issue_code, shot

pytestmark = pytest.mark.browser
A6 = (297.6, 419.5)  # points
A4 = (595.3, 841.9)


@pytest.fixture
def desk_page(open_desk):
    return open_desk()


def pdf_of(page, name: str):
    from pypdf import PdfReader

    ARTIFACTS.mkdir(exist_ok=True)
    data = page.pdf(path=str(ARTIFACTS / f"{name}.pdf"), prefer_css_page_size=True)
    return PdfReader(io.BytesIO(data))


def size_of(pdf_page) -> tuple[float, float]:
    box = pdf_page.mediabox
    return float(box.width), float(box.height)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def overflowing(page) -> int:
    """Slips whose content does not fit their 105 x 148 mm (it would be cut off on paper)."""
    script = "slips => slips.filter(s => s.scrollHeight > s.clientHeight + 1).length"
    return page.eval_on_selector_all(".slip", script)


def qr_reads_as(page, svg, expected_url: str) -> float:
    """Share of the rendered QR's modules matching the QR of `expected_url`: the screenshot
    is sampled at the centre of each module (a decoder's first step, without the decoder)."""
    import segno
    from PIL import Image

    path = ARTIFACTS / "desk-slip-qr.png"
    svg.screenshot(path=str(path))
    image = Image.open(path).convert("L")
    matrix = segno.make(expected_url, error="m").matrix
    modules = len(matrix) + 8  # the SVG keeps segno's quiet zone of four modules each side
    step_x, step_y = image.width / modules, image.height / modules
    same = total = 0
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            x = int((col + 4.5) * step_x)
            y = int((row + 4.5) * step_y)
            same += (image.getpixel((x, y)) < 128) == bool(dark)
            total += 1
    return same / total


def test_it_prints_one_slip_on_a6_with_the_code_and_its_qr_code(desk_page):
    from accesscodes import slips
    from accesscodes.models import AccessCode

    page = desk_page
    page.get_by_role("button", name="Émettre un code et imprimer sa fiche").click()
    slip = page.locator(".slip")
    expect(slip).to_have_count(1)
    plain = page.locator(".slip-code").get_attribute("data-code")
    assert AccessCode.find(plain).site.name == "Maison de quartier des Dunes"
    expect(page.locator(".slip-code")).to_have_text(plain)
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    qr = slip.locator("svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 100 and abs(box["width"] - box["height"]) < 1
    assert qr_reads_as(page, qr, slips.signin_url(plain)) == 1.0
    assert overflowing(page) == 0
    shot(page, "desk-slip-a6")

    pdf = pdf_of(page, "desk-slip-a6")
    assert len(pdf.pages) == 1
    width, height = size_of(pdf.pages[0])
    assert abs(width - A6[0]) < 2 and abs(height - A6[1]) < 2
    text = pdf.pages[0].extract_text()
    assert plain in flat(text)
    words = " ".join(unicodedata.normalize("NFKC", text).split())  # no "ﬁ" ligatures
    assert "pas toujours fiables" in words and "Premiers pas" in words
    assert slips.site_address() in flat(text)
    assert "Imprimer" not in text  # the buttons and the desk menu stay off paper


def test_it_prints_a_batch_on_a4_sheets_of_four(desk_page):
    page = desk_page
    page.get_by_label("Nombre de codes").fill("6")
    page.get_by_role("button", name="Émettre les codes et imprimer la feuille").click()
    expect(page.locator(".slip")).to_have_count(6)
    codes = [c.get_attribute("data-code") for c in page.locator(".slip-code").all()]
    assert len(set(codes)) == 6
    page.emulate_media(media="print")
    expect(page.locator("svg.qr")).to_have_count(6)
    shot(page, "desk-slips-a4")
    assert overflowing(page) == 0
    pdf = pdf_of(page, "desk-slips-a4")
    assert len(pdf.pages) == 2
    for sheet in pdf.pages:
        width, height = size_of(sheet)
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2
    first, second = (flat(p.extract_text()) for p in pdf.pages)
    assert all(code in first for code in codes[:4])
    assert all(code in second for code in codes[4:])
    assert all(f"N°000{n}" in (first + second) for n in range(1, 7))


def test_it_signs_in_from_the_qr_address_without_sending_the_code(page):
    plain = issue_code()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page.site + "/#code=" + plain)
    field = page.get_by_label("Votre code d'accès")
    expect(field).to_have_value(plain)
    expect(page.get_by_role("button", name="Se connecter")).to_be_focused()
    assert "#" not in page.url  # the code left the address bar at once
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(page.site + "/chat/")
    assert not [url for url in requests if plain in url]
    shot(page, "signin-from-qr")


def test_it_says_mistyped_then_signs_in_once_corrected(page):
    plain = issue_code()
    page.goto(page.site + "/")
    field = page.get_by_label("Votre code d'accès")
    field.fill(plain[:-3] + "-?")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("semble mal saisi")
    expect(field).to_be_focused()
    shot(page, "signin-mistyped")
    field.fill(plain.lower().replace("-", " "))
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(page.site + "/chat/")
