"""Nothing typed is lost: documentation survives code-list changes, other processes,
switching visits, restarts; and keys typed into a field never act as window shortcuts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ptclock.store import open_store
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, VisitStatus
from ptclock.ui.code_tile import RUNNING_MARK
from ptclock.ui.documentation_panel import CodeNoteFields
from ptclock.ui.main_window import MainWindow
from tests.helpers import keeper
from tests.ui.conftest import WindowMaker


@pytest.fixture
def on_disk(make_window: WindowMaker, tmp_path: Path) -> MainWindow:
    window = make_window(path=tmp_path / "ptclock.sqlite3")
    window.documentation.autosave.setInterval(10)
    window.controller.start_visit("Ada", Payer.MEDICARE)
    window.controller.toggle("97110")
    window.tabs.setCurrentWidget(window.documentation)
    window.activateWindow()
    return window


def fields_of(window: MainWindow, code: str) -> CodeNoteFields:
    (fields,) = [f for f in window.documentation.fields if f.code == code]
    return fields


def other_process(window: MainWindow, clock: FakeClock) -> object:
    path = window.controller.keeper.store.path
    assert path is not None
    return keeper(clock, store=open_store(path))


def test_typing_survives_a_code_started_elsewhere(
    on_disk: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = on_disk
    body = fields_of(window, "97110").body_part
    body.setFocus()
    qtbot.waitUntil(body.hasFocus)
    window.documentation.autosave.setInterval(60_000)  # still typing: nothing saved yet
    qtbot.keyClicks(body, "left knee")
    pedal = other_process(window, clock)
    pedal.start("97140", 1)  # type: ignore[attr-defined]
    window.tick()
    assert [f.code for f in window.documentation.fields] == ["97110", "97140"]
    assert fields_of(window, "97110").body_part is body
    assert body.text() == "left knee"
    assert body.hasFocus()
    qtbot.keyClicks(body, " and hip")  # the space types; it does not pause the visit
    assert body.text() == "left knee and hip"
    assert window.controller.keeper.visit(1).status is VisitStatus.OPEN
    assert window.tiles["97140"].state_label.text() == RUNNING_MARK


def test_one_key_shortcuts_type_into_fields(on_disk: MainWindow, qtbot: QtBot) -> None:
    window = on_disk
    exercises = fields_of(window, "97110").exercises
    exercises.setFocus()
    qtbot.waitUntil(exercises.hasFocus)
    qtbot.keyClicks(exercises, "SLR 3 x 10 ")
    qtbot.keyClick(exercises, Qt.Key.Key_Escape)
    qtbot.keyClick(exercises, Qt.Key.Key_Space)
    assert exercises.toPlainText() == "SLR 3 x 10  "
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK  # not stopped by Esc
    assert window.controller.keeper.visit(1).status is VisitStatus.OPEN  # not paused
    assert [t.state_label.text() for t in window.tiles.values()].count(RUNNING_MARK) == 1
    assert window.typing_guard._installed  # filtering the application's events now
    # Outside a field the same keys are the therapist's shortcuts, and no event passes
    # through the guard (the tick between exercises does not pay for it).
    window.tiles["97110"].setFocus()
    qtbot.waitUntil(lambda: not window.typing_guard._installed)
    qtbot.keyClick(window.tiles["97110"], Qt.Key.Key_Escape)
    assert window.tiles["97110"].state_label.text() != RUNNING_MARK


def test_typing_is_saved_as_you_type_and_survives_a_restart(
    on_disk: MainWindow, make_window: WindowMaker, qtbot: QtBot, clock: FakeClock
) -> None:
    window = on_disk
    qtbot.keyClicks(fields_of(window, "97110").goal, "stairs at home")
    qtbot.keyClicks(window.documentation.visit_note, "Tolerated well")
    store = window.controller.keeper.store
    qtbot.waitUntil(lambda: [n.goal for n in store.code_notes(1)] == ["stairs at home"])
    qtbot.waitUntil(lambda: store.visit(1).note == "Tolerated well")  # type: ignore[union-attr]
    assert window.documentation.state_label.text() == "All changes saved (10:00)"
    # As after a crash: a new window on the same file shows what was typed.
    path = store.path
    assert path is not None
    again = make_window(keeper(clock, store=open_store(path)))
    assert fields_of(again, "97110").goal.text() == "stairs at home"
    assert again.documentation.visit_note.toPlainText() == "Tolerated well"


def test_a_note_written_elsewhere_shows_but_never_overwrites_typing(
    on_disk: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    window = on_disk
    window.controller.toggle("97140")
    window.documentation.autosave.setInterval(60_000)
    qtbot.keyClicks(fields_of(window, "97110").body_part, "left knee")
    cli = other_process(window, clock)
    cli.set_code_note("97110", 1, body_part="right shoulder")  # type: ignore[attr-defined]
    cli.set_code_note("97140", 1, body_part="lumbar spine")  # type: ignore[attr-defined]
    window.tick()
    assert fields_of(window, "97110").body_part.text() == "left knee"  # being typed: kept
    assert fields_of(window, "97140").body_part.text() == "lumbar spine"  # shown
    window.save_documentation()
    notes = {n.code: n.body_part for n in window.controller.keeper.store.code_notes(1)}
    assert notes == {"97110": "left knee", "97140": "lumbar spine"}


def test_typing_goes_to_its_own_visit_when_another_is_opened(
    on_disk: MainWindow, qtbot: QtBot
) -> None:
    window = on_disk
    window.documentation.autosave.setInterval(60_000)
    qtbot.keyClicks(window.documentation.visit_note, "Ada: tolerated well")
    window.controller.start_visit("Grace", Payer.COMMERCIAL)
    assert window.header.patient_label.text() == "Grace"
    store = window.controller.keeper.store
    assert store.visit(1).note == "Ada: tolerated well"  # type: ignore[union-attr]
    assert store.visit(2).note == ""  # type: ignore[union-attr]
    assert window.documentation.visit_note.toPlainText() == ""


def test_typing_the_store_refused_comes_back_with_its_visit(
    on_disk: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptclock.timekeeper import TimekeeperError

    window = on_disk
    window.documentation.autosave.setInterval(60_000)
    qtbot.keyClicks(window.documentation.visit_note, "Ada: tolerated well")
    keeper_ = window.controller.keeper
    real = keeper_.set_visit_note

    def disk_full(*_args: object) -> None:
        raise TimekeeperError("the disk is full: this change was not saved")

    monkeypatch.setattr(keeper_, "set_visit_note", disk_full)
    window.controller.start_visit("Grace", Payer.COMMERCIAL)
    assert window.documentation.visit_note.toPlainText() == ""
    monkeypatch.setattr(keeper_, "set_visit_note", real)
    window.controller.open_visit(1)
    assert window.documentation.visit_note.toPlainText() == "Ada: tolerated well"
    assert window.documentation.unsaved()
    window.save_documentation()
    assert keeper_.store.visit(1).note == "Ada: tolerated well"  # type: ignore[union-attr]


def test_closing_keeps_the_window_when_typing_cannot_be_saved(
    on_disk: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptclock.timekeeper import TimekeeperError

    window = on_disk
    window.documentation.autosave.setInterval(60_000)
    qtbot.keyClicks(window.documentation.visit_note, "Tolerated well")

    def disk_full(*_args: object) -> None:
        raise TimekeeperError("the disk is full: this change was not saved")

    monkeypatch.setattr(window.controller.keeper, "set_visit_note", disk_full)
    window.close()
    assert window.isVisible()
    assert window.documentation.visit_note.toPlainText() == "Tolerated well"
    assert "could not be saved, so ptclock stays open" in window.banner.messages()[0]
