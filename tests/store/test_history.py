"""What the store keeps: running timers across restarts, and an audit trail that only grows."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptclock.store import StoreError, open_store
from ptclock.store.driver import sqlite3
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, keeper, seconds


def test_running_timer_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    clock = FakeClock(MORNING)
    tk = keeper(clock, path=path)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    started = tk.store.running_segments()[0].started_at
    tk.store.close()
    clock.advance(minutes=25)  # the app was closed, the therapist kept treating
    again = keeper(clock, store=open_store(path))
    (segment,) = again.store.running_segments()
    assert (segment.visit_id, segment.code, segment.started_at) == (visit, "97110", started)
    assert seconds(again, "97110") == 25 * 60


def test_audit_trail_is_append_only(tmp_path: Path) -> None:
    tk = keeper(path=tmp_path / "ptclock.sqlite3")
    tk.new_visit("Ada")
    tk.add_minutes("97110", 5, "late start")
    tk.start("97110")
    for statement in (
        "UPDATE audit SET action = 'x'",
        "DELETE FROM audit",
        "UPDATE adjustments SET seconds = 0",
        "DELETE FROM adjustments",
        "DELETE FROM segments",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            tk.store.connection.execute(statement)


def test_a_closed_segment_is_never_rewritten(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock, path=tmp_path / "ptclock.sqlite3")
    tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=5)
    tk.stop()
    with pytest.raises(sqlite3.IntegrityError):
        tk.store.connection.execute("UPDATE segments SET ended_at = started_at")


def test_every_event_is_in_the_audit_trail_with_before_and_after() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=9)
    tk.start("97140")
    tk.pause()
    tk.resume()
    tk.add_minutes("97140", 2, "late start")
    tk.end()
    trail = tk.store.audit_trail(visit)
    assert [e.action for e in trail] == [
        "visit_new",
        "timer_start",
        "timer_stop",
        "timer_start",
        "timer_stop",
        "visit_pause",
        "visit_resume",
        "timer_start",
        "correction",
        "timer_stop",
        "visit_end",
    ]
    assert trail[2].code == "97110" and trail[2].after["why"] == "switch"
    assert all(e.visit_id == visit for e in trail)


def test_patient_names_stay_out_of_the_audit_trail() -> None:
    tk = keeper()
    tk.new_visit("Ada Lovelace")
    text = repr([(e.before, e.after) for e in tk.store.audit_trail()])
    assert "Lovelace" not in text


def test_a_second_writer_waits_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    window = keeper(path=path)
    window.new_visit("Ada")
    cli = keeper(store=open_store(path))
    with window.store.transaction():  # the window is in the middle of writing
        window.store.audit(MORNING, "UTC", "test")
        cli.store.connection.execute("PRAGMA busy_timeout = 200")
        with pytest.raises(StoreError, match="stayed busy with another ptclock"):
            cli.start("97110")
    cli.store.connection.execute("PRAGMA busy_timeout = 10000")
    cli.start("97110")
    assert [s.code for s in window.store.running_segments()] == ["97110"]
