"""Small widget builders the dialogs and panels share, so each kind of field looks and
behaves the same wherever it appears.

Every builder returns a widget without a parent: the layout it is added to adopts it, so
the tab order stays the order of the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton

from ptclock.entries import MAX_REASON

"""How long a typed reason for a correction or an override may be, in characters."""

TOUCH_HEIGHT = 44
"""The least height of a button pressed during treatment, in pixels: a comfortable target."""


class DescribedCode(Protocol):
    """Anything with a code and its descriptor (a catalog code, a line of a visit)."""

    @property
    def code(self) -> str: ...

    @property
    def descriptor(self) -> str: ...


def line_edit(name: str, placeholder: str, max_length: int) -> QLineEdit:
    """A one-line field called ``name`` for screen readers, showing ``placeholder`` while
    empty and taking at most ``max_length`` characters."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit


def reason_edit(placeholder: str) -> QLineEdit:
    """The "Reason" field of a change kept in the audit trail."""
    return line_edit("Reason", placeholder, MAX_REASON)


def code_choice(name: str, codes: Iterable[DescribedCode]) -> QComboBox:
    """A drop-down called ``name`` listing ``codes`` as "code  descriptor"; each item's data
    is its code."""
    box = QComboBox()
    box.setAccessibleName(name)
    for code in codes:
        box.addItem(f"{code.code}  {code.descriptor}", code.code)
    return box


def warning_label(name: str = "") -> QLabel:
    """An empty, word-wrapped label in the warning style (object name ``warning``), called
    ``name`` for screen readers when one is given."""
    label = QLabel()
    label.setObjectName("warning")
    if name:
        label.setAccessibleName(name)
    label.setWordWrap(True)
    return label


def touch_button(text: str, on_click: Callable[[], object]) -> QPushButton:
    """A push button at least ``TOUCH_HEIGHT`` high that calls ``on_click`` when clicked."""
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.clicked.connect(on_click)
    return button


def dialog_buttons(
    dialog: QDialog,
    on_accept: Callable[[], object] | None = None,
    confirm: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
    confirm_text: str = "",
) -> QDialogButtonBox:
    """The ``confirm`` and Cancel buttons of ``dialog``: Cancel rejects it; ``confirm``
    (labelled ``confirm_text`` when given) calls ``on_accept``, by default accepting it."""
    buttons = QDialogButtonBox(confirm | QDialogButtonBox.StandardButton.Cancel)
    if confirm_text:
        buttons.button(confirm).setText(confirm_text)
    buttons.accepted.connect(dialog.accept if on_accept is None else on_accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def keep_updated(update: Callable[[], None], *signals: SignalInstance) -> None:
    """Call ``update`` now, and again whenever one of ``signals`` is emitted."""
    for signal in signals:
        signal.connect(update)
    update()
