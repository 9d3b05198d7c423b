"""Starting a visit asks only what is needed: the patient (picked as you type) and the payer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from ptclock.timing.records import Payer
from ptclock.ui.visit_header import PAYER_WORDS


class StartVisitDialog(QDialog):
    def __init__(self, earlier_patients: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start visit")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Patient name")
        self.name_edit.setPlaceholderText("Patient name")
        self.name_edit.setMaxLength(200)
        completer = QCompleter(earlier_patients, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.payer_box = QComboBox()
        self.payer_box.setAccessibleName("Payer")
        for payer in Payer:
            self.payer_box.addItem(PAYER_WORDS[payer.value], payer.value)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Start visit")
        ok.setEnabled(False)
        self.name_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Patient", self.name_edit)
        form.addRow("Payer", self.payer_box)
        form.addRow(self.buttons)

    def patient(self) -> str:
        return self.name_edit.text().strip()

    def payer(self) -> Payer:
        return Payer(self.payer_box.currentData())
