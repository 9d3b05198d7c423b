"""Rendering with Qt's own text layout: QTextDocument → QPdfWriter, or → a printer.

The fonts ship with ptclock (DejaVu Sans, Noto Emoji): with no system fonts Qt would write
a PDF with no text and raise no error, so the report never relies on what is installed.
Pages are painted one by one so each gets a running header (who and which date) and a
footer with "Page X of Y", the printed-at time and the ptclock version.

A PDF is painted into memory, never straight into a file: Qt does not report a write that
failed (a full disk gave a cut-off file and no error), so ``ptclock.report.export`` writes
the bytes itself, checking every write, and verifies the file before calling it saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontDatabase,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from ptclock import __version__
from ptclock.formats import wall_date_time
from ptclock.report.html import visible

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NotoEmoji.ttf")
FAMILIES = ["DejaVu Sans", "Noto Emoji"]
PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
_loaded = False


class FontMissing(RuntimeError):
    pass


class RenderError(RuntimeError):
    """Qt could not paint the report (the message says which step failed)."""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def load_fonts() -> None:
    """Register the shipped fonts with Qt once (needs a QGuiApplication)."""
    global _loaded
    if _loaded:
        return
    folder = resources.files("ptclock.resources").joinpath("fonts")
    for name in FONT_FILES:
        data = folder.joinpath(name).read_bytes()
        if QFontDatabase.addApplicationFontFromData(data) < 0:
            raise FontMissing(f"the report font {name} could not be loaded")
    _loaded = True


def report_font(points: float = 9.5) -> QFont:
    load_fonts()
    font = QFont()
    font.setFamilies(FAMILIES)
    font.setPointSizeF(points)
    return font


def page_layout(page_size: str) -> QPageLayout:
    return QPageLayout(
        QPageSize(PAGE_SIZES.get(page_size, QPageSize.PageSizeId.Letter)),
        QPageLayout.Orientation.Portrait,
        QMarginsF(16, 14, 16, 14),
        QPageLayout.Unit.Millimeter,
    )


def paint_document(
    html: str, device: QPagedPaintDevice, running_header: str, printed_at: datetime
) -> int:
    """Lay ``html`` out on the device's pages with header and footer; the number of pages."""
    running_header = visible(running_header)  # a patient's name: nothing hidden or flipped
    document = QTextDocument()
    document.documentLayout().setPaintDevice(device)
    document.setDefaultFont(report_font())
    document.setHtml(html)
    resolution = device.logicalDpiY()
    page = device.pageLayout().paintRectPixels(resolution)
    small = report_font(7.5)
    band = int(resolution * 0.32)  # header and footer bands, about 8 mm
    body = QRectF(0, band, page.width(), page.height() - 2 * band)
    document.setPageSize(QSizeF(body.width(), body.height()))
    pages = document.pageCount()
    printed = wall_date_time(printed_at, printed_at.tzinfo or timezone.utc)
    footer_left = f"Printed {printed} · ptclock {__version__}"
    painter = QPainter(device)
    if not painter.isActive():
        raise RenderError("the page could not be started")
    try:
        for number in range(pages):
            if number and not device.newPage():
                raise RenderError(f"page {number + 1} could not be started")
            painter.save()
            painter.translate(body.left(), body.top() - number * body.height())
            clip = QRectF(0, number * body.height(), body.width(), body.height())
            painter.setClipRect(clip)
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = clip
            document.documentLayout().draw(painter, context)
            painter.restore()
            painter.setFont(small)
            top = QRectF(0, 0, page.width(), band * 0.7)
            painter.drawText(
                top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, running_header
            )
            bottom = QRectF(0, page.height() - band * 0.7, page.width(), band * 0.7)
            painter.drawText(
                bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, footer_left
            )
            painter.drawText(
                bottom,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                f"Page {number + 1} of {pages}",
            )
    finally:
        finished = painter.end()
    if not finished:
        raise RenderError("the document could not be finished")
    return pages


def render_pdf(
    html: str,
    page_size: str,
    running_header: str,
    title: str,
    printed_at: datetime,
) -> RenderedPdf:
    """The PDF's bytes and the number of pages painted (the caller writes and verifies)."""
    buffer = QBuffer()
    if not buffer.open(QIODevice.OpenModeFlag.WriteOnly):
        raise RenderError("no memory for the document")
    writer = QPdfWriter(buffer)
    writer.setPageLayout(page_layout(page_size))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator(f"ptclock {__version__}")
    pages = paint_document(html, writer, running_header, printed_at)
    del writer  # flushed by painter.end(); nothing more is written to the buffer
    data = bytes(buffer.data().data())
    buffer.close()
    return RenderedPdf(data, pages)
