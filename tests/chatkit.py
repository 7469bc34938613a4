"""Helpers for the chat tests: town documents, a scripted provider, SSE parsing."""

import json

from django.core.files.base import ContentFile

from tests.browser.fake_llm import FakeLLM

__all__ = ["FakeLLM", "add_pdf_document", "make_pdf", "parse_sse", "use_fake_llm"]


def make_pdf(pages: list[str]) -> bytes:
    """A small PDF with one paragraph of text per page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def add_pdf_document(title: str, pages: list[str]):
    """Publish a PDF town document through the knowledge app's own ingestion."""
    from knowledge.ingest import ingest_document
    from knowledge.models import Document

    doc = Document(title=title, kind=Document.Kind.MAGAZINE)
    doc.file.save("magazine.pdf", ContentFile(make_pdf(pages)), save=False)
    doc.save()
    doc = ingest_document(doc.pk)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def use_fake_llm(fake: FakeLLM, *, images: bool = False):
    """Make the scripted server the active provider (OpenAI-compatible wire protocol)."""
    from providers.models import ProviderConfig

    return ProviderConfig.objects.create(
        name="Fake LLM",
        kind="openai_compatible",
        model="fake-model",
        base_url=fake.base_url,
        timeout=5,
        order=1,
        supports_images=images,
    )


def parse_sse(body: str) -> list[tuple[str, dict]]:
    """(event, payload) pairs of a whole text/event-stream body."""
    from tests.liveclient import _events

    events, _rest = _events(body.replace("\r\n", "\n") + "\n\n")
    return [(name, json.loads(data)) for name, data in events]
