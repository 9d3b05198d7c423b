"""The visit header: who, which payer and rule, the date, the visit's clock and state,
Pause/Resume and End — or, with no visit or after End visit, one big Start button.

The patient's name and the details line are elided, never clipping the buttons and never
widening the window; the visit clock is a fixed-size painted face, so its second's tick
repaints it alone.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QWidget,
)

from ptclock.timing.records import Performer, VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import theme, words
from ptclock.ui.widget_parts import TOUCH_HEIGHT

PAYER_WORDS = {"medicare": "Medicare", "commercial": "Commercial", "other": "Other payer"}
NAME_PX = 26
DETAILS_PX = 15
CLOCK_PX = 28
CAPTION_PX = 12
BADGE_PX = 22
PAUSED_BADGE = "❚❚ PAUSED"
ENDED_BADGE = "■ ENDED"
CLOCK_CAPTION = "Visit time"


class ElidedLabel(QWidget):
    """One line of text, elided at the right when the space is short (the whole text in
    the tooltip); it asks for its text's width but can be given far less."""

    def __init__(self, font: QFont, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(font)
        self.setAccessibleName(name)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(QFontMetrics(font).height())
        self._text = ""

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        self.setAccessibleDescription(text)
        self.setToolTip(text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(QFontMetrics(self.font()).horizontalAdvance(self._text), self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(40, self.height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        shown = QFontMetrics(self.font()).elidedText(
            self._text, Qt.TextElideMode.ElideRight, self.width()
        )
        painter.drawText(
            self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown
        )
        painter.end()


TIME_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class VisitClock(QWidget):
    """The visit's length, "Visit time 0:31:03" on one line: fixed size, opaque."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAutoFillBackground(True)
        self.time_font = theme.font(self.font(), CLOCK_PX, bold=True, digits=True)
        self.caption_font = theme.font(self.font(), CAPTION_PX, bold=True)
        time_metrics = QFontMetrics(self.time_font)
        self._caption_width = QFontMetrics(self.caption_font).horizontalAdvance(CLOCK_CAPTION) + 8
        self.setFixedSize(
            self._caption_width + time_metrics.horizontalAdvance("00:00:00") + 4,
            time_metrics.height(),
        )
        self._time_rect = self.rect().adjusted(self._caption_width, 0, 0, 0)
        self.setAccessibleName("Visit time")
        self._text = ""
        self.set_seconds(0)

    def text(self) -> str:
        return self._text

    def set_seconds(self, seconds: int) -> None:
        text = words.elapsed(seconds)
        if text != self._text:
            self._text = text
            self.update(self._time_rect)  # the caption stays as painted

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        if self._time_rect.contains(event.rect()):  # a tick: just the time
            painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Window))
            painter.setFont(self.time_font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(self._time_rect, TIME_ALIGNMENT, self._text)
            painter.end()
            return
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        colours = theme.theme_of(palette)
        painter.setFont(self.caption_font)
        painter.setPen(theme.mix(colours.text, palette.color(QPalette.ColorRole.Window), 0.2))
        caption = QRect(0, 0, self._caption_width, self.height())
        painter.drawText(
            caption, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, CLOCK_CAPTION
        )
        painter.setFont(self.time_font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.drawText(self._time_rect, TIME_ALIGNMENT, self._text)
        painter.end()


class StateBadge(QWidget):
    """PAUSED or ENDED, big, in a box beside the visit clock (hidden while the visit runs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.badge_font = theme.font(self.font(), BADGE_PX, bold=True)
        metrics = QFontMetrics(self.badge_font)
        width = max(metrics.horizontalAdvance(t) for t in (PAUSED_BADGE, ENDED_BADGE)) + 28
        self.setFixedSize(width, metrics.height() + 16)
        self.setAccessibleName("Visit state")
        self._text = ""
        self.hide()

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setAccessibleDescription(text)
            self.update()
        self.setVisible(bool(text))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        painter.setPen(QPen(ink, 3))
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 8, 8)
        painter.setFont(self.badge_font)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._text)
        painter.end()


def _big_button(text: str, name: str, pixels: int) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setFont(theme.font(button.font(), pixels, bold=True))
    button.setMinimumHeight(TOUCH_HEIGHT + 12)
    return button


class VisitHeader(QStackedWidget):
    start_visit = Signal()
    pause_resume = Signal()
    end_visit = Signal()
    performer_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.start_button = _big_button("Start visit  (Ctrl+N)", "Start visit", 22)
        self.start_button.setMinimumHeight(64)
        self.start_button.clicked.connect(self.start_visit)

        self.patient_label = ElidedLabel(
            theme.font(self.font(), NAME_PX, bold=True), "Patient", self
        )
        self.details_label = ElidedLabel(
            theme.font(self.font(), DETAILS_PX), "Payer, billing rule and date of service", self
        )
        self.clock = VisitClock()
        self.state_badge = StateBadge()
        self.pause_button = QPushButton()
        self.pause_button.setMinimumHeight(TOUCH_HEIGHT)
        self.pause_button.clicked.connect(self.pause_resume)
        self.performer_box = QComboBox()
        self.performer_box.setAccessibleName("Who performs the next timer")
        self.performer_box.setMinimumHeight(TOUCH_HEIGHT)
        for performer, words_ in (
            (Performer.PT, "Performed by PT"),
            (Performer.PTA, "Performed by PTA"),
            (Performer.STUDENT, "Student (not billable)"),
        ):
            self.performer_box.addItem(words_, performer.value)
        self.performer_box.currentIndexChanged.connect(
            lambda _index: self.performer_changed.emit(Performer(self.performer_box.currentData()))
        )
        self.end_button = QPushButton("End visit…")
        self.end_button.setMinimumHeight(TOUCH_HEIGHT)
        self.end_button.setAccessibleName("End visit")
        self.end_button.clicked.connect(self.end_visit)
        self.next_button = _big_button("Start next visit  (Ctrl+N)", "Start next visit", 20)
        self.next_button.clicked.connect(self.start_visit)

        running_controls = QWidget()
        running_row = QHBoxLayout(running_controls)
        running_row.setContentsMargins(0, 0, 0, 0)
        running_row.addWidget(self.performer_box)
        running_row.addWidget(self.pause_button)
        running_row.addWidget(self.end_button)
        self.controls = QStackedWidget()
        self.controls.addWidget(running_controls)
        self.controls.addWidget(self.next_button)
        self.controls.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(4, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(0, 1)
        self.wide: bool | None = None
        self.set_wide(True)
        visit_page = QWidget()
        visit_page.setLayout(self.grid)
        self.addWidget(self.start_button)
        self.addWidget(visit_page)
        self._shown: tuple[object, ...] = ()

    def set_wide(self, wide: bool) -> None:
        """Wide: name and clock over payer · rule · date, the state and the buttons to the
        right of both lines. Narrow: name, clock and state on the first line, payer · rule ·
        date and the buttons on the second, so the name keeps its room."""
        if wide == self.wide:
            return
        self.wide = wide
        grid = self.grid
        for widget in (
            self.patient_label,
            self.clock,
            self.details_label,
            self.state_badge,
            self.controls,
        ):
            grid.removeWidget(widget)
        middle = Qt.AlignmentFlag.AlignVCenter
        grid.addWidget(self.patient_label, 0, 0, middle)
        grid.addWidget(self.clock, 0, 1, middle)
        if wide:
            grid.addWidget(self.details_label, 1, 0, 1, 2, middle)
            grid.addWidget(self.state_badge, 0, 2, 2, 1, middle)
            grid.addWidget(self.controls, 0, 3, 2, 1, middle)
        else:
            grid.addWidget(self.state_badge, 0, 2, 1, 2, Qt.AlignmentFlag.AlignRight | middle)
            grid.addWidget(self.details_label, 1, 0, middle)
            grid.addWidget(self.controls, 1, 1, 1, 3, Qt.AlignmentFlag.AlignRight | middle)

    def show_performer(self, performer: Performer) -> None:
        index = self.performer_box.findData(performer.value)
        if index != self.performer_box.currentIndex():
            self.performer_box.setCurrentIndex(index)

    def show_tally(self, tally: VisitTally | None) -> None:
        """The visit's name, details, clock and state; per second only the clock moves."""
        if tally is None:
            self.setCurrentIndex(0)
            self._shown = ()
            return
        self.setCurrentIndex(1)
        visit = tally.record.visit
        self.clock.set_seconds(tally.elapsed_seconds)
        shown = (visit.id, visit.patient, visit.payer, tally.rule, visit.status)
        if shown == self._shown:
            return
        self._shown = shown
        self.patient_label.setText(visit.patient)
        rule = tally.rule.in_words.split(" (")[0]
        self.details_label.setText(
            f"{PAYER_WORDS.get(visit.payer.value, visit.payer.value)} · {rule}"
            f" · Date of service {visit.date_of_service.isoformat()}"
        )
        self.state_badge.set_text(
            {
                VisitStatus.OPEN: "",
                VisitStatus.PAUSED: PAUSED_BADGE,
                VisitStatus.ENDED: ENDED_BADGE,
            }[visit.status]
        )
        paused = visit.status is VisitStatus.PAUSED
        self.pause_button.setText("▶ Resume  (Space)" if paused else "❚❚ Pause  (Space)")
        self.pause_button.setAccessibleName("Resume visit" if paused else "Pause visit")
        self.pause_button.setEnabled(visit.is_open)
        self.end_button.setEnabled(visit.is_open)
        self.controls.setCurrentIndex(0 if visit.is_open else 1)
