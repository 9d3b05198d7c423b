"""The now band across the top of the visit: what runs, for how long, the visit's units and
how far the next unit is — readable from across the room.

One opaque painted widget of a fixed height: a second's tick changes a string and repaints
this band alone; it never asks the window for a layout pass. The sentences about units come
from the billing (``Billing.next_unit_words``); the band only lays them out.

Two cues, both driven by the tally (no timer of their own to wait for, except the flash's
end): when the visit's units rise while a timer runs, the band flashes yellow for about two
seconds with "Unit N reached"; while the next unit is one minute or less away, the sentence
is highlighted. ``cue`` says which is shown; ``cue_began`` says when one begins (a beep, if
the sound cue is on in Settings).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ptclock.billing import Billing
from ptclock.timing.records import VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import theme, words
from ptclock.ui.code_tile import wrap

BAND_HEIGHT = 132
FLASH_MS = 2000
"""How long the "Unit N reached" flash stays."""
TIME_PX = 56
UNITS_PX = 40
NEXT_PX = 24
WON_PX = 30
MESSAGE_PX = 30
LINE_PX = 20
CAPTION_PX = 14
MARGIN = 16

IDLE_WORDS = "No timer running — tap a code to start"
NO_VISIT_WORDS = "No visit open — Start visit (Ctrl+N)"
ENDED_WORDS = "■ Visit ended"
PAUSED_WORDS = "❚❚ PAUSED"


class Cue(str, Enum):
    NONE = ""
    UNIT_WON = "unit won"
    """The visit's units rose while a timer ran: the band flashes for ``FLASH_MS``."""
    UNIT_NEAR = "unit near"
    """The next unit is near (``Billing.next_unit_near``) while a timer runs."""


