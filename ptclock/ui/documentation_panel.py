"""Documentation for the note: per code body part, exercises with parameters, the goal.

Its own tab, so it is quick to fill after the visit and never in the way during it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ptclock.timing.records import CodeNote
from ptclock.timing.tally import VisitTally


class CodeNoteFields(QGroupBox):
    def __init__(self, code: str, descriptor: str, note: CodeNote | None) -> None:
        super().__init__(f"{code}  {descriptor}")
        self.code = code
        self.body_part = QLineEdit(note.body_part if note else "")
        self.body_part.setAccessibleName(f"{code} body part")
        self.body_part.setPlaceholderText("e.g. left knee, lumbar spine")
        self.exercises = QPlainTextEdit(note.exercises if note else "")
        self.exercises.setAccessibleName(f"{code} exercises and parameters")
        self.exercises.setPlaceholderText("e.g. SLR 3×10, 2 lb; step-ups 2×15, 6 in step")
        self.exercises.setFixedHeight(64)
        self.goal = QLineEdit(note.goal if note else "")
        self.goal.setAccessibleName(f"{code} functional goal")
        self.goal.setPlaceholderText("e.g. climb one flight of stairs without a rail")
        form = QFormLayout(self)
        form.addRow("Body part(s)", self.body_part)
        form.addRow("Exercises / activities", self.exercises)
        form.addRow("Functional goal", self.goal)

    def note(self) -> CodeNote:
        return CodeNote(
            self.code,
            self.body_part.text().strip(),
            self.exercises.toPlainText().strip(),
            self.goal.text().strip(),
        )


class DocumentationPanel(QWidget):
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: list[CodeNoteFields] = []
        self._shown: tuple[int, tuple[str, ...]] | None = None
        self.empty_label = QLabel("Start a timer and its code appears here for the note.")
        self.visit_note = QPlainTextEdit()
        self.visit_note.setAccessibleName("Visit note")
        self.visit_note.setPlaceholderText("Visit note: response to treatment, plan …")
        self.visit_note.setFixedHeight(90)
        self.save_button = QPushButton("Save documentation")
        self.save_button.setMinimumHeight(44)
        self.save_button.clicked.connect(self.save_requested)
        self.codes_box = QVBoxLayout()
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.empty_label)
        inner_layout.addLayout(self.codes_box)
        inner_layout.addWidget(QLabel("Visit note"))
        inner_layout.addWidget(self.visit_note)
        inner_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(self.save_button)

    def show_tally(self, tally: VisitTally | None) -> None:
        """Rebuild the fields only when the visit or its codes change (typing is kept)."""
        key = (
            (tally.record.visit.id, tuple(line.code for line in tally.codes))
            if tally is not None
            else None
        )
        if key == self._shown:
            return
        self._shown = key
        for fields in self.fields:
            fields.setParent(None)
            fields.deleteLater()
        self.fields = []
        self.setEnabled(tally is not None)
        if tally is None:
            self.visit_note.setPlainText("")
            return
        notes = {note.code: note for note in tally.record.code_notes}
        for line in tally.codes:
            fields = CodeNoteFields(line.code, line.descriptor, notes.get(line.code))
            self.codes_box.addWidget(fields)
            self.fields.append(fields)
        self.empty_label.setVisible(not self.fields)
        self.visit_note.setPlainText(tally.record.visit.note)

    def notes(self) -> list[CodeNote]:
        return [fields.note() for fields in self.fields]

    def note_text(self) -> str:
        return self.visit_note.toPlainText().strip()
