"""The demo town loader: Markdown front matter, a PDF with a .meta sidecar, loaded once."""

import datetime as dt

import pytest

from knowledge.demo import load_demo_town
from knowledge.models import Document
from tests.support.documents import make_pdf

pytestmark = pytest.mark.django_db


def test_it_loads_front_matter_and_sidecars_once(tmp_path):
    (tmp_path / "agenda.md").write_text(
        "---\ntitle: Agenda de décembre\nkind: events_guide  # guide des sorties\n"
        "published: 2026-11-25\nvalid_until: 2026-12-31\n---\n# Concerts\nChorale le 12.\n",
        encoding="utf-8",
    )
    (tmp_path / "mag.pdf").write_bytes(make_pdf(["Edito du maire."]))
    (tmp_path / "mag.pdf.meta").write_text("title: Magazine 42\nkind: magazine\n", "utf-8")
    (tmp_path / "notes.bin").write_bytes(b"ignored")
    assert load_demo_town(tmp_path) == 2
    agenda = Document.objects.get(title="Agenda de décembre")
    assert agenda.kind == "events_guide" and agenda.valid_until == dt.date(2026, 12, 31)
    assert Document.objects.get(title="Magazine 42").status == "ready"
    assert load_demo_town(tmp_path) == 0
