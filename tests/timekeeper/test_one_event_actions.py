"""Stop all and discard a sleep: several timers changed in one event, or none of them."""

from __future__ import annotations

from datetime import datetime

import pytest

from ptclock.settings import Settings
from ptclock.store import StoreError
from ptclock.timekeeper import SLEEP_DISCARDED, Timekeeper, TimekeeperError
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, keeper, seconds


def events(tk: Timekeeper) -> int:
    return int(tk.store.connection.execute("SELECT events FROM store_meta").fetchone()[0])


def three_timers(clock: FakeClock) -> tuple[Timekeeper, int, int]:
    """Ada's concurrent visit runs 97012 and 97110; Grace's visit, another therapist's on
    the same computer, runs 97530."""
    tk = keeper(clock, settings=Settings(provider="PT Jones"))
    ada = tk.new_visit("Ada", concurrent=True)
    tk.start("97012", ada)
    tk.start("97110", ada)
    smith = keeper(clock, store=tk.store, settings=Settings(provider="PT Smith"))
    grace = smith.new_visit("Grace")
    smith.start("97530", grace)
    clock.advance(minutes=10)
    return tk, ada, grace


def fail_on_second(
    monkeypatch: pytest.MonkeyPatch, tk: Timekeeper, method: str
) -> list[tuple[object, ...]]:
    """The store's ``method`` works once, then fails like a full disk."""
    real = getattr(tk.store, method)
    calls: list[tuple[object, ...]] = []

    def flaky(*args: object) -> object:
        calls.append(args)
        if len(calls) == 2:
            raise StoreError("The disk is full: the change was not saved.")
        return real(*args)

    monkeypatch.setattr(tk.store, method, flaky)
    return calls


def running(tk: Timekeeper) -> set[tuple[int, str]]:
    return {(s.visit_id, s.code) for s in tk.store.running_segments()}


def test_stop_all_stops_every_open_visits_timers_in_one_event() -> None:
    clock = FakeClock(MORNING)
    tk, ada, grace = three_timers(clock)
    before = events(tk)
    stopped = tk.stop_all()
    assert set(stopped) == {(ada, "97012"), (ada, "97110"), (grace, "97530")}
    assert events(tk) == before + 1
    assert running(tk) == set()
    clock.advance(minutes=5)
    assert seconds(tk, "97110", ada) == seconds(tk, "97530", grace) == 10 * 60
    stops = [e for e in tk.store.audit_trail() if e.action == "timer_stop"]
    assert sorted((e.visit_id, e.code, e.after["why"]) for e in stops) == [
        (ada, "97012", "stop"),
        (ada, "97110", "stop"),
        (grace, "97530", "stop"),
    ]


def test_stop_all_with_nothing_running_stops_nothing() -> None:
    tk = keeper()
    tk.new_visit("Ada")
    assert tk.stop_all() == ()


def test_a_disk_error_in_stop_all_leaves_every_timer_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(MORNING)
    tk, ada, grace = three_timers(clock)
    trail = len(tk.store.audit_trail())
    before = events(tk)
    calls = fail_on_second(monkeypatch, tk, "close_segment")
    with pytest.raises(StoreError, match="disk is full"):
        tk.stop_all()
    assert len(calls) == 2
    assert running(tk) == {(ada, "97012"), (ada, "97110"), (grace, "97530")}
    assert len(tk.store.audit_trail()) == trail
    assert events(tk) == before
    monkeypatch.undo()
    assert len(tk.stop_all()) == 3  # the next try does it all


def slept_thirty_minutes(clock: FakeClock, tk: Timekeeper) -> int:
    clock.suspend(minutes=30)
    jump = tk.check_clock()
    assert jump is not None and jump.kind.value == "suspend"
    return int(jump.seconds)


def test_discarding_a_sleep_takes_it_off_every_timer_and_stops_them() -> None:
    clock = FakeClock(MORNING)
    tk, ada, grace = three_timers(clock)
    gap = slept_thirty_minutes(clock, tk)
    before = events(tk)
    done = tk.discard_sleep(gap, keep_running=False)
    assert set(done) == {(ada, "97012"), (ada, "97110"), (grace, "97530")}
    assert events(tk) == before + 1
    assert running(tk) == set()
    clock.advance(minutes=5)
    assert seconds(tk, "97012", ada) == seconds(tk, "97530", grace) == 10 * 60
    adjustments = tk.store.adjustments(ada) + tk.store.adjustments(grace)
    assert {(a.seconds, a.reason) for a in adjustments} == {(-30 * 60, SLEEP_DISCARDED)}
    corrections = [e for e in tk.store.audit_trail() if e.action == "correction"]
    assert len(corrections) == 3
    assert corrections[0].before == {"seconds": 40 * 60}
    assert corrections[0].after["seconds"] == 10 * 60
    assert corrections[0].after["reason"] == SLEEP_DISCARDED


def test_discarding_a_sleep_can_keep_the_timers_running() -> None:
    clock = FakeClock(MORNING)
    tk, ada, grace = three_timers(clock)
    gap = slept_thirty_minutes(clock, tk)
    tk.discard_sleep(gap, keep_running=True)
    assert running(tk) == {(ada, "97012"), (ada, "97110"), (grace, "97530")}
    clock.advance(minutes=2)
    assert seconds(tk, "97110", ada) == 12 * 60
    assert "timer_stop" not in [e.action for e in tk.store.audit_trail()]


def test_a_sleep_is_never_taken_below_zero() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=4)
    tk.discard_sleep(10 * 60, keep_running=False)  # a timer started after the sleep began
    assert seconds(tk, "97110", visit) == 0
    (adjustment,) = tk.store.adjustments(visit)
    assert adjustment.seconds == -4 * 60


def test_a_negative_sleep_is_refused() -> None:
    tk = keeper()
    tk.new_visit("Ada")
    tk.start("97110")
    with pytest.raises(TimekeeperError):
        tk.discard_sleep(-60, keep_running=False)
    assert len(tk.store.running_segments()) == 1


@pytest.mark.parametrize(
    ("method", "keep_running"), [("close_segment", False), ("add_adjustment", True)]
)
def test_a_disk_error_in_discard_sleep_leaves_nothing_half_applied(
    monkeypatch: pytest.MonkeyPatch, method: str, keep_running: bool
) -> None:
    clock = FakeClock(MORNING)
    tk, ada, grace = three_timers(clock)
    gap = slept_thirty_minutes(clock, tk)
    trail = len(tk.store.audit_trail())
    calls = fail_on_second(monkeypatch, tk, method)
    with pytest.raises(StoreError, match="disk is full"):
        tk.discard_sleep(gap, keep_running)
    assert len(calls) == 2
    assert running(tk) == {(ada, "97012"), (ada, "97110"), (grace, "97530")}
    assert tk.store.adjustments(ada) == tk.store.adjustments(grace) == []
    assert len(tk.store.audit_trail()) == trail
    assert seconds(tk, "97110", ada) == 40 * 60


def test_the_event_is_timed_once() -> None:
    """Every line of one discard carries the same moment (one event, one ``now``)."""
    clock = FakeClock(MORNING)
    tk, _, _ = three_timers(clock)
    tk.discard_sleep(slept_thirty_minutes(clock, tk), keep_running=False)
    moments: set[datetime] = {
        e.at for e in tk.store.audit_trail() if e.action in ("correction", "timer_stop")
    }
    assert len(moments) == 1
