"""The processing record and the residents' notice as PDF (ReportLab's platypus).

ReportLab's built-in Helvetica covers every French letter (é, œ, ’, «», €): no font file
ships with the app and nothing is fetched."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from .facts import Facts
from .notice import Notice
from .record import Section

MARGIN = 2 * cm
WIDTH = A4[0] - 2 * MARGIN
# The notice's body sizes, largest first: the first that fits on one page is used.
NOTICE_SIZES = (16, 15, 14, 13, 12)


def _document(buffer, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="ArcaChat",
        lang="fr-FR",
    )


def _value(value, style) -> list:
    lines = [value] if isinstance(value, str) else [f"• {line}" for line in value]
    return [Paragraph(escape(line), style) for line in lines]


def _page_number(canvas, doc) -> None:
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"page {doc.page}")


def record(facts: Facts, sections: list[Section]) -> bytes:
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13)
    label = ParagraphStyle("label", parent=body, fontName="Helvetica-Bold")
    title = f"Registre des activités de traitement — {facts.town}"
    when = formats.date_format(facts.generated_at, "j F Y à H:i")
    story = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(
            escape(
                f"Fiche de registre de l'assistant en ligne, produite par ArcaChat le {when} à "
                "partir de la configuration en service. Les mentions « À compléter » sont à "
                "remplir par la mairie."
            ),
            body,
        ),
    ]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef4fa")),
        ]
    )
    for section in sections:
        story.append(Paragraph(escape(section.title), styles["Heading2"]))
        rows = [
            [Paragraph(escape(name), label), _value(value, body)] for name, value in section.rows
        ]
        story.append(Table(rows, colWidths=[5 * cm, WIDTH - 5 * cm], style=grid, splitInRow=1))
    buffer = BytesIO()
    doc = _document(buffer, title)
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _notice_story(notice: Notice, size: int) -> list:
    styles = getSampleStyleSheet()
    body = ParagraphStyle("nbody", parent=styles["BodyText"], fontSize=size, leading=size * 1.3)
    heading = ParagraphStyle(
        "nhead",
        parent=body,
        fontName="Helvetica-Bold",
        fontSize=size + 3,
        leading=(size + 3) * 1.3,
        spaceBefore=size * 0.6,
        spaceAfter=size * 0.2,
    )
    title = ParagraphStyle(
        "ntitle", parent=heading, fontSize=size + 9, leading=(size + 9) * 1.2, spaceBefore=0
    )
    story = [Paragraph(escape(notice.title), title)]
    for name, lines in notice.sections:
        story.append(Paragraph(escape(name), heading))
        story += [Paragraph(escape(line), body) for line in lines]
    return story


def notice(notice: Notice) -> bytes:
    """The notice on one A4 page, in the largest body size that fits."""
    for size in NOTICE_SIZES:
        buffer = BytesIO()
        doc = _document(buffer, notice.title)
        doc.build(_notice_story(notice, size))
        if doc.page == 1:
            break
    return buffer.getvalue()
