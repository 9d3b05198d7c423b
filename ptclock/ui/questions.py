"""The questions ptclock asks: still treating?, what about the time asleep?, close how?

Each answer is one word in the box's "answer" property, so the window (and tests) read
what was chosen without comparing button texts.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from ptclock.ui import words


def _box(
    parent: QWidget, title: str, text: str, answers: list[tuple[str, str, object]]
) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    buttons: dict[QAbstractButton, str] = {}
    for label, answer, role in answers:
        if isinstance(role, QMessageBox.StandardButton):
            button: QAbstractButton = box.addButton(role)
        else:
            button = box.addButton(label, role)  # type: ignore[call-overload]
        buttons[button] = answer
    box.setProperty("answer", "cancel")
    box.buttonClicked.connect(
        lambda button: box.setProperty("answer", buttons.get(button, "cancel"))
    )
    return box


def still_treating(parent: QWidget, code: str, limit_minutes: int) -> QMessageBox:
    """A timer ran past the limit: "keep" or "stop". Never cut silently."""
    return _box(
        parent,
        "Still treating?",
        f"{code} has been running for more than {words.minutes(limit_minutes)}. Still treating?",
        [
            ("Yes, keep timing", "keep", QMessageBox.ButtonRole.AcceptRole),
            (f"Stop {code}", "stop", QMessageBox.ButtonRole.DestructiveRole),
        ],
    )


def asleep(parent: QWidget, minutes: int) -> QMessageBox:
    """The computer slept with a timer running: "keep", "discard-stop" or "discard-keep"."""
    return _box(
        parent,
        "The computer was asleep",
        f"The computer was asleep for {words.minutes(minutes)} while a timer was running. "
        "What should happen to that time?",
        [
            ("Keep it (I was treating)", "keep", QMessageBox.ButtonRole.AcceptRole),
            ("Discard it and stop", "discard-stop", QMessageBox.ButtonRole.DestructiveRole),
            ("Discard it, keep timing", "discard-keep", QMessageBox.ButtonRole.ActionRole),
        ],
    )


def other_patient_running(parent: QWidget, running: list[str], patient: str) -> str:
    """A new visit while another patient's timer runs: "stop", "keep" or "cancel"."""
    timers = ", ".join(running)
    box = _box(
        parent,
        "A timer is running for another patient",
        f"{timers} {'is' if len(running) == 1 else 'are'} still running. Start the visit of "
        f"{patient} and …",
        [
            ("Stop it", "stop", QMessageBox.ButtonRole.AcceptRole),
            ("Keep it running alongside", "keep", QMessageBox.ButtonRole.ActionRole),
            ("", "cancel", QMessageBox.StandardButton.Cancel),
        ],
    )
    box.setInformativeText(
        "Kept running, it is shown above the timers and stops, with a word, when you start a "
        f"timer for {patient}: a therapist's minute is billed for one patient only."
    )
    box.exec()
    return str(box.property("answer"))


def on_close(parent: QWidget, tray: bool) -> str:
    """Closing with a timer running: "keep", "stop" or "cancel" (asked and answered here)."""
    box = _box(
        parent,
        "A timer is running",
        "A timer is running. Its time is kept from its stored start even while ptclock is closed.",
        [
            (
                "Keep timing in the tray" if tray else "Keep timing and close",
                "keep",
                QMessageBox.ButtonRole.AcceptRole,
            ),
            ("Stop timers and close", "stop", QMessageBox.ButtonRole.DestructiveRole),
            ("", "cancel", QMessageBox.StandardButton.Cancel),
        ],
    )
    box.exec()
    return str(box.property("answer"))
