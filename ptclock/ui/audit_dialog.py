"""The visit's audit trail: every change, when, and what it was before and after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from PySide6.QtWidgets import QDialog, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout

from ptclock.formats import wall_date_time
from ptclock.timing.clock import zone_from_name

ACTION_WORDS = {
    "visit_new": "Visit started",
    "visit_pause": "Visit paused",
    "visit_resume": "Visit resumed",
    "visit_end": "Visit ended",
    "visit_rule": "Billing rule changed",
    "visit_note": "Visit note changed",
    "timer_start": "Timer started",
    "timer_stop": "Timer stopped",
    "correction": "Minutes corrected",
    "move": "Minutes moved",
    "code_note": "Documentation changed",
    "clock_set": "Wall clock was changed",
    "suspend": "Computer was asleep",
    "clock_behind": "Clock earlier than the last event",
    "patient_payer": "Payer changed",
    "patient_identity": "Patient's MRN or date of birth added",
    "modifier_override": "Modifier changed",
}


def _words(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {val}" for key, val in value.items())
    return str(value)


class AuditLine(Protocol):
    """What the dialog reads of an audit line (the store's ``AuditEntry``)."""

    @property
    def at(self) -> datetime: ...
    @property
    def action(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...


class AuditDialog(QDialog):
    def __init__(self, entries: Sequence[AuditLine], zone: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.resize(820, 420)
        tz = zone_from_name(zone)
        self.table = QTableWidget(len(entries), 5)
        self.table.setAccessibleName("Audit trail")
        self.table.setHorizontalHeaderLabels(["Time", "What", "Code", "Before", "After"])
        for row, entry in enumerate(entries):
            cells = [
                wall_date_time(entry.at, tz, seconds=True),
                ACTION_WORDS.get(entry.action, entry.action),
                entry.code or "",
                _words(entry.before),
                _words(entry.after),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
