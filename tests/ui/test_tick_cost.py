"""What the window's one-second tick costs the controller (issue 15), and that it is exact.

Per tick: one ``PRAGMA data_version``, no read of the visit's record, and, within a minute,
neither the billing nor the claim computed again; yet the tally shown every second, and
the claim, equal a full recompute from the store. Counted by wrapping the store and the
functions that compute; never timed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ptclock.claim_desk
import ptclock.timekeeper
import ptclock.timing.tally
import ptclock.ui.controller
from ptclock.billing import bill
from ptclock.claim_desk import claim_for_visit_id
from ptclock.settings import Settings
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, Performer
from ptclock.timing.tally import VisitTally, tally
from ptclock.ui.controller import SessionController
from tests.helpers import CATALOG, MORNING, keeper

Counts = Counter[str]


def full_recompute(tk: Timekeeper, visit_id: int) -> VisitTally:
    """The visit's tally from its record read afresh, as if nothing were cached."""
    record = tk.store.record(visit_id)
    assert record is not None
    return tally(record, tk.clock.now(), CATALOG, tk.settings.long_timer_minutes)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    """Full tallies, billings and claims computed, counted as they happen."""
    counted: Counts = Counter()

    def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(ptclock.ui.controller, "tally", counting("tally", tally))
    monkeypatch.setattr(ptclock.timekeeper, "tally", counting("keeper tally", tally))
    monkeypatch.setattr(ptclock.timing.tally, "bill", counting("billing", bill))
    monkeypatch.setattr(
        ptclock.claim_desk, "claim_for_visit_id", counting("claim", claim_for_visit_id)
    )
    return counted


def count_store(tk: Timekeeper, counted: Counts, monkeypatch: pytest.MonkeyPatch) -> None:
    """Count the store's PRAGMA data_version and its reads of a visit's record."""
    for name, counted_as in (("data_version", "pragma"), ("record", "record read")):
        original = getattr(tk.store, name)

        def wrapper(*args: Any, _original: Any = original, _as: str = counted_as) -> Any:
            counted[_as] += 1
            return _original(*args)

        monkeypatch.setattr(tk.store, name, wrapper)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def tk(clock: FakeClock, tmp_path: Path) -> Iterator[Timekeeper]:
    made = keeper(clock, path=tmp_path / "ptclock.sqlite3")
    yield made
    made.store.close()


class Window:
    """What the window does with the controller every second: redraw the time from the
    tally it is handed, with the claim (``MainWindow.redraw_time``), or within a minute
    only the clocks (``MainWindow.redraw_seconds``)."""

    def __init__(self, controller: SessionController) -> None:
        self.controller = controller
        self.ticked: list[VisitTally] = []
        """Every tally a tick handed the window, by either signal."""
        self.full = self.seconds_only = self.changed = 0
        controller.ticked.connect(self.redraw_time)
        controller.seconds_moved.connect(self.redraw_seconds)
        controller.changed.connect(self.redraw)

    def redraw_time(self, shown: VisitTally) -> None:
        self.ticked.append(shown)
        self.full += 1
        self.controller.review(shown)
        self.controller.running_elsewhere(self.controller.visit_id)

    def redraw_seconds(self, shown: VisitTally) -> None:
        self.ticked.append(shown)
        self.seconds_only += 1

    def redraw(self) -> None:
        self.changed += 1
        self.controller.review()


def tick(clock: FakeClock, controller: SessionController, seconds: int = 1) -> None:
    clock.advance(seconds)
    controller.refresh()


