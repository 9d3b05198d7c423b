"""Clinic mode in the window: the sync's state always in sight, in plain words, and who
is treating whom across the clinic (issue 17), against a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptclock.clinic.background import BackgroundSync
from ptclock.paths import DATABASE_NAME
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.controller import SessionController
from ptclock.ui.main_window import MainWindow
from tests.clinic.conftest import Clinic
from tests.clinic.test_clinic_faults import (
    backup_of,
    every_local_record_at_the_clinic,
    gym_and_table,
    joined,
    same_records,
)
from tests.clinic.workstations import cli, on, treat, workstation
from tests.helpers import MORNING


def window_on(qtbot: QtBot, folder: Path, clock: FakeClock) -> MainWindow:
    tk = on(folder, "Lee", "1234567893", clock)
    window = MainWindow(SessionController(tk), save_to_disk=False)
    window.ask_on_close = lambda: "keep"  # type: ignore[method-assign]
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_window_shows_the_clinic_and_sends_what_it_records(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    # At the table, Kim is treating Bo with manual therapy right now.
    treat(table, "Kim", "Bo Chen", "MRN-2", [("97140", 12)], end=False)
    tk = on(table, "Kim", "1245319599", FakeClock(MORNING.replace(minute=12)))
    tk.start("97140")
    tk.store.close()
    BackgroundSync.once(on(table, "Kim", "1245319599"))

    clock = FakeClock(MORNING.replace(minute=20))
    window = window_on(qtbot, gym, clock)
    window.show_clinic_view()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())][-1] == "Clinic today"
    window.controller.start_visit("Ada Park", Payer.MEDICARE, mrn="MRN-1")
    window.controller.toggle("97110")
    sync_keeper = on(gym, "Lee", "1234567893", clock)
    news = BackgroundSync.once(sync_keeper)
    window.clinic_news.emit(news)

    assert window.clinic_state is not None and window.clinic_panel is not None
    assert window.clinic_state.text() == "Clinic ✓ up to date (sent at 10:20)"
    assert "nothing waiting to be sent" in window.clinic_panel.status.text()
    rows = window.clinic_panel.rows()
    assert ["Kim", "Bo Chen", "97140 for 8 minutes", "10:00", "vm"] in [
        [*row[:4], "vm"] for row in rows
    ]
    assert any(row[:3] == ["Lee", "Ada Park", "97110, just started"] for row in rows)
    sync_keeper.store.close()
    same_records(clinic_db, gym)


def test_the_clinic_out_of_reach_is_said_and_records_wait(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = workstation(tmp_path, "gym")
    joined(clinic_db, capsys, gym)
    clock = FakeClock(MORNING)
    window = window_on(qtbot, gym, clock)
    clinic_db.server.stop()
    try:
        window.controller.start_visit("Ada Park", Payer.MEDICARE)
        window.controller.toggle("97110")  # the timer starts: nothing waits on the network
        assert window.controller.tally() is not None
        sync_keeper = on(gym, "Lee", "1234567893", clock)
        window.clinic_news.emit(BackgroundSync.once(sync_keeper))
        assert window.clinic_state is not None and window.clinic_panel is not None
        short = window.clinic_state.text()
        assert short.startswith("Clinic ⚠ not reachable since 10:00 · ") and "waiting" in short
        assert "cannot be reached" in window.clinic_panel.status.text()
        assert "The clinic cannot be reached" in window.clinic_panel.empty.text()
    finally:
        clinic_db.server.start()
    window.clinic_news.emit(BackgroundSync.once(sync_keeper))
    assert window.clinic_state.text().startswith("Clinic ✓ up to date")
    sync_keeper.store.close()
    same_records(clinic_db, gym)


def test_the_sync_thread_sends_at_once_what_the_window_writes(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    from ptclock.store import open_store

    gym = workstation(tmp_path, "gym")
    joined(clinic_db, capsys, gym)
    window = window_on(qtbot, gym, FakeClock(MORNING))
    window.show_clinic_view()
    sync = BackgroundSync(lambda: on(gym, "Lee", "1234567893"), window.clinic_news.emit, every=3600)
    window.controller.written.connect(sync.nudge)
    sync.start()
    try:
        assert window.clinic_state is not None
        qtbot.waitUntil(lambda: "up to date" in window.clinic_state.text(), timeout=10_000)
        window.controller.start_visit("Ada Park", Payer.MEDICARE)
        # Sent on the nudge, not an hour later.
        qtbot.waitUntil(
            lambda: (
                clinic_db.sql("SELECT count(*) FROM ptclock.records WHERE kind = 'visit'")[0][0]
                == 1
            ),
            timeout=10_000,
        )
    finally:
        sync.stop()
    store = open_store(gym / DATABASE_NAME)
    try:
        qtbot.waitUntil(lambda: store.queued() == 0, timeout=10_000)
    finally:
        store.close()
    same_records(clinic_db, gym)


def test_the_clinics_patient_list_fills_in_a_new_visit(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    """The front desk added Ada (MRN, date of birth) on its workstation; in the gym, her name
    is offered as it is typed and her details come with it."""
    desk = workstation(tmp_path, "desk")
    gym = workstation(tmp_path, "gym")
    joined(clinic_db, capsys, desk)
    joined(clinic_db, capsys, gym)
    tk = on(desk, "Ana Ruiz", "1234567893")
    tk.new_visit("Ada Park", payer=Payer.MEDICARE, mrn="MRN-1", dob="1950-03-04")
    tk.store.close()
    BackgroundSync.once(on(desk, "Ana Ruiz", "1234567893"))
    sync_keeper = on(gym, "Lee", "1234567893")
    BackgroundSync.once(sync_keeper)
    sync_keeper.store.close()

    window = window_on(qtbot, gym, FakeClock(MORNING))
    assert window.controller.patient_names("Ad") == ["Ada Park"]
    known = window.controller.returning_patient("Ada Park")
    assert known is not None
    assert (known.mrn, known.dob, known.payer) == ("MRN-1", "1950-03-04", Payer.MEDICARE)
    assert window.controller.returning_patient("Nobody Here") is None


def test_the_window_takes_the_clinics_shared_settings(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = workstation(tmp_path, "gym")
    init = ("clinic", "init", clinic_db.owner_url, "--clinic-name", "Riverside PT")
    assert cli(capsys, gym, *init)[0] == 0
    joined(clinic_db, capsys, gym)
    window = window_on(qtbot, gym, FakeClock(MORNING))
    window.controller.apply_settings(window.controller.settings.changed(clinic_name="Old name"))
    sync_keeper = on(gym, "Lee", "1234567893")
    window.clinic_news.emit(BackgroundSync.once(sync_keeper))
    sync_keeper.store.close()
    assert window.controller.settings.clinic_name == "Riverside PT"


def test_a_round_that_fails_is_said_and_the_thread_goes_on() -> None:
    from ptclock.store import StoreError

    def broken() -> None:
        raise StoreError("the disk is full: this change was not saved")

    news = BackgroundSync.round(broken)  # type: ignore[arg-type]
    assert news.short == "Clinic ⚠ sync failed · trying again"
    assert "the disk is full" in news.status and "tries again" in news.status


def test_a_restore_in_the_window_holds_the_sync_and_it_goes_on_after(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = workstation(tmp_path, "gym")
    joined(clinic_db, capsys, gym)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    backup = backup_of(capsys, gym)
    window = window_on(qtbot, gym, FakeClock(MORNING.replace(hour=18)))
    window.show_clinic_view()
    sync = BackgroundSync(lambda: on(gym, "Lee", "1234567893"), window.clinic_news.emit, every=0.2)
    window.controller.background_quiet = sync.quiet
    sync.start()
    try:
        assert window.clinic_state is not None
        qtbot.waitUntil(lambda: "up to date" in window.clinic_state.text(), timeout=10_000)
        assert window.controller.restore(Path(backup)) is not None
        window.controller.start_visit("Bo Chan", Payer.MEDICARE, mrn="MRN-2")
        window.controller.toggle("97140")
        qtbot.waitUntil(
            lambda: (
                clinic_db.sql("SELECT count(*) FROM ptclock.records WHERE kind = 'segment_start'")[
                    0
                ][0]
                == 2
            ),
            timeout=10_000,
        )
    finally:
        sync.stop()
    every_local_record_at_the_clinic(clinic_db, gym)


def test_a_window_open_when_the_computer_joins_starts_syncing(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    from ptclock.app import _clinic_sync

    gym = workstation(tmp_path, "gym")
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    window = window_on(qtbot, gym, FakeClock(MORNING.replace(hour=18)))
    stop = _clinic_sync(window.controller, window)
    try:
        assert window.clinic_panel is None  # a single machine: no clinic in sight
        joined(clinic_db, capsys, gym)  # from the command line, the window open
        window.controller.refresh()  # the window's next tick sees the outside change
        assert window.clinic_state is not None
        qtbot.waitUntil(lambda: "up to date" in window.clinic_state.text(), timeout=10_000)
    finally:
        stop()


def test_the_window_pools_the_patients_visit_on_another_workstation(
    clinic_db: Clinic, tmp_path: Path, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ada had 6 minutes of 97110 in the gym; at the table she gets 5 of 97140: alone 0
    units, with the gym's minutes (one claim for the day) 1 unit — the table's window
    says so while she is still there."""
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 6)])
    assert cli(capsys, gym, "sync", "--once")[0] == 0
    clock = FakeClock(MORNING.replace(minute=20))
    window = window_on(qtbot, table, clock)
    window.controller.start_visit("Ada Park", Payer.MEDICARE, mrn="MRN-1")
    window.controller.toggle("97140")
    sync_keeper = on(table, "Kim", "1245319599")
    window.clinic_news.emit(BackgroundSync.once(sync_keeper))  # pulls the gym's visit
    sync_keeper.store.close()
    clock.advance(minutes=5)
    window.controller.refresh()
    claim = window.controller.review()
    assert claim is not None
    assert claim.billing.timed_minutes == 11 and claim.billing.total_units == 1
    assert len(claim.visit_ids) == 2 and min(claim.visit_ids) < 0
    window.redraw()
    assert "one claim with 1 visit on another workstation" in window.totals.rule_label.text()
    assert window.totals.units_label.text() == "Total: 1 unit"
