"""Add a code: find it by number or words ("gait", "manual"), with what tells codes apart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ptclock.billing import Catalog


class CodePicker(QDialog):
    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add code")
        self.resize(560, 480)
        self.catalog = catalog
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Code or words: 97530, gait, manual …")
        self.search_edit.setAccessibleName("Find a code")
        self.results = QListWidget()
        self.results.setAccessibleName("Matching codes")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add code")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.results.itemDoubleClicked.connect(lambda _: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.results)
        layout.addWidget(self.buttons)
        self.search_edit.textChanged.connect(self.search)
        self.search("")

    def search(self, words: str) -> None:
        self.results.clear()
        for code in self.catalog.search(words) if words.strip() else list(self.catalog):
            kind = "timed, 15-minute units" if code.timed else "untimed, once per visit"
            text = f"{code.code}  {code.descriptor}  ({kind})"
            if code.details:
                text += f"\n{code.details}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code.code)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.results.count() > 0)

    def chosen(self) -> str | None:
        item = self.results.currentItem()
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return code if isinstance(code, str) else None
