"""A timer still running for another patient is never hidden: one line says whose, which
code and how long, with a button to show that visit."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ptclock.timing.records import Visit
from ptclock.ui import words
from ptclock.ui.widget_parts import touch_button, warning_label


class ElsewhereBar(QWidget):
    open_requested = Signal(int)
    """Show this visit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_label = warning_label("Timers running for other patients")
        self.show_button = touch_button("", self._show_first)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.show_button)
        self._first: int | None = None
        self.hide()

    def show_running(self, running: list[tuple[Visit, str, int]]) -> None:
        if not running:
            self._first = None
            self.setVisible(False)
            return
        parts = [
            f"{code} for {visit.patient} ({words.clock(seconds)})"
            for visit, code, seconds in running
        ]
        text = "Also running: " + "; ".join(parts)
        if self.text_label.text() != text:
            self.text_label.setText(text)
        first = running[0][0]
        self._first = first.id
        label = f"Show {first.patient}"
        if self.show_button.text() != label:
            self.show_button.setText(label)
        self.setVisible(True)

    def _show_first(self) -> None:
        if self._first is not None:
            self.open_requested.emit(self._first)
