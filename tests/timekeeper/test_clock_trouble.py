"""Clock jumps, sleep, DST, midnight and long timers: no negative or doubled time."""

from __future__ import annotations

from datetime import date, datetime, timezone

from ptclock.settings import Settings
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, keeper, seconds


def test_backward_clock_jump_keeps_the_real_time_and_is_recorded() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=10)
    assert seconds(tk, "97110") == 10 * 60  # read before the jump: nothing stale after it
    clock.jump_wall(minutes=-60)  # time sync set the clock back an hour
    clock.advance(minutes=5)
    jump = tk.check_clock()
    assert jump is not None and round(jump.seconds) == -3600
    assert seconds(tk, "97110") == 15 * 60
    clock.advance(minutes=5)
    assert seconds(tk, "97110") == 20 * 60
    (entry,) = [e for e in tk.store.audit_trail() if e.action == "clock_set"]
    assert "set back by 3600 seconds" in entry.after["description"]
    assert tk.tally(visit).running_codes == ("97110",)


def test_forward_clock_jump_is_not_counted() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97140")
    clock.advance(minutes=8)
    clock.jump_wall(minutes=45)
    tk.stop()  # every event looks at the clock first
    assert seconds(tk, "97140") == 8 * 60
    (entry,) = [e for e in tk.store.audit_trail() if e.action == "clock_set"]
    assert entry.after["seconds"] == 45 * 60 and entry.after["running"] == [[1, "97140"]]


def test_backward_jump_seen_only_by_a_new_process_never_goes_negative() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=3)
    later = FakeClock(MORNING)  # another process whose clock is 3 minutes behind
    later.jump_wall(minutes=-30)
    other = keeper(later, store=tk.store)
    assert seconds(other, "97110") == 0
    other.stop()
    assert seconds(other, "97110") == 0
    assert "clock_behind" in [e.action for e in tk.store.audit_trail()]


def test_suspend_is_recorded_and_the_time_kept_for_the_therapist_to_decide() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=10)
    clock.suspend(minutes=60)
    jump = tk.check_clock()
    assert jump is not None and jump.kind.value == "suspend"
    (entry,) = [e for e in tk.store.audit_trail() if e.action == "suspend"]
    assert "asleep for 3600 seconds" in entry.after["description"]
    assert seconds(tk, "97110") == 70 * 60
    assert tk.tally().still_running_checks == ("97110",)
    tk.add_minutes("97110", -60, "laptop slept, patient was resting")
    assert seconds(tk, "97110") == 10 * 60


def test_dst_change_is_no_jump() -> None:
    # 2026-11-01 01:50 EDT; clocks fall back at 02:00 EDT to 01:00 EST.
    clock = FakeClock(datetime(2026, 11, 1, 5, 50, tzinfo=timezone.utc))
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=20)
    assert tk.check_clock() is None
    assert seconds(tk, "97110") == 20 * 60
    assert tk.visit(visit).date_of_service == date(2026, 11, 1)


def test_a_visit_across_midnight_keeps_its_date_of_service() -> None:
    clock = FakeClock(datetime(2026, 11, 28, 4, 50, tzinfo=timezone.utc))  # 23:50 in New York
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97530")
    clock.advance(minutes=25)
    tk.end()
    assert tk.visit(visit).date_of_service == date(2026, 11, 27)
    assert tk.tally(visit).code("97530").units == 2
    assert [v.id for v in tk.store.visits_on(date(2026, 11, 27))] == [visit]


def test_a_long_timer_is_flagged_never_cut() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock, settings=Settings(long_timer_minutes=45))
    tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=44)
    assert tk.tally().still_running_checks == ()
    clock.advance(minutes=1)
    assert tk.tally().still_running_checks == ("97110",)
    clock.advance(minutes=120)
    assert seconds(tk, "97110") == 165 * 60


def test_a_visits_audit_trail_shows_the_clock_changes_its_timers_ran_through() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    ada = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=10)
    clock.jump_wall(minutes=-60)
    tk.check_clock()
    tk.stop()
    clock.advance(minutes=5)
    ben = tk.new_visit("Ben")  # nothing ran for Ben through the jump
    tk.start("97140", ben)
    clock.suspend(minutes=20)
    tk.check_clock()
    ada_lines = [e.action for e in tk.store.audit_trail(ada)]
    ben_lines = [e.action for e in tk.store.audit_trail(ben)]
    assert ada_lines == ["visit_new", "timer_start", "clock_set", "timer_stop"]
    assert ben_lines == ["visit_new", "timer_start", "suspend"]
