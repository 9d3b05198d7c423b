"""The window's passphrase, where the computer has no keyring (``store/keys.py`` asks
through ``app.py``, which hands the words and the rule in: the window does not know the
store): typed in a dialog, never shown; chosen once, with the explanation, typed twice."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

TITLE = "ptclock: patient data passphrase"
TRIES = 3


def typed(label: str) -> str | None:
    """One passphrase typed (None: cancelled); tests replace this function."""
    text, ok = QInputDialog.getText(None, TITLE, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def told(text: str) -> None:
    """A message the person reads and closes; tests replace this function."""
    QMessageBox.information(None, TITLE, text)


def ask(new: bool, why: str, check: Callable[[str], None]) -> str | None:
    """The passphrase, or None when the person cancelled. ``new``: ``why`` is shown first,
    then the passphrase is chosen (``check`` refuses one too short) and typed again."""
    if not new:
        return typed("Passphrase for ptclock's patient data:")
    told(why)
    for _ in range(TRIES):
        first = typed("Choose a passphrase (a short sentence is easy to remember):")
        if first is None:
            return None
        try:
            check(first)
        except ValueError as error:
            told(f"Not that one: {error}.")
            continue
        again = typed("Type the same passphrase again:")
        if again is None:
            return None
        if again == first:
            return first
        told("The two passphrases typed differ. Choose it again.")
    return None
