"""A code tile: one big painted button per code, showing its time and units, toggled by click
or key; and the board that flows the tiles into as many columns as the width allows.

The tile paints itself (no child labels): a second's tick changes one string and repaints
one widget, and nothing it shows can resize anything (its size is fixed by its fonts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ptclock.billing import Code
from ptclock.ui import theme, words

RUNNING_MARK = "▶ RUNNING"
STOPPED_MARK = "■ stopped"
PAUSED_MARK = "❚❚ PAUSED"
MARKS = {"running": RUNNING_MARK, "paused": PAUSED_MARK, "stopped": STOPPED_MARK}

TILE_MIN_WIDTH = 180
"""The narrowest a tile gets: its code, two lines of descriptor and its time still fit."""
TILE_SPACING = 10
PAD = 12
CODE_PX = 24
NAME_PX = 15
TIME_PX = 32
UNITS_PX = 17
STATE_PX = 14
KEY_PX = 13


class PaintedText:
    """What one painted part of a widget says now, read like a label's ``text()`` (by tests,
    the soak and anything that wants the words without the pixels)."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], str]) -> None:
        self._read = read

    def text(self) -> str:
        return self._read()


class CodeTile(QAbstractButton):
    """Click to start the code, click again to stop it. Running is a filled strong colour,
    the ▶ mark and the word RUNNING; it is painted the instant the tile is pressed."""

    def __init__(self, code: Code, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.key = key
        # Checked follows the controller only (show_time): a click asks, the answer shows.
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        # Opaque: a repaint of the tile repaints nothing behind it (for a button, Qt needs
        # the filled background as well as the attribute to skip its parents).
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(code.details or code.descriptor)
        base = self.font()
        self.code_font = theme.font(base, CODE_PX, bold=True)
        self.name_font = theme.font(base, NAME_PX)
        self.time_font = theme.font(base, TIME_PX, bold=True, digits=True)
        self.units_font = theme.font(base, UNITS_PX, bold=True)
        self.state_font = theme.font(base, STATE_PX, bold=True)
        self.key_font = theme.font(base, KEY_PX, bold=True)
        self._line = {
            name: QFontMetrics(font).height()
            for name, font in (
                ("code", self.code_font),
                ("name", self.name_font),
                ("time", self.time_font),
                ("bottom", self.units_font),
            )
        }
        height = (
            2 * PAD
            + self._line["code"]
            + 2 * self._line["name"]
            + self._line["time"]
            + self._line["bottom"]
            + 6
        )
        self.setFixedHeight(height)
        self.setMinimumWidth(TILE_MIN_WIDTH)
        self._descriptor = code.descriptor + ("" if code.timed else " (untimed)")
        self._wrapped: tuple[int, list[str]] = (-1, [])
        self._state = "stopped"
        self._time = ""
        self._units = ""
        self._name = ""
        self._description = ""
        self.code_label = PaintedText(lambda: self.code.code)
        self.name_label = PaintedText(lambda: self._descriptor)
        self.key_label = PaintedText(lambda: f"[{self.key}]" if self.key else "")
        self.time_label = PaintedText(lambda: self._time)
        self.units_label = PaintedText(lambda: self._units)
        self.state_label = PaintedText(lambda: MARKS[self.shown_state()])
        """The state word painted now (▶ RUNNING while pressed, before the controller answers)."""
        self._time_box: QRect | None = None
        """Where the time was last painted: a tick repaints only there."""
        self.show_time(0, 0, running=False, paused=False)

    # -- what it shows -----------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(TILE_MIN_WIDTH + 40, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(TILE_MIN_WIDTH, self.height())

    def nextCheckState(self) -> None:
        """A click does not check the tile by itself: the controller's answer does."""

    def show_seconds(self, seconds: int) -> None:
        """A running code's seconds moved within the minute: repaint just its time."""
        time = words.clock(seconds)
        if time != self._time:
            self._time = time
            self.update(self._time_box) if self._time_box is not None else self.update()

    def show_time(self, seconds: int, units: int, running: bool, paused: bool) -> None:
        """Show the code's time, units and state; repaint only when one of them changed."""
        state = "running" if running else "paused" if paused else "stopped"
        time, units_text = words.clock(seconds), words.units(units)
        if (state, units_text) != (self._state, self._units):
            self._state, self._time, self._units = state, time, units_text
            self.update()
        elif time != self._time:
            self._time = time
            # Only the seconds moved: repaint (and flush) just the time, not the tile.
            self.update(self._time_box) if self._time_box is not None else self.update()
        if self.isChecked() != running:
            self.setChecked(running)
        key = f", key {self.key}" if self.key else ""
        name = f"{self.code.code} {self.code.descriptor}, {state}{key}"
        if name != self._name:  # changes with the state, not with the seconds
            self._name = name
            self.setAccessibleName(name)
        description = f"{words.minutes(seconds // 60)}, {units_text}"
        if description != self._description:  # once a minute at most
            self._description = description
            self.setAccessibleDescription(description)

    @property
    def state(self) -> str:
        """ "running", "paused" or "stopped", as the controller last said."""
        return self._state

    def shown_state(self) -> str:
        """The state painted now: while the tile is held down, what the click will do."""
        if self.isDown():
            return "stopped" if self._state == "running" else "running"
        return self._state

    def shows_running(self) -> bool:
        """Whether the running look (fill, ▶ RUNNING) is painted now."""
        return self.shown_state() == "running"

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        colours = theme.theme_of(self.palette())
        state = self.shown_state()
        enabled = self.isEnabled()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box_of_time = self._time_box
        if (
            box_of_time is not None
            and state == "running"
            and enabled
            and box_of_time.contains(event.rect())
        ):
            # A tick: only the time changed, inside the running fill.
            painter.fillRect(event.rect(), colours.running_fill)
            painter.setPen(colours.running_text)
            painter.setFont(self.time_font)
            painter.drawText(
                box_of_time, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self._time
            )
            painter.end()
            return
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window))
        box = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        if state == "running" and enabled:
            fill, ink, muted = colours.running_fill, colours.running_text, colours.running_text
            painter.setPen(QPen(colours.running_fill.darker(130), 3))
        elif state == "paused" and enabled:
            fill, ink, muted = colours.base, colours.text, colours.muted
            painter.setPen(QPen(colours.accent, 4, Qt.PenStyle.DashLine))
            box = box.adjusted(1, 1, -1, -1)
        else:
            fill, ink = colours.base, colours.text if enabled else colours.muted
            muted = colours.muted
            painter.setPen(QPen(colours.edge, 2))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 10, 10)
        if self.hasFocus():
            focus = QPen(self.palette().color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(focus)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(4, 4, -4, -4), 7, 7)

        inner = self.rect().adjusted(PAD, PAD - 2, -PAD, -PAD + 2)
        width = inner.width()
        y = inner.top()
        # The key number, top right, in a small box; the code, large, top left.
        key_width = 0
        if self.key:
            painter.setFont(self.key_font)
            key_width = QFontMetrics(self.key_font).horizontalAdvance(self.key) + 12
            key_box = QRect(inner.right() - key_width + 1, y + 2, key_width, 22)
            painter.setPen(QPen(muted, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(key_box).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
            painter.drawText(key_box, Qt.AlignmentFlag.AlignCenter, self.key)
        painter.setPen(ink)
        painter.setFont(self.code_font)
        code_box = QRect(inner.left(), y, width - key_width - 6, self._line["code"])
        painter.drawText(
            code_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.code.code
        )
        y += self._line["code"]
        painter.setFont(self.name_font)
        for line in self._descriptor_lines(width):
            painter.drawText(
                QRect(inner.left(), y, width, self._line["name"]),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            y += self._line["name"]
        y = inner.top() + self._line["code"] + 2 * self._line["name"] + 4
        time_box = QRect(inner.left(), y, width, self._line["time"])
        self._time_box = time_box
        painter.setFont(self.time_font)
        painter.drawText(
            time_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, self._time
        )
        y += self._line["time"] + 2
        bottom = QRect(inner.left(), y, width, self._line["bottom"])
        painter.setFont(self.units_font)
        painter.drawText(
            bottom, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._units
        )
        painter.setFont(self.state_font)
        painter.setPen(ink if state != "stopped" else muted)
        painter.drawText(
            bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, MARKS[state]
        )
        painter.end()

    def _descriptor_lines(self, width: int) -> list[str]:
        """The descriptor wrapped to two lines of ``width``, the second elided (cached)."""
        if self._wrapped[0] != width:
            self._wrapped = (width, wrap(self._descriptor, QFontMetrics(self.name_font), width, 2))
        return self._wrapped[1]


def wrap(text: str, metrics: QFontMetrics, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` pixels, word by word; the last line
    elided with "…" when the text does not fit."""
    words_left = text.split()
    out: list[str] = []
    while words_left and len(out) < lines - 1:
        line = words_left.pop(0)
        while words_left and metrics.horizontalAdvance(f"{line} {words_left[0]}") <= width:
            line = f"{line} {words_left.pop(0)}"
        if metrics.horizontalAdvance(line) > width:
            line = metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
        out.append(line)
    if words_left:
        out.append(metrics.elidedText(" ".join(words_left), Qt.TextElideMode.ElideRight, width))
    return out


class TileBoard(QScrollArea):
    """The tiles in as many columns as fit the width, re-laid only when that number
    changes; it scrolls vertically, never sideways. ``last`` (the Add code button) takes
    the cell after the last tile, at a tile's height."""

    def __init__(self, last: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page = QWidget()
        self.page.setObjectName("tilePage")
        self.grid = QGridLayout()
        self.grid.setSpacing(TILE_SPACING)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.page_layout = QVBoxLayout(self.page)
        self.page_layout.setContentsMargins(8, 8, 8, 8)
        self.page_layout.addLayout(self.grid)
        self.page_layout.addStretch()
        self.last = last
        self.last.setMinimumWidth(TILE_MIN_WIDTH)
        self.last.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setWidget(self.page)
        self.tiles: list[CodeTile] = []
        self.columns = 0

    def set_tiles(self, tiles: Sequence[CodeTile]) -> None:
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        self.tiles = list(tiles)
        if self.tiles:
            self.last.setFixedHeight(self.tiles[0].height())
        self.columns = 0
        self._lay_out()

    def columns_for(self, width: int) -> int:
        """How many tiles fit side by side in ``width`` pixels of the board."""
        margins = self.page_layout.contentsMargins()
        # The bar's width is the style's scroll bar extent; asked of the bar itself, since
        # the style's enums cost 3 ms of start-up to load (issue 15).
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        # The scroll bar's width is always kept aside: its coming and going never re-lays.
        usable = width - 2 * self.frameWidth() - margins.left() - margins.right() - scroll_bar
        return max(1, (usable + TILE_SPACING) // (TILE_MIN_WIDTH + TILE_SPACING))

    def resizeEvent(self, event: QResizeEvent) -> None:
        # Re-laid first: the scroll area then sizes the page to the new columns.
        self._lay_out(event.size().width())
        super().resizeEvent(event)

    def _lay_out(self, width: int | None = None) -> None:
        columns = self.columns_for(self.width() if width is None else width)
        if columns == self.columns:
            return
        self.columns = columns
        cells: list[QWidget] = [*self.tiles, self.last]
        for cell in cells:
            self.grid.removeWidget(cell)
        for index, cell in enumerate(cells):
            self.grid.addWidget(cell, index // columns, index % columns)
        for column in range(max(self.grid.columnCount(), columns)):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
