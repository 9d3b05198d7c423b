"""Corrections: add or remove minutes on a code, or move minutes between codes, with a reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from ptclock.billing import Code
from ptclock.timing.tally import VisitTally
from ptclock.ui import words
from ptclock.ui.widget_parts import code_choice, dialog_buttons, keep_updated, reason_edit


class CorrectionDialog(QDialog):
    def __init__(self, tally: VisitTally, codes: list[Code], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct time")
        self.tally = tally
        self.add_choice = QRadioButton("Add or remove minutes on a code")
        self.move_choice = QRadioButton("Move minutes from one code to another")
        self.add_choice.setChecked(True)
        self.code_box = code_choice("Code", codes)
        self.target_box = code_choice("Move to code", codes)
        self.minutes_box = QSpinBox()
        self.minutes_box.setAccessibleName("Minutes")
        self.minutes_box.setRange(-24 * 60, 24 * 60)
        self.minutes_box.setSuffix(" min")
        self.reason_edit = reason_edit("Why (required): e.g. forgot to start the timer")
        self.now_label = QLabel()
        self.buttons = dialog_buttons(self, confirm_text="Save correction")

        form = QFormLayout(self)
        form.addRow(self.add_choice)
        form.addRow(self.move_choice)
        form.addRow("Code", self.code_box)
        form.addRow("To code", self.target_box)
        form.addRow("Minutes", self.minutes_box)
        form.addRow("Reason", self.reason_edit)
        form.addRow(self.now_label)
        form.addRow(self.buttons)
        self._form = form
        keep_updated(
            self._update,
            self.add_choice.toggled,
            self.code_box.currentIndexChanged,
            self.minutes_box.valueChanged,
            self.reason_edit.textChanged,
        )

    def moving(self) -> bool:
        return self.move_choice.isChecked()

    def code(self) -> str:
        return str(self.code_box.currentData())

    def target(self) -> str:
        return str(self.target_box.currentData())

    def minutes(self) -> int:
        return self.minutes_box.value()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update(self) -> None:
        moving = self.moving()
        self._form.setRowVisible(self.target_box, moving)
        self.minutes_box.setMinimum(1 if moving else -24 * 60)
        try:
            seconds = self.tally.code(self.code()).seconds
        except KeyError:
            seconds = 0
        self.now_label.setText(f"{self.code()} has {words.clock(seconds)} in this visit")
        ready = bool(self.reason()) and self.minutes() != 0
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)
