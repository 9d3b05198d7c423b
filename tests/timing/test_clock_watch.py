"""clock_watch.py: a wall clock set forward or back told from a sleep, within a tolerance."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptclock.timing.clock import FakeClock, stamp
from ptclock.timing.clock_watch import TOLERANCE_SECONDS, ClockJump, ClockWatch, JumpKind
from ptclock.timing.records import ClockNote
from tests.timing.builders import MORNING


class NoBootClock:
    """A machine that cannot say how long it has been up (not Linux): a FakeClock whose
    since-boot reading is unknown."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def since_boot(self) -> float | None:
        return None

    def zone(self) -> tzinfo:
        return self.clock.zone()

    def boot_id(self) -> str | None:
        return None


def jump_after(seconds: float) -> ClockJump | None:
    """What the watch reports after the wall clock alone moved ``seconds``."""
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.jump_wall(seconds)
    return watch.check()


def test_the_tolerance_is_five_seconds() -> None:
    assert TOLERANCE_SECONDS == 5.0


def test_time_passing_normally_is_no_jump() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(minutes=90)
    assert watch.check() is None
    clock.advance(seconds=1)
    assert watch.check() is None


def test_no_time_at_all_is_no_jump() -> None:
    assert ClockWatch(FakeClock(MORNING)).check() is None


def test_a_clock_set_back_is_a_clock_set_with_where_it_should_be() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(minutes=10)
    clock.jump_wall(minutes=-60)
    clock.advance(minutes=5)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, -3600.0)
    # 15 minutes really passed: the clock should read 10:15 and reads 9:15.
    assert jump.expected_now == MORNING + timedelta(minutes=15)
    assert jump.actual_now == MORNING - timedelta(minutes=45)
    assert jump.description == "the wall clock was set back by 3600 seconds"


def test_a_clock_set_forward_is_a_clock_set() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(minutes=8)
    clock.jump_wall(minutes=45)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, 2700.0)
    assert (jump.expected_now, jump.actual_now) == (
        MORNING + timedelta(minutes=8),
        MORNING + timedelta(minutes=53),
    )
    assert jump.description == "the wall clock was set forward by 2700 seconds"


def test_a_sleep_is_a_suspend_not_a_clock_set() -> None:
    # Wall and since-boot time moved an hour, monotonic time stood still.
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(minutes=10)
    clock.suspend(minutes=60)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.SUSPEND, 3600.0)
    assert (jump.expected_now, jump.actual_now) == (
        MORNING + timedelta(minutes=10),
        MORNING + timedelta(minutes=70),
    )
    assert jump.description == "the computer was asleep for 3600 seconds"


def test_without_a_since_boot_clock_a_sleep_cannot_be_told_from_a_clock_set() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(NoBootClock(clock))
    clock.suspend(minutes=60)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, 3600.0)


def test_a_clock_set_during_a_sleep_is_a_clock_set() -> None:
    # Slept 60 min and the clock was set 30 min ahead: wall moved 90, since-boot 60.
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.suspend(minutes=60)
    clock.jump_wall(minutes=30)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, 5400.0)


def test_a_clock_set_back_during_a_sleep_is_a_clock_set() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.suspend(minutes=10)
    clock.jump_wall(minutes=-60)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, -3000.0)
    assert jump.description == "the wall clock was set back by 3000 seconds"


# -- the tolerance ---------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [4.999, 5.0, -4.999, -5.0, 0.5])
def test_a_clock_moved_up_to_the_tolerance_is_no_jump(seconds: float) -> None:
    assert jump_after(seconds) is None


@pytest.mark.parametrize("seconds", [5.001, -5.001, 6.0, -6.0])
def test_a_clock_moved_just_over_the_tolerance_is_a_clock_set(seconds: float) -> None:
    jump = jump_after(seconds)
    assert jump is not None
    assert jump.kind is JumpKind.CLOCK_SET
    assert jump.seconds == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize(("slept", "kind"), [(5.0, None), (5.001, JumpKind.SUSPEND)])
def test_a_sleep_up_to_the_tolerance_is_no_jump(slept: float, kind: JumpKind | None) -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.suspend(slept)
    jump = watch.check()
    assert (None if jump is None else jump.kind) is kind


@pytest.mark.parametrize(("set_by", "kind"), [(5.0, JumpKind.SUSPEND), (5.001, JumpKind.CLOCK_SET)])
def test_a_sleep_with_the_clock_moved_too_is_a_sleep_only_within_the_tolerance(
    set_by: float, kind: JumpKind
) -> None:
    # Slept 60 s; the wall moved 60 s + ``set_by``: a suspend while they agree within 5 s.
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.suspend(60)
    clock.jump_wall(set_by)
    jump = watch.check()
    assert jump is not None
    assert jump.kind is kind
    assert jump.seconds == pytest.approx(60 + set_by, abs=1e-6)


def test_small_moves_add_up_between_looks() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.jump_wall(4)
    clock.advance(minutes=1)
    clock.jump_wall(4)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, 8.0)


# -- each look is remembered ------------------------------------------------------------------


