"""Documentation for the note: per code body part, exercises with parameters, the goal.

Its own tab, so it is quick to fill after the visit and never in the way during it. What
is typed is never thrown away: the fields of a code stay the same widgets while the visit's
code list grows (a code started from the CLI, the tray or a new tile), text being typed is
never overwritten by a redraw, and everything is saved as you type — a moment after the
last keystroke, when a field loses focus, and before another visit is shown — so a crash
or a restart loses at most the last second of typing.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
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

AUTOSAVE_MS = 800
"""Save this long after the last keystroke."""


class CodeNoteFields(QGroupBox):
    edited = Signal()

    def __init__(self, code: str, descriptor: str, note: CodeNote | None) -> None:
        super().__init__(f"{code}  {descriptor}")
        self.code = code
        self.saved = note or CodeNote(code)
        """The note as the store has it: what "unsaved" is measured against."""
        self.body_part = QLineEdit()
        self.body_part.setAccessibleName(f"{code} body part")
        self.body_part.setPlaceholderText("e.g. left knee, lumbar spine")
        self.exercises = QPlainTextEdit()
        self.exercises.setAccessibleName(f"{code} exercises and parameters")
        self.exercises.setPlaceholderText("e.g. SLR 3×10, 2 lb; step-ups 2×15, 6 in step")
        self.exercises.setFixedHeight(64)
        self.goal = QLineEdit()
        self.goal.setAccessibleName(f"{code} functional goal")
        self.goal.setPlaceholderText("e.g. climb one flight of stairs without a rail")
        self._fill(self.saved)
        form = QFormLayout(self)
        form.addRow("Body part(s)", self.body_part)
        form.addRow("Exercises / activities", self.exercises)
        form.addRow("Functional goal", self.goal)
        self.body_part.textEdited.connect(self.edited)
        self.goal.textEdited.connect(self.edited)
        self.exercises.textChanged.connect(self._exercises_changed)

    def _fill(self, note: CodeNote) -> None:
        self._filling = True
        self.body_part.setText(note.body_part)
        self.exercises.setPlainText(note.exercises)
        self.goal.setText(note.goal)
        self._filling = False

    def _exercises_changed(self) -> None:
        if not self._filling:
            self.edited.emit()

    def note(self) -> CodeNote:
        return CodeNote(
            self.code,
            self.body_part.text().strip(),
            self.exercises.toPlainText().strip(),
            self.goal.text().strip(),
        )

    def unsaved(self) -> bool:
        return self.note() != self.saved

    def show_typed(self, note: CodeNote) -> None:
        """Put back typing that was not saved yet (it stays unsaved)."""
        self._fill(note)

    def stored(self, note: CodeNote | None) -> None:
        """The store's note for this code: shown unless something typed is not saved yet."""
        note = note or CodeNote(self.code)
        if note == self.saved:
            return
        typing = self.unsaved()
        self.saved = note
        if not typing:
            self._fill(note)


