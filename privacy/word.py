"""The processing record as an editable Word document (python-docx): one table per heading."""

from __future__ import annotations

from io import BytesIO

from django.utils import formats
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .facts import Facts
from .record import Section

LABEL_WIDTH, VALUE_WIDTH = Cm(5), Cm(12)
FONT = "Arial"


def _page_setup(document) -> None:
    """A4 with 2 cm margins, Arial (Liberation Sans in LibreOffice), French spell-checking."""
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2))
    for name in ("Normal", "Title", "Heading 1"):
        document.styles[name].font.name = FONT
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    normal.element.get_or_add_rPr().append(lang)


def _row(table, label: str, value) -> None:
    cells = table.add_row().cells
    cells[0].width, cells[1].width = LABEL_WIDTH, VALUE_WIDTH
    cells[0].paragraphs[0].add_run(label).bold = True
    if isinstance(value, str):
        cells[1].paragraphs[0].add_run(value)
        return
    first = True
    for line in value:
        paragraph = cells[1].paragraphs[0] if first else cells[1].add_paragraph()
        paragraph.add_run(f"• {line}")
        first = False


def record(facts: Facts, sections: list[Section]) -> bytes:
    document = Document()
    _page_setup(document)
    document.core_properties.title = f"Registre des activités de traitement — {facts.town}"
    document.core_properties.language = "fr-FR"
    document.add_heading(f"Registre des activités de traitement — {facts.town}", level=0)
    when = formats.date_format(facts.generated_at, "j F Y à H:i")
    document.add_paragraph(
        f"Fiche de registre de l'assistant en ligne, produite par ArcaChat le {when} à partir "
        "de la configuration en service. Les mentions « À compléter » sont à remplir par la "
        "mairie ; le reste peut être corrigé ou complété dans ce document."
    )
    for section in sections:
        document.add_heading(section.title, level=1)
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.autofit = False
        table.columns[0].width, table.columns[1].width = LABEL_WIDTH, VALUE_WIDTH
        for label, value in section.rows:
            _row(table, label, value)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
