"""A PDF's own scripts in Chromium's viewer (issue 13, item 9): a live process and chromium.

A PDF that opens with `app.alert(...)` (three ways: OpenAction, the document's JavaScript
names, its first page's open action) runs it in Chromium's PDF viewer on the site's address,
whatever Content-Security-Policy the response carries: the viewer's scripts are not the
page's. So ingestion rewrites every PDF without scripts, and only a rewritten PDF opens in
the browser. The comms team uploads the hostile PDF over HTTP; chromium opens the published
file and must see no dialog, and still draw the PDF. The control proves the detection: the
same PDF stored as is (marked, as if rewritten) makes chromium show the dialog.
"""

import time

import pytest

from tests.browser.test_document_file import _viewer_drawn
from tests.security.hostile import pdf_with_scripts
from tests.security.test_xss_titles_browser import BrowserThread
from tests.support.liveapp import AppProcesses, IsolatedDatabase

from .live import STAFF_PASSWORD, add_persona, csrf_of, from_address, try_password

pytestmark = [pytest.mark.security, pytest.mark.browser]
SCRIPT = "app.alert('ARCACHAT-PDF-SCRIPT');"
AS_IS = """
from django.core.files.base import ContentFile
from knowledge.extract import NO_SCRIPTS_MARK
from knowledge.models import Document
doc = Document(title="Tel quel", status=Document.Status.READY, original_name="tel-quel.pdf")
doc.file.save("tel-quel.pdf", ContentFile(open({path!r}, "rb").read() + NO_SCRIPTS_MARK))
print(doc.pk)
"""


def upload(url: str, pdf: bytes) -> None:
    with from_address(url) as comms:
        assert try_password(comms, "marius", STAFF_PASSWORD).status_code == 302
        token = csrf_of(comms.get("/comms/upload/"))
        fields = {"title": "Avis", "kind": "other", "published_on": "2026-12-01"}
        sent = comms.post(
            "/comms/upload/",
            data={"csrfmiddlewaretoken": token, **fields},
            files={"files": ("avis.pdf", pdf, "application/pdf")},
        )
    assert sent.status_code == 302


def open_pdf(browser: BrowserThread, address: str, seconds: float = 6) -> tuple[list, bool]:
    """The dialogs chromium showed while the PDF was open, and whether the viewer drew it."""

    def visit():
        context = browser.browser.new_context(viewport={"width": 1100, "height": 900})
        page, dialogs = context.new_page(), []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(address)
        drawn, deadline = False, time.monotonic() + seconds
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            drawn = drawn or _viewer_drawn(page.screenshot())
        context.close()
        return dialogs, drawn

    return browser.run(visit)


@pytest.fixture(scope="module")
def chromium_thread():
    browser = BrowserThread()
    yield browser
    browser.close()


def test_it_publishes_a_pdf_whose_scripts_never_run_in_chromium(chromium_thread, tmp_path):
    hostile = pdf_with_scripts(SCRIPT)
    (tmp_path / "hostile.pdf").write_bytes(hostile)
    with IsolatedDatabase() as db:
        add_persona(db, "marius")
        as_is = db.shell(AS_IS.format(path=str(tmp_path / "hostile.pdf"))).split()[-1]
        with AppProcesses(db, WARM_UP="0", KNOWLEDGE_DENSE="0") as app:
            upload(app.urls[0], hostile)
            published = db.shell(
                "from knowledge.models import Document\n"
                "d = Document.objects.get(title='Avis')\n"
                "print(d.status, d.pk)"
            ).split()
            assert published[-2] == "ready"
            control, _drawn = open_pdf(chromium_thread, f"{app.urls[0]}/documents/{as_is}/file")
            dialogs, drawn = open_pdf(
                chromium_thread, f"{app.urls[0]}/documents/{published[-1]}/file"
            )
    assert "ARCACHAT-PDF-SCRIPT" in control  # chromium does run a PDF's scripts
    assert dialogs == []
    assert drawn  # and the published PDF is still shown in the viewer