class DocumentationPanel(QWidget):
    save_requested = Signal()
    """Something typed is not saved yet: the window saves ``unsaved_notes()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: list[CodeNoteFields] = []
        self.visit_id: int | None = None
        self._saved_visit_note = ""
        self._filling = False
        self._switching = False
        self._drafts: dict[int, tuple[list[CodeNote], str | None]] = {}
        """Typing the store refused, per visit: nothing typed is dropped."""
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_requested)
        self.empty_label = QLabel("Start a timer and its code appears here for the note.")
        self.visit_note = QPlainTextEdit()
        self.visit_note.setAccessibleName("Visit note")
        self.visit_note.setPlaceholderText("Visit note: response to treatment, plan …")
        self.visit_note.setFixedHeight(90)
        self.visit_note.textChanged.connect(self._visit_note_changed)
        self.save_button = QPushButton("Save now")
        self.save_button.setMinimumHeight(44)
        self.save_button.setAccessibleName("Save documentation now")
        self.save_button.clicked.connect(self.save_requested)
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Documentation saved state")
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
        bottom = QHBoxLayout()
        bottom.addWidget(self.state_label, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(bottom)

    # -- what the window shows ----------------------------------------------------------------

    def show_tally(self, tally: VisitTally | None) -> None:
        """Follow the visit shown: add fields for new codes and take in notes written
        elsewhere, keeping every widget (and its focus) and every unsaved keystroke."""
        if self._switching:
            return  # the redraw after saving the previous visit's typing: not this one
        visit_id = tally.record.visit.id if tally is not None else None
        if visit_id != self.visit_id:
            self._leave_visit()
            self.visit_id = visit_id
        self.setEnabled(tally is not None)
        if tally is None:
            return
        notes = {note.code: note for note in tally.record.code_notes}
        shown = {fields.code: fields for fields in self.fields}
        for line in tally.codes:
            fields = shown.get(line.code)
            if fields is None:
                fields = CodeNoteFields(line.code, line.descriptor, notes.get(line.code))
                fields.edited.connect(self._edited)
                self.codes_box.addWidget(fields)
                self.fields.append(fields)
            else:
                fields.stored(notes.get(line.code))
        self.empty_label.setVisible(not self.fields)
        self._stored_visit_note(tally.record.visit.note)
        self._take_back_drafts()

    def _leave_visit(self) -> None:
        """Save the typing of the visit being left; if the store refuses (a full disk), keep
        it in memory, shown again (and saved) when that visit is opened again."""
        if self.visit_id is not None and self.unsaved():
            self._switching = True
            try:
                self.save_requested.emit()
            finally:
                self._switching = False
            if self.unsaved():
                self._drafts[self.visit_id] = (self.unsaved_notes(), self.unsaved_visit_note())
        self._clear()

    def _take_back_drafts(self) -> None:
        if self.visit_id not in self._drafts:
            return
        notes, visit_note = self._drafts.pop(self.visit_id)
        shown = {fields.code: fields for fields in self.fields}
        for note in notes:
            if note.code in shown:
                shown[note.code].show_typed(note)
        if visit_note is not None:
            self._set_visit_note(visit_note)
        self._edited()

    def _clear(self) -> None:
        self.autosave.stop()
        for fields in self.fields:
            fields.setParent(None)
            fields.deleteLater()
        self.fields = []
        self._saved_visit_note = ""
        self._set_visit_note("")
        self.state_label.setText("")

    def _stored_visit_note(self, text: str) -> None:
        if text == self._saved_visit_note:
            return
        typing = self.note_text() != self._saved_visit_note
        self._saved_visit_note = text
        if not typing:
            self._set_visit_note(text)

    def _set_visit_note(self, text: str) -> None:
        self._filling = True
        self.visit_note.setPlainText(text)
        self._filling = False

    # -- typing and saving --------------------------------------------------------------------

    def _visit_note_changed(self) -> None:
        if not self._filling:
            self._edited()

    def _edited(self) -> None:
        self.state_label.setText("Saving…")
        self.autosave.start()

    def unsaved(self) -> bool:
        return self.note_text() != self._saved_visit_note or any(
            fields.unsaved() for fields in self.fields
        )

    def unsaved_notes(self) -> list[CodeNote]:
        return [fields.note() for fields in self.fields if fields.unsaved()]

    def unsaved_visit_note(self) -> str | None:
        text = self.note_text()
        return text if text != self._saved_visit_note else None

    def notes(self) -> list[CodeNote]:
        return [fields.note() for fields in self.fields]

    def note_text(self) -> str:
        return self.visit_note.toPlainText().strip()

    def saved(self, at: str) -> None:
        """The store took everything typed so far (``at``: the local time, HH:MM)."""
        self.autosave.stop()
        for fields in self.fields:
            fields.saved = fields.note()
        self._saved_visit_note = self.note_text()
        self.state_label.setText(f"All changes saved ({at})")

    def not_saved(self, reason: str) -> None:
        self.state_label.setText(f"Not saved yet: {reason}")