def test_a_jump_is_reported_once() -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.jump_wall(minutes=-60)
    assert watch.check() is not None
    clock.advance(minutes=5)
    assert watch.check() is None


def test_a_look_without_a_jump_is_remembered_too() -> None:
    # 4 s, a look, 4 s more: neither look saw more than 4 s.
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.jump_wall(4)
    assert watch.check() is None
    clock.jump_wall(4)
    assert watch.check() is None


def test_a_new_watch_sees_only_what_happens_after_it_was_made() -> None:
    clock = FakeClock(MORNING)
    clock.jump_wall(minutes=-30)
    assert ClockWatch(clock).check() is None


# -- seeding from another process's reading ---------------------------------------------------


def test_seeded_from_an_earlier_reading_a_clock_set_in_between_is_seen() -> None:
    clock = FakeClock(MORNING)
    earlier, wall = stamp(clock), clock.now()  # another process's last event
    clock.advance(minutes=10)
    clock.jump_wall(minutes=-30)  # while no ptclock ran
    watch = ClockWatch(clock)
    assert earlier.monotonic is not None
    watch.seed(wall, earlier.monotonic, earlier.since_boot)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, -1800.0)
    assert jump.expected_now == MORNING + timedelta(minutes=10)
    assert jump.actual_now == MORNING - timedelta(minutes=20)


def test_seeded_from_an_earlier_reading_a_sleep_in_between_is_a_suspend() -> None:
    clock = FakeClock(MORNING)
    earlier, wall = stamp(clock), clock.now()
    clock.advance(minutes=2)
    clock.suspend(minutes=20)
    watch = ClockWatch(clock)
    assert earlier.monotonic is not None
    watch.seed(wall, earlier.monotonic, earlier.since_boot)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.SUSPEND, 1200.0)


def test_seeded_without_a_since_boot_reading_a_sleep_is_a_clock_set() -> None:
    clock = FakeClock(MORNING)
    earlier, wall = stamp(clock), clock.now()
    clock.suspend(minutes=20)
    watch = ClockWatch(clock)
    assert earlier.monotonic is not None
    watch.seed(wall, earlier.monotonic, None)
    jump = watch.check()
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.CLOCK_SET, 1200.0)


def test_seeded_from_a_reading_with_only_time_passing_is_no_jump() -> None:
    clock = FakeClock(MORNING)
    earlier, wall = stamp(clock), clock.now()
    clock.advance(minutes=45)
    watch = ClockWatch(clock)
    assert earlier.monotonic is not None
    watch.seed(wall, earlier.monotonic, earlier.since_boot)
    assert watch.check() is None


# -- the words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "seconds", "words"),
    [
        (JumpKind.CLOCK_SET, 3599.6, "the wall clock was set forward by 3600 seconds"),
        (JumpKind.CLOCK_SET, -90.4, "the wall clock was set back by 90 seconds"),
        (JumpKind.SUSPEND, 1200.2, "the computer was asleep for 1200 seconds"),
    ],
)
def test_the_description_rounds_to_whole_seconds(
    kind: JumpKind, seconds: float, words: str
) -> None:
    jump = ClockJump(kind, seconds, MORNING, MORNING + timedelta(seconds=seconds))
    assert jump.description == words


def test_the_jump_kinds_are_the_kinds_a_clock_note_knows() -> None:
    # A ClockNote is stored with the jump's kind value; each kind reads as its own message.
    zone = FakeClock(MORNING).zone()
    asleep = ClockNote(MORNING, JumpKind.SUSPEND.value, 1800, ("97110",)).message(zone)
    set_back = ClockNote(MORNING, JumpKind.CLOCK_SET.value, -1800, ("97110",)).message(zone)
    assert (JumpKind.SUSPEND.value, JumpKind.CLOCK_SET.value) == ("suspend", "clock_set")
    assert "asleep 30 min" in asleep
    assert "set back 30 min" in set_back


# -- properties ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 86_400), min_size=1, max_size=6))
def test_time_passing_is_never_a_jump(steps: list[int]) -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    for step in steps:
        clock.advance(step)
        assert watch.check() is None


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 86_400), st.integers(-86_400_000, 86_400_000))
def test_a_wall_clock_set_is_reported_exactly_when_over_the_tolerance(
    passed: int, set_by_ms: int
) -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(passed)
    clock.jump_wall(set_by_ms / 1000)
    jump = watch.check()
    if abs(set_by_ms) <= 5000:
        assert jump is None
        return
    assert jump is not None
    assert jump.kind is JumpKind.CLOCK_SET
    assert jump.seconds == pytest.approx(set_by_ms / 1000, abs=1e-6)
    assert jump.expected_now == MORNING + timedelta(seconds=passed)
    assert jump.actual_now == clock.now()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 86_400), st.integers(0, 86_400))
def test_a_sleep_is_reported_exactly_when_over_the_tolerance(passed: int, slept: int) -> None:
    clock = FakeClock(MORNING)
    watch = ClockWatch(clock)
    clock.advance(passed)
    clock.suspend(slept)
    jump = watch.check()
    if slept <= 5:
        assert jump is None
        return
    assert jump is not None
    assert (jump.kind, jump.seconds) == (JumpKind.SUSPEND, float(slept))
