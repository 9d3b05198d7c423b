"""Manual corrections: new records with a reason, never rewrites, never below zero."""

from __future__ import annotations

import pytest

from ptclock.timekeeper import TimekeeperError
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, keeper, seconds


def test_add_and_remove_minutes_with_a_reason() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=10)
    tk.add_minutes("97110", 5, "started the timer late")
    assert seconds(tk, "97110") == 900
    tk.add_minutes("97110", -3, "patient rested")
    assert seconds(tk, "97110") == 720
    (first, second) = tk.store.adjustments(visit)
    assert (first.seconds, first.reason) == (300, "started the timer late")
    assert (second.seconds, second.reason) == (-180, "patient rested")
    assert [e.action for e in tk.store.audit_trail(visit)][-2:] == ["correction", "correction"]
    assert tk.store.audit_trail(visit)[-1].before == {"seconds": 900}


def test_correction_on_a_code_never_timed() -> None:
    tk = keeper()
    tk.new_visit("Ada")
    tk.add_minutes("97140", 8, "forgot to start the timer")
    assert tk.tally().code("97140").units == 1


def test_a_code_never_goes_below_zero() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=12, seconds=30)
    with pytest.raises(TimekeeperError, match=r"below zero: it has 12:30"):
        tk.add_minutes("97110", -13, "wrong")
    assert tk.store.adjustments(visit) == []
    tk.add_minutes("97110", -12, "most of it was rest")
    assert seconds(tk, "97110") == 30


def test_move_time_between_codes() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=20)
    tk.stop()
    tk.move_minutes("97110", "97530", 12, "functional lifting, not exercise")
    tally = tk.tally(visit)
    assert (tally.code("97110").seconds, tally.code("97530").seconds) == (480, 720)
    pair = tk.store.adjustments(visit)
    assert pair[1].transfer_id == pair[0].id
    with pytest.raises(TimekeeperError, match="has only 8:00"):
        tk.move_minutes("97110", "97530", 9, "again")
    with pytest.raises(TimekeeperError, match="to itself"):
        tk.move_minutes("97110", "97110", 1, "same")


@pytest.mark.parametrize(("minutes", "reason"), [(5, ""), (5, "   "), (0, "why"), (2000, "why")])
def test_bad_corrections_change_nothing(minutes: int, reason: str) -> None:
    tk = keeper()
    visit = tk.new_visit("Ada")
    with pytest.raises(TimekeeperError):
        tk.add_minutes("97110", minutes, reason)
    assert tk.store.adjustments(visit) == []


def test_corrections_are_allowed_after_the_visit_ended() -> None:
    tk = keeper()
    visit = tk.new_visit("Ada")
    tk.end()
    tk.add_minutes("97110", 10, "documented on paper during the outage", visit)
    assert tk.tally(visit).code("97110").units == 1


def test_notes_for_the_documentation() -> None:
    tk = keeper()
    visit = tk.new_visit("Ada")
    tk.set_code_note("97110", body_part="left knee", exercises="SLR 3x10, 2 lb")
    tk.set_code_note("97110", goal="climb stairs to her apartment")
    tk.set_visit_note("Tolerated well.\nProgress next visit.")
    (note,) = tk.store.code_notes(visit)
    assert (note.body_part, note.exercises, note.goal) == (
        "left knee",
        "SLR 3x10, 2 lb",
        "climb stairs to her apartment",
    )
    assert tk.visit(visit).note == "Tolerated well.\nProgress next visit."
