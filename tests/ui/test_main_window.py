"""The window as a therapist uses it: clicks, keys, a fake clock, and the labels they read."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ptclock.billing import Rule
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.code_tile import PAUSED_MARK, RUNNING_MARK, STOPPED_MARK
from ptclock.ui.main_window import MainWindow
from ptclock.ui.start_visit_dialog import StartVisitDialog
from tests.ui.conftest import WindowMaker


def start_visit(window: MainWindow, qtbot: QtBot, name: str = "Ada Lovelace") -> None:
    def fill(dialog: StartVisitDialog) -> bool:
        qtbot.keyClicks(dialog.name_edit, name)
        dialog.payer_box.setCurrentIndex(list(Payer).index(Payer.MEDICARE))
        return True

    window.ask_visit = fill  # type: ignore[method-assign]
    window.new_visit()


def click(qtbot: QtBot, window: MainWindow, code: str) -> None:
    qtbot.mouseClick(window.tiles[code], Qt.MouseButton.LeftButton)


def test_no_visit_shows_a_big_start_button(window: MainWindow) -> None:
    assert window.header.currentIndex() == 0
    assert window.header.start_button.text().startswith("Start visit")
    assert window.totals.units_label.text() == "No visit"
    assert not window.tiles["97110"].isEnabled()
    assert not window.add_code_button.isEnabled()


def test_start_visit_then_time_a_code(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    start_visit(window, qtbot)
    assert window.header.patient_label.text() == "Ada Lovelace"
    assert window.header.details_label.text() == (
        "Medicare · CMS 8-minute rule · Date of service 2026-11-27"
    )
    click(qtbot, window, "97110")
    tile = window.tiles["97110"]
    assert tile.state_label.text() == RUNNING_MARK
    clock.advance(minutes=7, seconds=59)
    window.tick()
    assert (tile.time_label.text(), tile.units_label.text()) == ("7:59", "0 units")
    assert window.totals.next_label.text() == "1 more timed minute for the next unit"
    clock.advance(seconds=1)
    window.tick()
    assert (tile.time_label.text(), tile.units_label.text()) == ("8:00", "1 unit")
    assert window.totals.units_label.text() == "Total: 1 unit"
    assert window.totals.floor_label.text() == "Unit lost below 8 timed minutes (0 to spare)"
    # The name says the state, the description the minutes: neither changes every second.
    assert tile.accessibleName() == "97110 Therapeutic exercise, running, key 1"
    assert tile.accessibleDescription() == "8 minutes, 1 unit"


def test_one_on_one_switch_is_visible(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=33)
    click(qtbot, window, "97140")
    clock.advance(minutes=7)
    window.tick()
    assert window.tiles["97110"].state_label.text() == STOPPED_MARK
    assert window.tiles["97140"].state_label.text() == RUNNING_MARK
    assert window.tiles["97110"].units_label.text() == "2 units"
    assert window.tiles["97140"].units_label.text() == "1 unit"
    assert window.totals.units_label.text() == "Total: 3 units"
    assert window.totals.allocation_label.text() == "Billed: 97110 × 2, 97140 × 1"
    assert window.totals.timed_label.text() == "Timed minutes: 40"


def test_click_again_stops(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97530")
    clock.advance(minutes=10)
    click(qtbot, window, "97530")
    clock.advance(minutes=10)
    window.tick()
    assert window.tiles["97530"].time_label.text() == "10:00"
    assert window.tiles["97530"].state_label.text() == STOPPED_MARK
    # The tick goes on with nothing running: the visit time moves, and another process's
    # change must show within a second.
    assert window.ticker.isActive()


def test_keys_toggle_pause_and_stop(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    start_visit(window, qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_1)  # favourite 1: 97110
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK
    qtbot.keyClick(window, Qt.Key.Key_4)  # favourite 4: 97140 takes over
    assert window.tiles["97110"].state_label.text() == STOPPED_MARK
    assert window.tiles["97140"].state_label.text() == RUNNING_MARK
    clock.advance(minutes=5)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.header.state_badge.text() == "❚❚ PAUSED"
    assert window.tiles["97140"].state_label.text() == PAUSED_MARK
    assert window.header.pause_button.text().startswith("▶ Resume")
    clock.advance(minutes=5)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.tiles["97140"].state_label.text() == RUNNING_MARK
    clock.advance(minutes=1)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.tiles["97140"].state_label.text() == STOPPED_MARK
    assert window.tiles["97140"].time_label.text() == "6:00"


def test_rule_switch_from_the_visit_menu(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot)  # Medicare: leaving the CMS rule is asked first
    window.controller.add_minutes("97110", 33, "late start")
    window.controller.add_minutes("97140", 7, "late start")
    assert window.totals.units_label.text() == "Total: 3 units"
    assert window.rule_action.text() == "Use AMA per-code rule…"
    asked: list[tuple[str, Rule]] = []

    def confirm(patient: str, rule: Rule) -> bool:
        asked.append((patient, rule))
        return True

    window.ask_rule_change = confirm  # type: ignore[method-assign]
    window.rule_action.trigger()
    assert asked == [("Ada Lovelace", Rule.AMA)]
    assert window.totals.units_label.text() == "Total: 2 units"
    assert "AMA per-code rule" in window.header.details_label.text()
    assert window.totals.next_label.text() == "1 more minute of 97140 for the next unit"
    assert window.now.next_text == "1 more minute of 97140 for unit 3"
    assert window.rule_action.text() == "Use CMS 8-minute rule"
    window.rule_action.trigger()  # back to the CMS rule: nothing to ask
    assert len(asked) == 1
    assert window.totals.units_label.text() == "Total: 3 units"


def test_tie_notice(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot)
    window.controller.add_minutes("97110", 7, "x")
    window.controller.add_minutes("97140", 7, "x")
    assert "Tie: 97110 and 97140 each have 7 minutes" in window.totals.tie_label.text()


def test_correction_dialog(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    from ptclock.ui.correction_dialog import CorrectionDialog

    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=10)

    def fill(dialog: CorrectionDialog) -> bool:
        ok = dialog.buttons.buttons()[0]
        dialog.minutes_box.setValue(5)
        assert not ok.isEnabled()  # a reason is required
        qtbot.keyClicks(dialog.reason_edit, "started the timer late")
        assert ok.isEnabled()
        assert dialog.now_label.text() == "97110 has 10:00 in this visit"
        return True

    window.ask_correction = fill  # type: ignore[method-assign]
    window.correct_time()
    assert window.tiles["97110"].time_label.text() == "15:00"
    assert window.controller.keeper.store.adjustments(1)[0].reason == "started the timer late"


def test_refused_correction_says_why_and_changes_nothing(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot)
    assert not window.controller.add_minutes("97110", -5, "wrong")
    assert "below zero" in window.banner.messages()[0]
    assert window.controller.keeper.store.adjustments(1) == []


def test_end_visit(
    window: MainWindow, qtbot: QtBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97116")
    clock.advance(minutes=23)
    asked: list[tuple[str, int]] = []

    def confirm(patient: str, units: int) -> bool:
        asked.append((patient, units))
        return True

    monkeypatch.setattr(window, "ask_end_visit", confirm)
    window.end_visit()
    assert asked == [("Ada Lovelace", 2)]
    assert window.header.state_badge.text() == "■ ENDED"
    assert window.tiles["97116"].units_label.text() == "2 units"
    assert not window.tiles["97116"].isEnabled()
    assert not window.header.end_button.isEnabled()


def test_add_code_picker_finds_by_words(window: MainWindow, qtbot: QtBot) -> None:
    from ptclock.ui.code_picker import CodePicker

    start_visit(window, qtbot)

    def pick(picker: CodePicker) -> bool:
        qtbot.keyClicks(picker.search_edit, "manual")
        texts = [picker.results.item(i).text() for i in range(picker.results.count())]
        assert any(text.startswith("97140  Manual therapy") for text in texts)
        picker.search_edit.setText("wheelchair")
        assert picker.chosen() == "97542"
        return True

    window.ask_code = pick  # type: ignore[method-assign]
    window.add_code()
    assert window.tiles["97542"].state_label.text() == RUNNING_MARK


def test_picker_tells_97110_from_97530(window: MainWindow) -> None:
    from ptclock.ui.code_picker import CodePicker

    picker = CodePicker(window.controller.catalog, window)
    picker.search_edit.setText("97530")
    assert "functional" in picker.results.item(0).text().lower()
    picker.search_edit.setText("97110")
    assert "strength" in picker.results.item(0).text().lower()


def test_documentation_is_saved(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    window.tabs.setCurrentIndex(1)
    (fields,) = window.documentation.fields
    qtbot.keyClicks(fields.body_part, "left knee 1")  # digits go to the field, not the tiles
    qtbot.keyClicks(window.documentation.visit_note, "Tolerated well")
    qtbot.mouseClick(window.documentation.save_button, Qt.MouseButton.LeftButton)
    (note,) = window.controller.keeper.store.code_notes(1)
    assert note.body_part == "left knee 1"
    assert window.controller.keeper.visit(1).note == "Tolerated well"
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK


def test_today_lists_visits_and_opens_one(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot, "Ada")
    start_visit(window, qtbot, "Grace")
    table = window.today.table
    assert table.rowCount() == 2
    assert [table.item(r, 1).text() for r in range(2)] == ["Ada", "Grace"]
    window.today.open_requested.emit(1)
    assert window.header.patient_label.text() == "Ada"


def test_open_visit_from_an_earlier_day_is_pointed_out(
    make_window: WindowMaker, clock: FakeClock, qtbot: QtBot
) -> None:
    from tests.helpers import keeper

    tk = keeper(clock)
    tk.new_visit("Ada")
    clock.advance(minutes=24 * 60)
    window = make_window(tk)
    assert not window.today.left_open_label.isHidden()
    assert "2026-11-27 is still open" in window.banner.messages()[0]
    assert "2026-11-27 (Ada) is still open" in window.today.left_open_label.text()


def test_compact_mode_and_tray(window: MainWindow, qtbot: QtBot, clock: FakeClock) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97140")
    clock.advance(minutes=12, seconds=34)
    window.enter_compact()
    window.tick()
    assert window.compact.isVisible() and not window.isVisible()
    assert window.compact.status_label.text() == "▶ 97140 12:34 · visit 1 unit"
    assert window.tray.tooltip == "ptclock — ▶ 97140 12 minutes · visit 1 unit"
    assert window.tray.stop_action.text() == "Stop 97140"
    switch = {a.text(): a for a in window.tray.switch_menu.actions()}
    switch["97530  Therapeutic activities"].trigger()
    assert window.compact.status_label.text() == "▶ 97530 0:00 · visit 1 unit"
    qtbot.mouseClick(window.compact.stop_button, Qt.MouseButton.LeftButton)
    assert window.compact.status_label.text() == "■ Nothing running · visit 1 unit"
    qtbot.mouseClick(window.compact.expand_button, Qt.MouseButton.LeftButton)
    assert window.isVisible() and not window.compact.isVisible()


def test_still_treating_reminder(make_window: WindowMaker, clock: FakeClock, qtbot: QtBot) -> None:
    from ptclock.settings import Settings

    window = make_window(settings=Settings(long_timer_minutes=30))
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=31)
    window.tick()
    box = window._dialog
    assert box is not None and box.isVisible()
    assert "97110 has been running for more than 30 minutes" in box.text()
    stop = next(b for b in box.buttons() if b.text() == "Stop 97110")
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    assert window.tiles["97110"].state_label.text() == STOPPED_MARK
    assert window.tiles["97110"].time_label.text() == "31:00"  # never cut silently


def test_sleep_question_discards_the_gap(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=10)
    clock.suspend(minutes=40)
    window.tick()
    box = window._dialog
    assert box is not None and "asleep for 40 minutes" in box.text()
    discard = next(b for b in box.buttons() if b.text() == "Discard it, keep timing")
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert window.tiles["97110"].time_label.text() == "10:00"
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK


def test_closing_with_a_running_timer_asks(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    monkeypatch.setattr(window, "ask_on_close", lambda: "cancel")
    window.close()
    assert window.isVisible()
    monkeypatch.setattr(window, "ask_on_close", lambda: "stop")
    window.close()
    assert not window.isVisible()
    assert window.controller.keeper.store.running_segments() == []


def test_every_control_is_named_and_big_enough(window: MainWindow, qtbot: QtBot) -> None:
    start_visit(window, qtbot)
    for tile in window.tiles.values():
        assert tile.accessibleName()
        assert tile.minimumHeight() >= 44 and tile.minimumWidth() >= 44
    for button in (
        window.header.pause_button,
        window.header.end_button,
        window.header.next_button,
        window.add_code_button,
    ):
        assert button.accessibleName()
        assert button.minimumHeight() >= 44
    assert window.key_actions[0].text() == "Toggle 97110 Therapeutic exercise"
    assert window.key_actions[0].shortcut().toString() == "1"


def test_export_visit_pdf_remembers_the_folder(
    window: MainWindow,
    qtbot: QtBot,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.report.conftest import CLINIC, pdf_text

    window.controller.apply_settings(CLINIC)  # a PDF needs a provider and NPI (issue 13, #14)
    start_visit(window, qtbot, "Ada Lovelace")
    click(qtbot, window, "97110")
    clock.advance(minutes=8)
    asked: list[Path] = []

    def answer(title: str, suggested: Path, pattern: str) -> Path:
        asked.append(suggested)
        return tmp_path / suggested.name

    monkeypatch.setattr(window.reports, "ask_save_path", answer)
    window.reports.export_visit_pdf()
    assert asked[0].name == "2026-11-27-AL-visit-1.pdf"  # date and initials, never the name
    written = tmp_path / "2026-11-27-AL-visit-1.pdf"
    assert "Total units 1" in pdf_text(written)
    assert window.controller.settings.export_folder == str(tmp_path)
    window.reports.export_day(".csv")
    assert asked[1] == tmp_path / "2026-11-27-day.csv"
    assert "Ada Lovelace" in (tmp_path / "2026-11-27-day.csv").read_text()


def test_checks_and_modifiers_during_the_visit(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    from ptclock.ui.modifier_dialog import ModifierDialog

    start_visit(window, qtbot)
    click(qtbot, window, "97530")
    clock.advance(minutes=20)
    window.tick()
    # 97140's time only from a correction: no clock time to show as a distinct block.
    window.controller.add_minutes("97140", 15, "forgot to start the timer")
    checks = window.totals.checks_label.text()
    # The check says why and what to do (its words are the billing checks' own).
    assert "97140 was never timed for a full minute" in checks
    assert "add XU with a reason" in checks
    assert window.totals.modifiers_label.text() == "Modifiers — 97530: GP; 97140: GP"

    def fill(dialog: ModifierDialog) -> bool:
        dialog.code_box.setCurrentIndex(1)
        assert "GP: Physical therapy service billed to Medicare." in dialog.current.text()
        qtbot.keyClicks(dialog.modifier_edit, "xs")
        ok = dialog.buttons.buttons()[0]
        assert not ok.isEnabled()
        qtbot.keyClicks(dialog.reason_edit, "different body region: cervical vs knee")
        assert ok.isEnabled()
        return True

    window.ask_modifier = fill  # type: ignore[method-assign]
    window.change_modifiers()
    assert window.totals.modifiers_label.text() == "Modifiers — 97530: GP; 97140: GP XS"


def test_assistant_time_is_recorded_from_the_header(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=20)
    window.header.performer_box.setCurrentIndex(1)  # Performed by PTA
    click(qtbot, window, "97110")  # stop
    click(qtbot, window, "97110")  # start again, by the assistant
    clock.advance(minutes=5)
    window.tick()
    tally = window.controller.tally()
    assert tally is not None and tally.code("97110").assistant_seconds == 300
    assert window.totals.modifiers_label.text() == "Modifiers — 97110: GP CQ"


def test_a_clock_set_while_a_timer_runs_is_said(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    clock.advance(minutes=5)
    clock.jump_wall(minutes=-60)
    window.tick()
    assert window.banner.messages()[0] == (
        "The computer's clock was set back 60 minutes while a timer ran: ptclock kept the "
        "time that really passed (Visit → Audit trail)."
    )
    assert window.tiles["97110"].time_label.text() == "5:00"


def test_audit_trail_is_shown_from_the_visit_menu(window: MainWindow, qtbot: QtBot) -> None:
    from ptclock.ui.audit_dialog import AuditDialog

    start_visit(window, qtbot)
    click(qtbot, window, "97110")
    shown: list[AuditDialog] = []
    window.ask_audit = shown.append  # type: ignore[method-assign]
    window.show_audit()
    table = shown[0].table
    texts = [table.item(row, 1).text() for row in range(table.rowCount())]
    assert len(texts) == 2
    assert texts[0].startswith("Visit started")  # the audit trail's own words follow
    assert texts[1].startswith("Started 97110")
