"""Rendering with Qt's own text layout: QTextDocument → QPdfWriter, or → a printer.

The fonts ship with ptclock (DejaVu Sans, Noto Emoji): with no system fonts Qt would write
a PDF with no text and raise no error, so the report never relies on what is installed.
Pages are painted one by one so each gets a running header (who and which date) and a
footer with "Page X of Y", the printed-at time and the ptclock version.
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
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

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "NotoEmoji.ttf")
FAMILIES = ["DejaVu Sans", "Noto Emoji"]
PAGE_SIZES = {"letter": QPageSize.PageSizeId.Letter, "a4": QPageSize.PageSizeId.A4}
_loaded = False


class FontMissing(RuntimeError):
    pass


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
    footer_left = f"Printed {printed_at.strftime('%Y-%m-%d %H:%M')} · ptclock {__version__}"
    painter = QPainter(device)
    try:
        for number in range(pages):
            if number:
                device.newPage()
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
        painter.end()
    return pages


def write_pdf(
    html: str,
    path: Path,
    page_size: str,
    running_header: str,
    title: str,
    printed_at: datetime,
) -> int:
    """Write the PDF to ``path`` (the caller makes it atomic); the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(page_layout(page_size))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator(f"ptclock {__version__}")
    return paint_document(html, writer, running_header, printed_at)
