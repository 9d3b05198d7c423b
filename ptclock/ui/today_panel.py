"""Today: the day's visits (time, patient, units, status), and open visits left from before."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptclock.formats import wall_time
from ptclock.timing.clock import zone_from_name
from ptclock.timing.records import Visit
from ptclock.timing.tally import VisitTally
from ptclock.ui import words
from ptclock.ui.widget_parts import touch_button, warning_label


class TodayPanel(QWidget):
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left_open_label = warning_label()
        self.left_open_button = touch_button("Open it", self._open_left)
        self._left_open_id: int | None = None
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Today's visits")
        self.table.setHorizontalHeaderLabels(["Time", "Patient", "Units", "Status"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(self._open_row)
        self.open_button = touch_button(
            "Open selected visit", lambda: self._open_row(self.table.currentRow(), 0)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.left_open_label)
        layout.addWidget(self.left_open_button)
        layout.addWidget(self.table)
        layout.addWidget(self.open_button)
        self._rows: list[tuple[int, str, str, str, str]] = []
        self._ids: list[int] = []

    def show_day(self, tallies: list[VisitTally], left_open: list[Visit]) -> None:
        rows = []
        for tally in tallies:
            visit = tally.record.visit
            start = wall_time(visit.started_at, zone_from_name(visit.zone))
            rows.append(
                (
                    visit.id,
                    start,
                    visit.patient,
                    words.units(tally.billing.total_units),
                    visit.status.value,
                )
            )
        if rows != self._rows:
            self._rows = rows
            self._ids = [row[0] for row in rows]
            self.table.setRowCount(len(rows))
            for index, row in enumerate(rows):
                for column, text in enumerate(row[1:]):
                    item = QTableWidgetItem(str(text))
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(index, column, item)
        if left_open:
            oldest = left_open[0]
            self._left_open_id = oldest.id
            text = (
                f"⚠ A visit from {oldest.date_of_service.isoformat()} ({oldest.patient}) "
                "is still open. Open it to end or correct it."
            )
            if len(left_open) > 1:
                text += f" ({len(left_open)} visits from earlier days are open.)"
            self.left_open_label.setText(text)
        self.left_open_label.setVisible(bool(left_open))
        self.left_open_button.setVisible(bool(left_open))

    def _open_row(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._ids):
            self.open_requested.emit(self._ids[row])

    def _open_left(self) -> None:
        if self._left_open_id is not None:
            self.open_requested.emit(self._left_open_id)
