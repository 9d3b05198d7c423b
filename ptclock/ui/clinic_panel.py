"""Clinic today: who is treating whom now across the clinic, and how the sync stands.

Shown as a tab only on a workstation that joined a clinic. Fed by the background sync
(``ptclock.clinic.background``) every few seconds; it reads nothing itself.
"""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptclock.clinic.background import ClinicNews
from ptclock.formats import wall_time
from ptclock.ui import words

COLUMNS = ["Provider", "Patient", "Now", "Since", "Workstation"]


class ClinicPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel("Clinic: waiting for the first sync…")
        self.status.setObjectName("clinicStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Clinic sync")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Treating now across the clinic")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.empty = QLabel("Nobody in the clinic has a visit open right now.")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self._rows: list[list[str]] = []

    def rows(self) -> list[list[str]]:
        """What the table says, row by row (the tests read it)."""
        return [list(row) for row in self._rows]

    def show_news(self, news: ClinicNews, now: datetime) -> None:
        self.status.setText(news.status)
        rows = []
        for treating in news.treating:
            if treating.running:
                doing = ", ".join(
                    _running(code, _minutes(since, now)) for code, since in treating.running
                )
            else:
                doing = "paused" if treating.status == "paused" else "no timer running"
            since = wall_time(treating.started_at, now.tzinfo or timezone.utc)
            rows.append(
                [
                    treating.provider or "(no provider set)",
                    treating.patient,
                    doing,
                    since,
                    treating.workstation,
                ]
            )
        if not news.reachable:
            self.empty.setText("The clinic cannot be reached: nothing to show until it can.")
        else:
            self.empty.setText("Nobody in the clinic has a visit open right now.")
        self.empty.setVisible(not rows)
        if rows == self._rows:
            return
        self._rows = rows
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            for column, text in enumerate(row):
                self.table.setItem(number, column, QTableWidgetItem(text))


def _running(code: str, minutes: int) -> str:
    return f"{code}, just started" if minutes == 0 else f"{code} for {words.minutes(minutes)}"


def _minutes(since: datetime, now: datetime) -> int:
    return max(0, int((now - since).total_seconds() // 60))
