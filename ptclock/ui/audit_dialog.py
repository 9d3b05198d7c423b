"""The visit's audit trail: every change, when (the visit's wall clock), in one plain
sentence, with before → after where that helps (``audit_words`` writes the words)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ptclock.ui.audit_words import AuditLine, AuditWords, audit_lines

__all__ = ["AuditDialog", "AuditLine"]

COLUMNS = ("Time", "What happened", "Details")


class AuditDialog(QDialog):
    def __init__(self, entries: Sequence[AuditLine], zone: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.resize(900, 560)
        self.lines: list[AuditWords] = audit_lines(entries, zone)
        """What the table shows, row by row (for tests and copying)."""
        details = any(line.details for line in self.lines)

        self.intro = QLabel(
            f"Every change to this visit, oldest first. Times are the visit's clock ({zone})."
            if self.lines
            else "Nothing has been recorded for this visit yet."
        )
        self.intro.setWordWrap(True)

        self.table = QTableWidget(len(self.lines), len(COLUMNS) if details else 2)
        self.table.setAccessibleName("Audit trail")
        self.table.setHorizontalHeaderLabels(COLUMNS[: self.table.columnCount()])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setStyleSheet("QTableWidget::item { padding: 4px 6px; }")
        for row, line in enumerate(self.lines):
            cells = (line.time, line.sentence, line.details)[: self.table.columnCount()]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if column else "")
                if column == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                else:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        if details:
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit()
        self.table.scrollToBottom()  # the newest change is the one usually looked for

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Details take about a third of the width, the sentence the rest; each row as high as
        its wrapped words."""
        if self.table.columnCount() == len(COLUMNS):
            self.table.setColumnWidth(2, max(160, self.table.viewport().width() * 35 // 100))
        self.table.resizeRowsToContents()

    def sentences(self) -> list[str]:
        """The "What happened" column, top to bottom."""
        return [line.sentence for line in self.lines]
