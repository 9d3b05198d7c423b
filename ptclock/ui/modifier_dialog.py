"""Override a modifier: add one ptclock did not suggest, or remove one it did, with a reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from ptclock.claim_desk import ModifierReason
from ptclock.timing.tally import VisitTally


class ModifierDialog(QDialog):
    def __init__(
        self,
        tally: VisitTally,
        reasons: tuple[ModifierReason, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change modifiers")
        self.reasons = reasons
        """The claim's modifiers, each with why it is there."""
        self.code_box = QComboBox()
        self.code_box.setAccessibleName("Code")
        for line in tally.codes:
            self.code_box.addItem(f"{line.code}  {line.descriptor}", line.code)
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.add_choice = QRadioButton("Add a modifier")
        self.remove_choice = QRadioButton("Remove a modifier")
        self.add_choice.setChecked(True)
        self.modifier_edit = QLineEdit()
        self.modifier_edit.setAccessibleName("Modifier")
        self.modifier_edit.setPlaceholderText("59, XU, XS, GP, KX, CQ …")
        self.modifier_edit.setMaxLength(2)
        self.reason_edit = QLineEdit()
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setPlaceholderText("Why (required, kept in the audit trail)")
        self.reason_edit.setMaxLength(500)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Code", self.code_box)
        form.addRow(self.current)
        form.addRow(self.add_choice)
        form.addRow(self.remove_choice)
        form.addRow("Modifier", self.modifier_edit)
        form.addRow("Reason", self.reason_edit)
        form.addRow(self.buttons)
        for signal in (
            self.code_box.currentIndexChanged,
            self.modifier_edit.textChanged,
            self.reason_edit.textChanged,
        ):
            signal.connect(self._update)
        self._update()

    def code(self) -> str:
        return str(self.code_box.currentData())

    def modifier(self) -> str:
        return self.modifier_edit.text().strip().upper()

    def adding(self) -> bool:
        return self.add_choice.isChecked()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update(self) -> None:
        notes = [f"{m.modifier}: {m.why}" for m in self.reasons if m.code == self.code()]
        self.current.setText("\n".join(notes) or "No modifier on this line.")
        ready = len(self.modifier()) == 2 and bool(self.reason())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)
