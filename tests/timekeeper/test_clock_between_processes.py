"""A clock that jumps while no window runs (pedal or script use): each event keeps the boot
id and boot-time clocks, so the next process tells a jump from time that passed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ptclock.claim_desk import claim_for_visit_id
from ptclock.store import AuditEntry, open_store
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, keeper, seconds


def another_process(clock: FakeClock, path: Path) -> Timekeeper:
    """A fresh ``ptclock`` command: a new timekeeper that has watched nothing yet."""
    return keeper(clock, store=open_store(path))


def stopped_later(tmp_path: Path, between: Callable[[FakeClock], object]) -> Timekeeper:
    """``timer start 97110``; ``between`` happens to the clocks; ``timer stop`` in a new
    process, whose timekeeper is returned."""
    path, clock = tmp_path / "ptclock.sqlite3", FakeClock(MORNING)
    first = another_process(clock, path)
    first.new_visit("Ada")
    first.start("97110")
    between(clock)
    second = another_process(clock, path)
    second.stop("97110")
    return second


def recorded(tk: Timekeeper, *actions: str) -> list[AuditEntry]:
    return [entry for entry in tk.store.audit_trail() if entry.action in actions]


def three_seconds_then_set_two_hours_ahead(clock: FakeClock) -> None:
    clock.advance(3)
    clock.jump_wall(minutes=120)


def nine_minutes_then_set_an_hour_back(clock: FakeClock) -> None:
    clock.advance(minutes=9)
    clock.jump_wall(minutes=-60)


def five_minutes_then_asleep_for_thirty(clock: FakeClock) -> None:
    clock.advance(minutes=5)
    clock.suspend(minutes=30)


def test_clock_set_forward_between_two_commands_bills_real_time(tmp_path: Path) -> None:
    second = stopped_later(tmp_path, three_seconds_then_set_two_hours_ahead)
    assert seconds(second, "97110") == 3  # not 7,203 s (8 units)
    (jump,) = recorded(second, "clock_set")
    assert jump.after["seconds"] == 7200
    assert jump.after["running"] == [[1, "97110"]]


def test_clock_set_back_between_two_commands_keeps_real_time(tmp_path: Path) -> None:
    second = stopped_later(tmp_path, nine_minutes_then_set_an_hour_back)
    assert seconds(second, "97110") == 9 * 60  # not 0 s
    assert len(recorded(second, "clock_set")) == 1


def test_time_that_passed_between_commands_is_not_a_jump(tmp_path: Path) -> None:
    second = stopped_later(tmp_path, lambda clock: clock.advance(minutes=14))
    assert seconds(second, "97110") == 14 * 60
    assert recorded(second, "clock_set", "suspend") == []


def test_a_sleep_between_commands_is_recorded_not_dropped(tmp_path: Path) -> None:
    second = stopped_later(tmp_path, five_minutes_then_asleep_for_thirty)
    assert seconds(second, "97110") == 35 * 60  # kept, as the window's sleep rule keeps it
    (sleep,) = recorded(second, "suspend")
    assert sleep.after["running"] == [[1, "97110"]]


def test_after_a_reboot_nothing_is_compared(tmp_path: Path) -> None:
    # The boot clocks start again: they say nothing about the gap.
    second = stopped_later(tmp_path, lambda clock: clock.reboot(minutes=20))
    assert seconds(second, "97110") == 20 * 60
    assert recorded(second, "clock_set", "suspend") == []


def test_each_event_keeps_the_boot_clocks(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = another_process(clock, tmp_path / "ptclock.sqlite3")
    tk.new_visit("Ada")
    last = tk.store.last_stamp()
    assert last is not None
    at, stamp = last
    assert at == MORNING
    assert stamp.boot_id == clock.boot_id()
    assert (stamp.monotonic, stamp.since_boot) == (clock.monotonic(), clock.since_boot())


def test_a_clock_set_back_does_not_change_the_59_evidence(tmp_path: Path) -> None:
    # Issue 12, item 9: 97140 then 97530 in distinct blocks; the clock is set back
    # ten minutes during 97530. The split at the jump used to read as "overlapping".
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97140")
    clock.advance(minutes=15)
    tk.start("97530")
    clock.advance(minutes=5)
    clock.jump_wall(minutes=-10)
    tk.check_clock()
    clock.advance(minutes=10)
    tk.stop()
    (finding,) = claim_for_visit_id(tk, visit).edits
    assert finding.blocks is not None and finding.blocks.supportable, finding.message
    assert seconds(tk, "97530", visit) == 15 * 60


def test_a_sleep_or_clock_change_is_shown_with_the_visit(tmp_path: Path) -> None:
    # Issue 12, item 6: flagged in visit show and the reports (the claim's warnings), not
    # only in the audit trail.
    second = stopped_later(tmp_path, five_minutes_then_asleep_for_thirty)
    assert "10:35: the computer was asleep 30 min while 97110 ran" in " ".join(
        claim_for_visit_id(second, 1).warnings
    )
    other = stopped_later(tmp_path / "b", nine_minutes_then_set_an_hour_back)
    assert any(
        "the computer's clock was set back 60 min while 97110 ran" in warning
        for warning in claim_for_visit_id(other, 1).warnings
    )