def test_a_tick_within_a_minute_costs_one_pragma_and_no_recompute(
    qapp: object,
    clock: FakeClock,
    tk: Timekeeper,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visit_id = tk.new_visit("Ada", Payer.MEDICARE)
    clock.advance(20)  # the code's minutes and the clock's minutes turn at different ticks
    tk.start("97110")
    controller = SessionController(tk)
    window = Window(controller)
    tick(clock, controller)  # the first tick reads what the window opened on
    count_store(tk, counts, monkeypatch)
    counts.clear()
    per_tick = []
    for _ in range(61):
        before = counts.copy()
        tick(clock, controller)
        per_tick.append(counts - before)
    assert len(window.ticked) == 62 and window.changed == 0
    # The first tick, and the two minute turns, redraw everything time moves; the other 59
    # seconds only the clocks.
    assert (window.full, window.seconds_only) == (3, 59)
    # Over 61 s: the code's whole minutes turned once (the tally billed again, and the claim
    # computed again), and the clock's minute once more (the claim's evidence shows clock
    # times to the minute). The claim desk tallies the claim's visits itself.
    assert counts["tally"] == 1
    assert counts["claim"] == 2
    assert counts["keeper tally"] == 2 and counts["billing"] == 1 + 2
    # Every other second: one PRAGMA, and nothing read or computed again.
    quiet = [spent for spent in per_tick if not spent["claim"]]
    assert len(quiet) == 59
    assert all(spent == Counter(pragma=1) for spent in quiet), quiet
    # (A claim computed again reads through the claim desk and the Timekeeper, which look
    # at data_version and the records themselves: twice a minute, not every second.)
    # What is shown after 61 ticks is what a full recompute gives.
    assert window.ticked[-1] == full_recompute(tk, visit_id)
    assert controller.review(window.ticked[-1]) == claim_for_visit_id(tk, visit_id)


def test_the_figures_shown_every_second_equal_a_full_recompute(
    qapp: object, clock: FakeClock, tk: Timekeeper, counts: Counts
) -> None:
    """Several codes, stopped and running, a PT assistant's and a student's time, a
    correction, and the long-timer reminder coming due: each second's tally, and the claim,
    are the ones computed from scratch."""
    tk.settings = Settings(long_timer_minutes=2)
    visit_id = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97140")
    clock.advance(7 * 60 + 13)
    tk.start("97110", performer=Performer.PTA)
    clock.advance(95)
    tk.start("97530", performer=Performer.STUDENT)
    clock.advance(40)
    tk.add_minutes("97140", 2, "documented on paper")
    tk.start("97110")  # a second block of 97110, performed by the PT
    controller = SessionController(tk)
    window = Window(controller)
    asked: list[str] = []
    controller.long_timer.connect(asked.append)
    for second in range(185):
        tick(clock, controller)
        shown = window.ticked[-1]
        assert shown == full_recompute(tk, visit_id), f"after {second + 1} s"
        assert controller.review(shown) == claim_for_visit_id(tk, visit_id)
    assert window.changed == 0
    assert asked == ["97110"]  # the reminder, once, when the second block passed 2 minutes
    assert counts["tally"] < 185 // 10  # billed again as whole minutes turn, not every second


def test_a_write_is_seen_on_the_next_tick(
    qapp: object,
    clock: FakeClock,
    tk: Timekeeper,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """This window's own click and another process's command both drop the cached record:
    the next figures come from the store again."""
    visit_id = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110")
    controller = SessionController(tk)
    window = Window(controller)
    tick(clock, controller)
    count_store(tk, counts, monkeypatch)
    counts.clear()

    assert controller.toggle("97140")  # a click: this process writes
    assert counts["record read"] >= 1  # the redraw it causes reads the new record
    assert controller.tally() == full_recompute(tk, visit_id)
    counts.clear()
    tick(clock, controller)
    assert counts == Counter(pragma=1)  # then the ticks are quiet again
    assert window.ticked[-1] == full_recompute(tk, visit_id)
    assert window.ticked[-1].running_codes == ("97140",)

    other = keeper(clock, path=tmp_path / "ptclock.sqlite3")  # `ptclock timer start` elsewhere
    other.start("97530", visit_id)
    other.store.close()
    changed = window.changed
    tick(clock, controller)
    assert window.changed == changed + 1  # another process wrote: a full redraw
    assert counts["record read"] >= 1
    shown = controller.tally()
    assert shown == full_recompute(tk, visit_id)
    assert shown is not None and shown.running_codes == ("97530",)
    counts.clear()
    tick(clock, controller)
    assert counts == Counter(pragma=1)


def test_outside_a_tick_the_controller_looks_again(
    qapp: object,
    clock: FakeClock,
    tk: Timekeeper,
    counts: Counts,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A click between ticks decides on what the store says now, not on the last tick's
    figures: a timer another process stopped a moment ago is started, not stopped."""
    visit_id = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110")
    controller = SessionController(tk)
    Window(controller)
    tick(clock, controller)
    other = keeper(clock, path=tmp_path / "ptclock.sqlite3")
    other.stop("97110", visit_id)
    other.store.close()
    assert controller.toggle("97110")
    shown = controller.tally()
    assert shown is not None and shown.running_codes == ("97110",)


def test_the_claim_follows_the_clock_to_the_minute(
    qapp: object, clock: FakeClock, tk: Timekeeper
) -> None:
    """97140 and 97530 in split blocks (the 59/XU evidence shows clock times to the
    minute): the claim shown every second is the one computed from scratch, as the running
    block passes a minute and the clock's minutes turn, neither on the code's minute."""
    visit_id = tk.new_visit("Ada", Payer.MEDICARE)
    clock.advance(17)
    tk.start("97140")
    clock.advance(14 * 60 + 9)
    tk.start("97530")
    clock.advance(15 * 60 + 31)
    tk.start("97140")  # a second block of 97140, 14 min 9 s already on the code
    controller = SessionController(tk)
    window = Window(controller)
    seen = set()
    for second in range(150):
        tick(clock, controller)
        claim = controller.review(window.ticked[-1])
        assert claim == claim_for_visit_id(tk, visit_id), f"after {second + 1} s"
        assert claim is not None
        seen.add(claim.edits)
    assert len(seen) > 2  # what the edit check says moved with the clock
