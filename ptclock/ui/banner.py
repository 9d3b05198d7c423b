"""The banner: every message the window shows, in view until it is read.

One row per message — a mark and a word for its kind ("⚠ Problem", "ℹ Notice"), the sentence
(word-wrapped, selectable, to copy into a note or a support mail) and a Dismiss button (✕).
The newest is on top; at most ``VISIBLE`` rows show, then "and N more". The same message
again is not a second row: its row moves to the top and counts ("×2"). A notice fades after
``NOTICE_MS`` (never while the pointer rests on it); a problem stays until it is dismissed.

Keys: Alt+D dismisses the newest message. Esc is never taken: in the window it stops the
running timer, whatever has focus here.

The banner takes its room inside the layout it is put in and never makes the window grow:
its rows scroll when the window is short, and it asks for no width of its own. It is hidden
while empty. Colours come from the palette's lightness (light or dark theme), each pair of
text and background at 7:1 contrast or more (WCAG AAA), and colour is never the only cue.

For the window::

    banner = Banner(parent)
    banner.say("Report saved to …/visit.pdf.", "notice")
    banner.say("The database is read-only: the change was not saved.", "problem")
    banner.messages()    # what it holds, newest first
    banner.clear()
    banner.height_changed.connect(...)   # the height it asks for, when that changes
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QEnterEvent,
    QFontMetrics,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ptclock.ui import theme
from ptclock.ui.widget_parts import TOUCH_HEIGHT
from ptclock.ui.words import sentence

Kind = Literal["problem", "notice"]
KINDS: tuple[str, ...] = get_args(Kind)
VISIBLE = 3
"""Rows on screen at once; the older ones wait under "and N more"."""
NOTICE_MS = 10_000
"""A notice fades this long after it was last said (a problem never fades)."""
MAX_HEIGHT = 220
"""The most height the banner asks for; past it, its rows scroll."""
DISMISS_KEY = "Alt+D"

MARKS = {"problem": ("⚠", "Problem"), "notice": ("ℹ", "Notice")}


@dataclass(frozen=True)
class Colours:
    background: str
    text: str
    edge: str


LIGHT = {
    "problem": Colours("#fdecea", "#5c0b0b", "#b42318"),
    "notice": Colours("#e7f0fa", "#0a2a4a", "#1d5fa8"),
}
DARK = {
    "problem": Colours("#3f1212", "#ffe1dc", "#f97066"),
    "notice": Colours("#0f2740", "#dcecff", "#6aa8ff"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def colours(palette: QPalette, kind: str) -> Colours:
    """The row colours of ``kind`` under ``palette`` (its light or dark theme)."""
    return (DARK if is_dark(palette) else LIGHT)[kind]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21 (``theme.contrast``)."""
    return theme.contrast(QColor(a), QColor(b))


class BannerRow(QFrame):
    """One message: its mark and word, the sentence, how often it was said, Dismiss."""

    dismissed = Signal(object)
    """This row, when it is dismissed or has faded."""

    def __init__(
        self, text: str, kind: str, dark: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bannerRow")
        self.text = text
        self.kind = kind
        self.count = 1
        self._dark: bool | None = None
        mark, word = MARKS[kind]
        self.mark = QLabel(mark)
        self.mark.setAccessibleName(word)
        bigger = self.mark.font()
        bigger.setPointSizeF(bigger.pointSizeF() * 1.3)
        self.mark.setFont(bigger)
        self.mark.setFixedWidth(QFontMetrics(bigger).horizontalAdvance("⚠") + 4)
        self.word = QLabel(word)
        self.word.setObjectName("bannerWord")
        bold = self.word.font()
        bold.setBold(True)
        # Both words take the same room, so the sentences of all rows start in one column.
        self.word.setFixedWidth(
            max(QFontMetrics(bold).horizontalAdvance(w) for _, w in MARKS.values()) + 2
        )
        self.label = QLabel(text)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        # Never asks for width: the window's width decides where the sentence wraps.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setMinimumWidth(80)
        self.times = QLabel("")
        self.times.setObjectName("bannerWord")
        self.times.hide()
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setMinimumSize(TOUCH_HEIGHT, TOUCH_HEIGHT)
        self.dismiss_button.setFont(bigger)
        self.dismiss_button.setToolTip(f"Dismiss ({DISMISS_KEY} dismisses the newest)")
        self.dismiss_button.clicked.connect(self.dismiss)
        self.fade_timer: QTimer | None = None
        if kind == "notice":
            self.fade_timer = QTimer(self)
            self.fade_timer.setSingleShot(True)
            self.fade_timer.setInterval(NOTICE_MS)
            self.fade_timer.timeout.connect(self.dismiss)
            self.fade_timer.start()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 2, 2, 2)
        layout.setSpacing(8)
        layout.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.word, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.times, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self._name()
        self.apply_theme(dark)

    def repeat(self) -> None:
        """Said again: count it, and a notice's fade starts over."""
        self.count += 1
        self.times.setText(f"×{self.count}")
        self.times.setToolTip(f"Said {self.count} times")
        self.times.show()
        self._name()
        if self.fade_timer is not None:
            self.fade_timer.start()

    def dismiss(self) -> None:
        self.dismissed.emit(self)

    def _name(self) -> None:
        word = MARKS[self.kind][1]
        times = f" (said {self.count} times)" if self.count > 1 else ""
        self.setAccessibleName(f"{word}: {self.text}{times}")
        self.dismiss_button.setAccessibleName(f"Dismiss: {self.text}")
        self.dismiss_button.setAccessibleDescription(f"Dismiss this {word.lower()}")

    def apply_theme(self, dark: bool) -> None:
        """Colour the row for a dark or a light theme (the banner says which: the row's own
        palette is its stylesheet's)."""
        if dark == self._dark:
            return
        self._dark = dark
        c = (DARK if dark else LIGHT)[self.kind]
        self.setStyleSheet(
            f"QFrame#bannerRow {{ background: {c.background}; border: 1px solid {c.edge};"
            f" border-left: 6px solid {c.edge}; }}"
            f" QLabel {{ color: {c.text}; background: transparent; border: none; }}"
            " QLabel#bannerWord { font-weight: bold; }"
            f" QToolButton {{ color: {c.text}; font-weight: bold; border: none; }}"
            f" QToolButton:hover, QToolButton:focus {{ border: 2px solid {c.edge};"
            " border-radius: 4px; }"
        )

    def enterEvent(self, event: QEnterEvent) -> None:
        """Being read: a notice does not fade under the pointer."""
        super().enterEvent(event)
        if self.fade_timer is not None:
            self.fade_timer.stop()

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        if self.fade_timer is not None:
            self.fade_timer.start()


