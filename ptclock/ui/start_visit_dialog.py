"""Starting a visit asks only what is needed: the patient (picked as you type), their MRN
and date of birth, and the payer. A returning patient's payer comes from their last visit,
their MRN and date of birth from their record; namesakes are told apart by the MRN."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from ptclock.entries import birth_date
from ptclock.refused import TimekeeperError
from ptclock.timing.records import Payer
from ptclock.ui.visit_header import PAYER_WORDS
from ptclock.ui.widget_parts import dialog_buttons, line_edit, warning_label

if TYPE_CHECKING:
    from ptclock.ui.controller import ReturningPatient

LookUp = Callable[[str], "ReturningPatient | None"]
"""What is known of the patients of a name (SessionController.returning_patient), or None."""


class StartVisitDialog(QDialog):
    def __init__(
        self,
        earlier_patients: list[str],
        returning: LookUp | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start visit")
        self._returning = returning
        self.name_edit = line_edit("Patient name", "Patient name", 200)
        completer = QCompleter(earlier_patients, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.name_edit.setCompleter(completer)
        self.mrn_edit = line_edit("Medical record number", "optional", 64)
        self.dob_edit = line_edit("Date of birth", "YYYY-MM-DD, optional", 10)
        self._filled = ("", "")
        """The MRN and date of birth this dialog filled in for a returning patient."""
        self.payer_box = QComboBox()
        self.payer_box.setAccessibleName("Payer")
        for payer in Payer:
            self.payer_box.addItem(PAYER_WORDS[payer.value], payer.value)
        self.returning_label = QLabel()
        self.returning_label.setAccessibleName("Returning patient")
        self.returning_label.setWordWrap(True)
        self.problem = warning_label()
        self.buttons = dialog_buttons(self, self._accept_if_valid, confirm_text="Start visit")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.name_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        self.name_edit.textChanged.connect(self._look_up)
        form = QFormLayout(self)
        form.addRow("Patient", self.name_edit)
        form.addRow("MRN", self.mrn_edit)
        form.addRow("Date of birth", self.dob_edit)
        form.addRow("Payer", self.payer_box)
        form.addRow(self.returning_label)
        form.addRow(self.problem)
        form.addRow(self.buttons)

    def _look_up(self, name: str) -> None:
        found = self._returning(name) if self._returning is not None and name.strip() else None
        # What was filled in for another name goes (unless the therapist changed it).
        for edit, filled in zip((self.mrn_edit, self.dob_edit), self._filled, strict=True):
            if filled and edit.text() == filled:
                edit.clear()
        self._filled = ("", "")
        if found is None:
            self.returning_label.setText("")
            return
        if found.namesakes > 1:
            self.returning_label.setText(
                f"{found.namesakes} patients are called {name.strip()}: type the MRN to say "
                "which one."
            )
            return
        if found.payer is not None:
            self.payer_box.setCurrentIndex(self.payer_box.findData(found.payer.value))
        if found.mrn and not self.mrn_edit.text().strip():
            self.mrn_edit.setText(found.mrn)
        if found.dob and not self.dob_edit.text().strip():
            self.dob_edit.setText(found.dob)
        self._filled = (
            found.mrn if self.mrn_edit.text() == found.mrn else "",
            found.dob if self.dob_edit.text() == found.dob else "",
        )
        self.returning_label.setText("Returning patient: payer and MRN from the last visit.")

    def _accept_if_valid(self) -> None:
        """Start only with a date of birth that is a date (or none); else say why here."""
        try:
            birth_date(self.dob())
        except TimekeeperError as error:
            self.problem.setText(_sentence(str(error)))
            self.dob_edit.setFocus()
            return
        self.problem.setText("")
        self.accept()

    def patient(self) -> str:
        return self.name_edit.text().strip()

    def mrn(self) -> str:
        return self.mrn_edit.text().strip()

    def dob(self) -> str:
        """The date of birth as typed (YYYY-MM-DD, or empty)."""
        return self.dob_edit.text().strip()

    def payer(self) -> Payer:
        return Payer(self.payer_box.currentData())


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
