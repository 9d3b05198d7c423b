"""Compact mode: a small always-on-top strip to sit beside the EMR."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ptclock.timing.tally import VisitTally
from ptclock.ui import words


class CompactStrip(QWidget):
    expand_requested = Signal()
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("ptclock")
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Running code, time and units")
        font = QFont(self.status_label.font())
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setBold(True)
        self.status_label.setFont(font)
        self.stop_button = QPushButton("■ Stop")
        self.stop_button.setAccessibleName("Stop the running code")
        self.stop_button.setMinimumSize(64, 44)
        self.stop_button.clicked.connect(self.stop_requested)
        self.expand_button = QPushButton("⤢ Full window")
        self.expand_button.setAccessibleName("Back to the full window")
        self.expand_button.setMinimumSize(64, 44)
        self.expand_button.clicked.connect(self.expand_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.status_label, 1)
        layout.addWidget(self.stop_button)
        layout.addWidget(self.expand_button)
        self.show_tally(None)

    def show_tally(self, tally: VisitTally | None) -> None:
        text = status_line(tally)
        if self.status_label.text() != text:
            self.status_label.setText(text)
        self.stop_button.setEnabled(bool(tally and tally.running_codes))


def status_line(tally: VisitTally | None) -> str:
    """ "▶ 97110 12:34 · visit 3 units" — the same line for the strip and the tray tooltip."""
    if tally is None:
        return "No visit"
    total = words.units(tally.billing.total_units)
    running = [tally.code(code) for code in tally.running_codes]
    if not running:
        return f"■ Nothing running · visit {total}"
    shown = " + ".join(f"{line.code} {words.clock(line.seconds)}" for line in running)
    return f"▶ {shown} · visit {total}"
