"""Starting a visit asks only what is needed: the patient (picked as you type), their MRN,
and the payer. A returning patient's payer and MRN come from their last visit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ptclock.timing.records import Payer
from ptclock.ui.visit_header import PAYER_WORDS

ReturningPatient = Callable[[str], "tuple[Payer, str] | None"]
"""A known patient's payer and MRN by name, or None."""


class StartVisitDialog(QDialog):
    def __init__(
        self,
        earlier_patients: list[str],
        returning: ReturningPatient | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start visit")
        self._returning = returning
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Patient name")
        self.name_edit.setPlaceholderText("Patient name")
        self.name_edit.setMaxLength(200)
        completer = QCompleter(earlier_patients, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.mrn_edit = QLineEdit()
        self.mrn_edit.setAccessibleName("Medical record number")
        self.mrn_edit.setPlaceholderText("optional")
        self.mrn_edit.setMaxLength(64)
        self.payer_box = QComboBox()
        self.payer_box.setAccessibleName("Payer")
        for payer in Payer:
            self.payer_box.addItem(PAYER_WORDS[payer.value], payer.value)
        self.returning_label = QLabel()
        self.returning_label.setAccessibleName("Returning patient")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Start visit")
        ok.setEnabled(False)
        self.name_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.name_edit.textChanged.connect(self._look_up)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Patient", self.name_edit)
        form.addRow("MRN", self.mrn_edit)
        form.addRow("Payer", self.payer_box)
        form.addRow(self.returning_label)
        form.addRow(self.buttons)

    def _look_up(self, name: str) -> None:
        found = self._returning(name) if self._returning is not None and name.strip() else None
        if found is None:
            self.returning_label.setText("")
            return
        payer, mrn = found
        self.payer_box.setCurrentIndex(self.payer_box.findData(payer.value))
        self.mrn_edit.setText(mrn)
        self.returning_label.setText("Returning patient: payer and MRN from the last visit.")

    def patient(self) -> str:
        return self.name_edit.text().strip()

    def mrn(self) -> str:
        return self.mrn_edit.text().strip()

    def payer(self) -> Payer:
        return Payer(self.payer_box.currentData())
