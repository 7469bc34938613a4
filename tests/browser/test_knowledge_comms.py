"""Comms pages in a real browser: multi-file upload, live status polling, accessibility."""

import pytest

from tests.support.browser import run_axe, shot
from tests.support.documents import make_pdf

pytestmark = pytest.mark.browser


def test_it_uploads_two_files_and_lists_them_ready(comms_page, tmp_path, eager_celery):
    pdf = tmp_path / "magazine.pdf"
    pdf.write_bytes(make_pdf(["Le port en fete.", "Agenda du mois."]))
    faq = tmp_path / "faq.md"
    faq.write_text("# Mairie\nOuverte le lundi.", encoding="utf-8")
    comms_page.goto(comms_page.site + "/comms/upload/")
    comms_page.set_input_files("input[name=files]", [str(pdf), str(faq)])
    comms_page.select_option("select[name=kind]", "magazine")
    comms_page.locator("form.stacked-form button[type=submit]").click()
    comms_page.wait_for_url("**/comms/")
    rows = comms_page.locator("#documents tbody tr")
    assert rows.count() == 2
    assert comms_page.locator("#documents tr[data-status=ready]").count() == 2
    shot(comms_page, "knowledge-documents")
    assert run_axe(comms_page) == []


def test_it_refreshes_the_status_of_a_document_being_read(comms_page):
    from knowledge.models import Document

    doc = Document.objects.create(
        title="Guide de l'été", status="processing", progress_done=3, progress_total=10
    )
    comms_page.goto(comms_page.site + "/comms/")
    row = comms_page.locator(f'#documents tr[data-id="{doc.pk}"]')
    assert row.locator("progress").get_attribute("value") == "30"
    Document.objects.filter(pk=doc.pk).update(
        status="failed", error="Ce PDF est protégé par un mot de passe."
    )
    comms_page.wait_for_selector(f'#documents tr[data-id="{doc.pk}"][data-status=failed]')
    assert "protégé par un mot de passe" in row.inner_text()
    assert row.locator("progress").count() == 0


@pytest.mark.parametrize("path", ["/comms/upload/", "/comms/prompt/", "/comms/playground/"])
def test_it_has_no_serious_accessibility_violations(comms_page, path):
    comms_page.goto(comms_page.site + path)
    assert run_axe(comms_page) == []