class Banner(QFrame):
    """The window's messages (see the module docstring)."""

    height_changed = Signal(int)
    """The height the banner asks for (0 when empty) changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Messages")
        self._rows: list[BannerRow] = []
        """Newest first."""
        self._asked = 0
        self._content = QWidget()
        self._content.setObjectName("bannerContent")
        self._rows_layout = QVBoxLayout(self._content)
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        self.more_label = QLabel("")
        self.more_label.setObjectName("bannerMore")
        self.more_label.hide()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self._content)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.viewport().setAutoFillBackground(False)
        self._content.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.scroll_area)
        layout.addWidget(self.more_label)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.dismiss_shortcut = QShortcut(QKeySequence(DISMISS_KEY), self)
        self.dismiss_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.dismiss_shortcut.activated.connect(self.dismiss_newest)
        self.hide()

    # -- what the window calls ---------------------------------------------------------------

    def say(self, text: str, kind: Kind) -> None:
        """Show ``text`` as a ``kind`` ("problem" or "notice") message, on top."""
        if kind not in KINDS:
            raise ValueError(f"a message is a problem or a notice, not {kind!r}")
        text = sentence(text)  # a capital first letter and a full stop, whoever said it
        if not text:
            return
        same = next((r for r in self._rows if r.text == text and r.kind == kind), None)
        if same is not None:
            self._rows.remove(same)
            self._rows_layout.removeWidget(same)
            same.repeat()
            row = same
        else:
            row = BannerRow(text, kind, is_dark(self.palette()))
            row.dismissed.connect(self._drop)
        self._rows.insert(0, row)
        self._rows_layout.insertWidget(0, row)
        self._arrange()
        self.scroll_area.verticalScrollBar().setValue(0)

    def clear(self) -> None:
        for row in list(self._rows):
            self._remove(row)
        self._arrange()

    def messages(self) -> list[str]:
        """Every message the banner holds, newest first (those under "and N more" too)."""
        return [row.text for row in self._rows]

    def shown(self) -> list[str]:
        """The messages on screen, newest first (at most ``VISIBLE``)."""
        return [row.text for row in self._rows[:VISIBLE]]

    def rows(self) -> list[BannerRow]:
        """The rows, newest first."""
        return list(self._rows)

    def dismiss_newest(self) -> None:
        if self._rows:
            self._drop(self._rows[0])

    # -- room ---------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(200, self._wanted())

    def minimumSizeHint(self) -> QSize:
        """Never more than one row's height: a short window scrolls the rows instead of
        growing."""
        if not self._rows:
            return QSize(120, 0)
        return QSize(120, min(self._wanted(), self._rows[0].minimumSizeHint().height()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the theme may have turned dark
            dark = is_dark(self.palette())
            for row in self._rows:
                row.apply_theme(dark)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._asked_again()  # the sentences wrap anew

    def _wanted(self) -> int:
        if not self._rows:
            return 0
        width = self.scroll_area.viewport().width() if self.isVisible() else self.width()
        layout = self._rows_layout
        if layout.hasHeightForWidth() and width > 0:
            rows = layout.totalHeightForWidth(width)
        else:
            rows = layout.totalSizeHint().height()
        more = self.more_label.sizeHint().height() + 2 if self.more_label.isVisibleTo(self) else 0
        return min(rows, MAX_HEIGHT) + more

    # -- inside ---------------------------------------------------------------------------------

    def _drop(self, row: BannerRow) -> None:
        if row in self._rows:
            self._remove(row)
            self._arrange()

    def _remove(self, row: BannerRow) -> None:
        self._rows.remove(row)
        if row.fade_timer is not None:
            row.fade_timer.stop()
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _arrange(self) -> None:
        for index, row in enumerate(self._rows):
            row.setVisible(index < VISIBLE)
        more = len(self._rows) - VISIBLE
        self.more_label.setText(f"and {more} more (dismiss one to see the next)")
        self.more_label.setVisible(more > 0)
        self.setVisible(bool(self._rows))
        self._asked_again()

    def _asked_again(self) -> None:
        self._content.adjustSize()
        self.updateGeometry()
        wanted = self._wanted()
        if wanted != self._asked:
            self._asked = wanted
            self.height_changed.emit(wanted)
