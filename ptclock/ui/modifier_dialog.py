"""Override a modifier: add one ptclock did not suggest, or remove one it did, with a reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QWidget,
)

from ptclock.claim_desk import ModifierReason
from ptclock.timing.tally import VisitTally
from ptclock.ui.widget_parts import (
    code_choice,
    dialog_buttons,
    keep_updated,
    line_edit,
    reason_edit,
)


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
        self.code_box = code_choice("Code", tally.codes)
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.add_choice = QRadioButton("Add a modifier")
        self.remove_choice = QRadioButton("Remove a modifier")
        self.add_choice.setChecked(True)
        self.modifier_edit = line_edit("Modifier", "59, XU, XS, GP, KX, CQ …", 2)
        self.reason_edit = reason_edit("Why (required, kept in the audit trail)")
        self.buttons = dialog_buttons(self)
        form = QFormLayout(self)
        form.addRow("Code", self.code_box)
        form.addRow(self.current)
        form.addRow(self.add_choice)
        form.addRow(self.remove_choice)
        form.addRow("Modifier", self.modifier_edit)
        form.addRow("Reason", self.reason_edit)
        form.addRow(self.buttons)
        keep_updated(
            self._update,
            self.code_box.currentIndexChanged,
            self.modifier_edit.textChanged,
            self.reason_edit.textChanged,
        )

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