class BandState(str, Enum):
    NO_VISIT = "no visit"
    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class NowPanel(QWidget):
    cue_began = Signal(object)
    """A cue (``Cue``) just began: the window beeps if the sound cue is on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAutoFillBackground(True)
        self.setFixedHeight(BAND_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Now")
        base = self.font()
        self.time_font = theme.font(base, TIME_PX, bold=True, digits=True)
        self.units_font = theme.font(base, UNITS_PX, bold=True)
        self.next_font = theme.font(base, NEXT_PX, bold=True)
        self.won_font = theme.font(base, WON_PX, bold=True)
        self.message_font = theme.font(base, MESSAGE_PX, bold=True)
        self.line_font = theme.font(base, LINE_PX, bold=True)
        self.descriptor_font = theme.font(base, LINE_PX - 2)
        self.caption_font = theme.font(base, CAPTION_PX, bold=True)
        self.flash_timer = QTimer(self)
        self.flash_timer.setSingleShot(True)
        self.flash_timer.setInterval(FLASH_MS)
        self.flash_timer.timeout.connect(self.end_flash)

        self.state = BandState.NO_VISIT
        self.state_text = NO_VISIT_WORDS
        """The state in words: "▶ RUNNING", "❚❚ PAUSED", "No timer running — …"."""
        self.code_text = ""
        self.descriptor_text = ""
        self.time_text = ""
        self.also_text = ""
        """Other codes running at once (a concurrent visit): "+ 97140 4:10"."""
        self.units_text = ""
        self.next_text = ""
        self.won_text = ""
        self._near = False
        self._last: tuple[int, object, int] | None = None
        """(visit id, rule, units) of the last tally shown: a rise is a unit won."""
        self._painted: tuple[object, ...] = ()
        self._painted_rest: tuple[object, ...] = ()
        self._time_area: QRect | None = None
        """Where the running time was last painted: a tick repaints only there."""
        self._spoken = ""

    def sizeHint(self) -> QSize:
        return QSize(900, BAND_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(360, BAND_HEIGHT)

    # -- what it shows -----------------------------------------------------------------

    @property
    def cue(self) -> Cue:
        if self.flash_timer.isActive():
            return Cue.UNIT_WON
        return Cue.UNIT_NEAR if self._near else Cue.NONE

    def texts(self) -> list[str]:
        """Every string painted now, in reading order (empty ones left out)."""
        shown = [
            self.state_text,
            self.code_text,
            self.descriptor_text,
            self.time_text,
            self.also_text,
            self.units_text,
            self.won_text if self.cue is Cue.UNIT_WON else self.next_text,
        ]
        return [text for text in shown if text]

    def show_tally(self, tally: VisitTally | None, billing: Billing | None = None) -> None:
        """Show ``tally``; its units and the next unit from ``billing`` (the claim's, when
        the visit is billed on one) or else the tally's own."""
        if tally is None:
            self._show_nothing()
            return
        if self.isHidden():
            self.show()
        visit = tally.record.visit
        was_near = self._near
        billing = billing or tally.billing
        units = billing.total_units
        running = tally.running_codes
        self.code_text = self.descriptor_text = self.time_text = self.also_text = ""
        if visit.status is VisitStatus.ENDED:
            self.state, self.state_text = BandState.ENDED, ENDED_WORDS
        elif visit.status is VisitStatus.PAUSED:
            self.state, self.state_text = BandState.PAUSED, PAUSED_WORDS
            held = [c for c in visit.paused_codes if c in {line.code for line in tally.codes}]
            if held:
                line = tally.code(held[0])
                self.code_text, self.descriptor_text = line.code, line.descriptor
                self.time_text = words.clock(line.seconds)
        elif running:
            self.state, self.state_text = BandState.RUNNING, "▶ RUNNING"
            line = tally.code(running[0])
            self.code_text, self.descriptor_text = line.code, line.descriptor
            self.time_text = words.clock(line.seconds)
            self.also_text = "  ".join(
                f"+ {code} {words.clock(tally.code(code).seconds)}" for code in running[1:]
            )
        else:
            self.state, self.state_text = BandState.IDLE, IDLE_WORDS
        self.units_text = words.units(units)
        sentence = billing.next_unit_sentence() if self.state is not BandState.ENDED else None
        self.next_text = sentence or ""
        self._near = self.state is BandState.RUNNING and billing.next_unit_near()
        now = (visit.id, tally.rule, units)
        last, self._last = self._last, now
        if last is None or last[0] != visit.id or self.state is not BandState.RUNNING:
            # Another visit (its units were not won just now), or the timer stopped, paused or
            # ended: the new state is what to see.
            self.flash_timer.stop()
        elif last[1] == tally.rule and units > last[2]:
            self.won_text = f"★ Unit {units} reached"
            self.flash_timer.start()
            self.sound_cue(Cue.UNIT_WON)
        if self._near and not was_near:
            self.sound_cue(Cue.UNIT_NEAR)
        self._repaint_if_changed()

    def show_seconds(self, tally: VisitTally) -> None:
        """A second passed within the minute: only the running times move (``show_tally``
        comes with each whole minute and with everything else)."""
        running = tally.running_codes
        if self.state is not BandState.RUNNING or not running:
            return
        time_text = words.clock(tally.code(running[0]).seconds)
        also_text = "  ".join(
            f"+ {code} {words.clock(tally.code(code).seconds)}" for code in running[1:]
        )
        if (time_text, also_text) == (self.time_text, self.also_text):
            return
        self.time_text, self.also_text = time_text, also_text
        self._painted = (*self.texts(), self.state, self.cue)
        area = self._time_area
        self.update(area) if area is not None and self.cue is Cue.NONE else self.update()

    def _show_nothing(self) -> None:
        self.state, self.state_text = BandState.NO_VISIT, NO_VISIT_WORDS
        self.code_text = self.descriptor_text = self.time_text = self.also_text = ""
        self.units_text = self.next_text = ""
        self._near = False
        self._last = None
        self.flash_timer.stop()
        self._repaint_if_changed()
        self.hide()  # the header's big Start visit button says it all

    def end_flash(self) -> None:
        """The "Unit N reached" flash is over (the timer's end; tests call it directly)."""
        self.flash_timer.stop()
        self._repaint_if_changed()

    def sound_cue(self, cue: Cue) -> None:
        """A cue begins: ``cue_began`` tells the window, which beeps when the sound cue is
        on in Settings."""
        self.cue_began.emit(cue)

    def _repaint_if_changed(self) -> None:
        painted = (*self.texts(), self.state, self.cue)
        rest = (*(t for t in self.texts() if t not in (self.time_text, self.also_text)),)
        rest += (self.state, self.cue)
        if painted != self._painted:
            seconds_only = (
                rest == self._painted_rest
                and self._time_area is not None
                and self.state is BandState.RUNNING
            )
            self._painted, self._painted_rest = painted, rest
            if seconds_only and self._time_area is not None:
                # Only the running times moved: repaint (and flush) just them.
                self.update(self._time_area)
            else:
                self.update()
        # For screen readers: all but the seconds, so it changes with the state, the units
        # and the next unit's minutes, not every second.
        spoken = ". ".join(t for t in self.texts() if t not in (self.time_text, self.also_text))
        if spoken != self._spoken:
            self._spoken = spoken
            self.setAccessibleDescription(spoken)

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        colours = theme.theme_of(palette)
        cue = self.cue
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self._time_area
        if (
            area is not None
            and self.state is BandState.RUNNING
            and cue is Cue.NONE
            and area.contains(event.rect())
        ):
            # A tick: only the running times changed, inside the band's plain fill.
            painter.fillRect(event.rect(), colours.running_fill)
            painter.setPen(colours.running_text)
            self._paint_times(painter, area)
            painter.end()
            return
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        box = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        if cue is Cue.UNIT_WON:
            fill, ink = colours.won_fill, colours.won_text
            painter.setPen(QPen(colours.won_fill.darker(140), 3))
        elif self.state is BandState.RUNNING:
            fill, ink = colours.running_fill, colours.running_text
            painter.setPen(QPen(colours.running_fill.darker(130), 3))
        elif self.state is BandState.PAUSED:
            fill, ink = colours.base, colours.text
            painter.setPen(QPen(colours.accent, 4, Qt.PenStyle.DashLine))
            box = box.adjusted(1, 1, -1, -1)
        else:
            fill, ink = colours.base, colours.text
            painter.setPen(QPen(colours.edge, 1))
        coloured = fill != colours.base
        caption_ink = ink if coloured else colours.muted
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 12, 12)

        width, height = self.width(), self.height()
        left = QRect(MARGIN, 10, int(width * 0.42) - MARGIN, height - 20)
        middle = QRect(left.right() + MARGIN, 10, int(width * 0.18), height - 20)
        right = QRect(middle.right() + MARGIN, 10, width - middle.right() - 2 * MARGIN, height - 20)
        self._paint_left(painter, left, ink, caption_ink)
        if self.units_text:
            self._caption(painter, middle, "Visit total", caption_ink)
            painter.setPen(ink)
            painter.setFont(self.units_font)
            body = middle.adjusted(0, _line(self.caption_font), 0, 0)
            painter.drawText(
                body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.units_text
            )
        if cue is Cue.UNIT_WON:
            self._caption(painter, right, "Unit reached", caption_ink)
            painter.setPen(ink)
            lines = wrap(self.won_text, QFontMetrics(self.won_font), right.width() - 8, 2)
            self._paragraph(painter, right, lines, self.won_font)
        elif self.next_text:
            self._caption(painter, right, "Next unit", caption_ink)
            lines = self._next_lines(right.width() - 8)
            if cue is Cue.UNIT_NEAR:
                tall = len(lines) * _line(self.next_font) + 12
                top = right.top() + _line(self.caption_font) + 2
                metrics = QFontMetrics(self.next_font)
                wide = max(metrics.horizontalAdvance(line) for line in lines) + 16
                highlight = QRectF(right.left() - 8, top, min(right.width() + 4, wide), tall)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colours.near_fill)
                painter.drawRoundedRect(highlight, 8, 8)
                painter.setPen(colours.near_text)
            else:
                painter.setPen(ink)
            self._paragraph(painter, right, lines, self.next_font)
        painter.end()

    def _next_lines(self, width: int) -> list[str]:
        """The next-unit sentence on one line, or broken before "for unit N"."""
        metrics = QFontMetrics(self.next_font)
        if metrics.horizontalAdvance(self.next_text) <= width:
            return [self.next_text]
        head, _, tail = self.next_text.rpartition(" for unit ")
        if head and metrics.horizontalAdvance(head) <= width:
            return [head, f"for unit {tail}"]
        return wrap(self.next_text, metrics, width, 2)

    def _paint_left(self, painter: QPainter, area: QRect, ink: QColor, caption: QColor) -> None:
        painter.setPen(ink)
        if self.state in (BandState.RUNNING, BandState.PAUSED) and self.time_text:
            line_height = _line(self.line_font)
            first = QRect(area.left(), area.top(), area.width(), line_height)
            x = first.left()
            if self.state is BandState.RUNNING:
                parts = [(self.state_text, self.line_font), (self.code_text, self.line_font)]
            else:
                parts = [
                    ("Held:", self.line_font),
                    (self.code_text, self.line_font),
                    (self.time_text, self.line_font),
                ]
            parts.append((self.descriptor_text, self.descriptor_font))
            for text, font in parts:
                metrics = QFontMetrics(font)
                room = first.right() - x
                if room <= 0:
                    break
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
                painter.setFont(font)
                painter.drawText(
                    QRect(x, first.top(), room, line_height),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    shown,
                )
                x += metrics.horizontalAdvance(shown) + 12
            body = area.adjusted(0, line_height, 0, 0)
            self._time_area = body
            if self.state is BandState.PAUSED:
                painter.setFont(self.time_font)
                painter.drawText(
                    body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, PAUSED_WORDS
                )
                return
            self._paint_times(painter, body)
            return
        if self.state is BandState.PAUSED:
            painter.setFont(self.time_font)
            painter.drawText(
                area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, PAUSED_WORDS
            )
            return
        if self.state is BandState.NO_VISIT:
            painter.setPen(caption)
        lines = wrap(self.state_text, QFontMetrics(self.message_font), area.width(), 2)
        painter.setFont(self.message_font)
        line_height = _line(self.message_font)
        top = area.top() + (area.height() - line_height * len(lines)) // 2
        for number, line in enumerate(lines):
            painter.drawText(
                QRect(area.left(), top + number * line_height, area.width(), line_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )

    def _paint_times(self, painter: QPainter, body: QRect) -> None:
        """The running code's time, big, and the other running codes' times beside it."""
        painter.setFont(self.time_font)
        painter.drawText(
            body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.time_text
        )
        if self.also_text:
            offset = QFontMetrics(self.time_font).horizontalAdvance(self.time_text) + 20
            painter.setFont(self.line_font)
            painter.drawText(
                body.adjusted(offset, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.also_text,
            )

    def _caption(self, painter: QPainter, area: QRect, text: str, ink: QColor) -> None:
        painter.setPen(ink)
        painter.setFont(self.caption_font)
        painter.drawText(
            QRect(area.left(), area.top(), area.width(), _line(self.caption_font)),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )

    def _paragraph(self, painter: QPainter, area: QRect, lines: list[str], font: QFont) -> None:
        """``lines`` under the caption, from the top of ``area``."""
        metrics = QFontMetrics(font)
        painter.setFont(font)
        top = area.top() + _line(self.caption_font) + 8
        for line in lines:
            painter.drawText(
                QRect(area.left(), top, area.width(), metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            top += metrics.height()


def _line(font: QFont) -> int:
    return QFontMetrics(font).height()
