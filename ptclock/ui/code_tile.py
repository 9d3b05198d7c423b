"""A code tile: one big button per code, showing its time and units, toggled by click or key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ptclock.billing import Code
from ptclock.ui import words

RUNNING_MARK = "▶ RUNNING"
STOPPED_MARK = "■ stopped"
PAUSED_MARK = "❚❚ paused"


def _label(parent: QWidget, point_delta: int = 0, bold: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    font = QFont(label.font())
    if point_delta:
        font.setPointSizeF(font.pointSizeF() + point_delta)
    font.setBold(bold)
    label.setFont(font)
    return label


class CodeTile(QPushButton):
    """Click to start the code, click again to stop it. Running is shown by text and icon."""

    def __init__(self, code: Code, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.key = key
        self.setObjectName("tile")
        self.setProperty("running", False)  # set before the first polish: no re-polish later
        self.setCheckable(True)
        self.setMinimumSize(150, 110)  # well over the 44 px touch target
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

        self.key_label = _label(self)
        self.state_label = _label(self, bold=True)
        self.code_label = _label(self, 8, bold=True)
        self.name_label = _label(self, 1)
        self.name_label.setWordWrap(True)
        self.time_label = _label(self, 6, bold=True)
        self.units_label = _label(self, 2)

        top = QHBoxLayout()
        top.addWidget(self.key_label)
        top.addStretch()
        top.addWidget(self.state_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.time_label)
        bottom.addStretch()
        bottom.addWidget(self.units_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.code_label)
        layout.addWidget(self.name_label)
        layout.addStretch()
        layout.addLayout(bottom)

        self.key_label.setText(f"[{key}]" if key else "")
        self.code_label.setText(code.code)
        kind = "" if code.timed else " (untimed)"
        self.name_label.setText(code.descriptor + kind)
        self.setToolTip(code.details or code.descriptor)
        self.show_time(0, 0, running=False, paused=False)

    def show_time(self, seconds: int, units: int, running: bool, paused: bool) -> None:
        """Update the labels; Qt skips the repaint when a text did not change."""
        mark = RUNNING_MARK if running else PAUSED_MARK if paused else STOPPED_MARK
        _set(self.state_label, mark)
        _set(self.time_label, words.clock(seconds))
        _set(self.units_label, words.units(units))
        if self.isChecked() != running:
            self.setChecked(running)
        if self.property("running") != running:
            self.setProperty("running", running)
            self.style().unpolish(self)
            self.style().polish(self)
        state = "running" if running else "paused" if paused else "stopped"
        key = f", key {self.key}" if self.key else ""
        name = (
            f"{self.code.code} {self.code.descriptor}, {state}, "
            f"{words.spoken_clock(seconds)}, {words.units(units)}{key}"
        )
        if self.accessibleName() != name:
            self.setAccessibleName(name)


def _set(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)
