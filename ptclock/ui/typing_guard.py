"""While a text field has focus, keys type text: no one-key window shortcut fires.

The window's one-key shortcuts (Space pauses the visit, Esc stops the timer, 1–9 toggle
favourites) are for the hands between exercises. Qt lets a line edit claim printable keys,
but not Esc, and not in every kind of field; a space typed into a note once paused the
visit. This filter claims every key without Ctrl/Alt/Meta for the focused text field.
"""

from __future__ import annotations

from contextlib import suppress

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

COMMAND_KEYS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def typing_into(widget: QObject | None) -> bool:
    """Whether ``widget`` takes typed text (an editable field)."""
    if isinstance(widget, QLineEdit | QAbstractSpinBox):
        return not (isinstance(widget, QLineEdit) and widget.isReadOnly())
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    return isinstance(widget, QComboBox) and widget.isEditable()


SHORTCUT_OVERRIDE = QEvent.Type.ShortcutOverride


class TypingGuard(QObject):
    """Filters the application's events only while a text field has focus: every event
    then passes through Python, which the one-second tick must not pay for between
    exercises, when no field has focus (``follow``)."""

    _installed = False

    def follow(self, application: QApplication) -> None:
        """Watch the focus; filter from the moment a text field takes it until it leaves."""
        application.focusChanged.connect(self._focus_moved)
        self._focus_moved(None, application.focusWidget())

    def stop(self, application: QApplication) -> None:
        with suppress(RuntimeError, TypeError):
            application.focusChanged.disconnect(self._focus_moved)
        if self._installed:
            application.removeEventFilter(self)
            self._installed = False

    def _focus_moved(self, _old: QObject | None, new: QObject | None) -> None:
        wanted = typing_into(new)
        application = QApplication.instance()
        if wanted == self._installed or application is None:
            return
        if wanted:
            application.installEventFilter(self)
        else:
            application.removeEventFilter(self)
        self._installed = wanted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == SHORTCUT_OVERRIDE
            and isinstance(event, QKeyEvent)
            and not event.modifiers() & COMMAND_KEYS
            and typing_into(QApplication.focusWidget())
        ):
            event.accept()  # the key goes to the field as a key press, not to a shortcut
        return False
