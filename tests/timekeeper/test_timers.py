"""Start, stop, switch, pause, end: time derived from timestamps and a fake clock."""

from __future__ import annotations

import pytest

from ptclock.billing import Rule
from ptclock.settings import Settings
from ptclock.timekeeper import TimekeeperError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, VisitStatus
from tests.helpers import MORNING, keeper, seconds


def test_start_stop_and_units() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110")
    clock.advance(minutes=33, seconds=20)
    assert seconds(tk, "97110") == 33 * 60 + 20
    assert tk.tally().code("97110").running
    tk.stop("97110")
    clock.advance(minutes=10)  # stopped: no more time
    line = tk.tally().code("97110")
    assert (line.seconds, line.minutes, line.units, line.running) == (2000, 33, 2, False)


def test_minutes_are_floored_never_rounded_up() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97140")
    clock.advance(minutes=7, seconds=59)
    tally = tk.tally()
    assert tally.code("97140").minutes == 7
    assert tally.billing.total_units == 0
    clock.advance(seconds=1)
    assert tk.tally().billing.total_units == 1


def test_one_on_one_switch_stops_the_running_code() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=33)
    started = tk.start("97140")
    assert started.stopped == ((visit, "97110"),)
    clock.advance(minutes=7)
    tally = tk.tally()
    assert tally.running_codes == ("97140",)
    assert [(c.code, c.minutes, c.units) for c in tally.codes] == [
        ("97110", 33, 2),
        ("97140", 7, 1),
    ]
    assert tally.billing.total_units == 3


def test_starting_the_running_code_again_changes_nothing() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97110")
    clock.advance(minutes=5)
    assert tk.start("97110").already_running
    clock.advance(minutes=5)
    assert seconds(tk, "97110") == 600
    assert len(tk.store.segments(tk.visit().id)) == 1


def test_one_therapist_cannot_bill_two_patients_for_one_minute() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    first = tk.new_visit("Ada")
    second = tk.new_visit("Grace")
    tk.start("97110", first)
    clock.advance(minutes=10)
    started = tk.start("97530", second)
    assert started.stopped == ((first, "97110"),)
    clock.advance(minutes=10)
    assert tk.tally(first).running_codes == ()
    assert seconds(tk, "97110", first) == 600
    assert seconds(tk, "97530", second) == 600


def test_other_therapists_timers_keep_running() -> None:
    clock = FakeClock(MORNING)
    store_keeper = keeper(clock, settings=Settings(provider="PT Jones"))
    jones = store_keeper.new_visit("Ada")
    smith_keeper = keeper(clock, store=store_keeper.store, settings=Settings(provider="PT Smith"))
    smith = smith_keeper.new_visit("Grace")
    store_keeper.start("97110", jones)
    smith_keeper.start("97140", smith)
    assert store_keeper.tally(jones).running_codes == ("97110",)


def test_concurrent_visit_keeps_its_timers_running() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", concurrent=True)
    tk.start("97012")  # mechanical traction, supervised
    tk.start("97110")
    clock.advance(minutes=15)
    tally = tk.tally(visit)
    assert set(tally.running_codes) == {"97012", "97110"}
    assert tally.billing.treatment_minutes == 30
    assert tally.billing.timed_minutes == 15


def test_pause_and_resume_restart_what_was_running() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    tk.new_visit("Ada")
    tk.start("97116")
    clock.advance(minutes=10)
    tk.pause()
    assert tk.visit().status is VisitStatus.PAUSED
    clock.advance(minutes=20)  # the patient went to the restroom
    assert seconds(tk, "97116") == 600
    with pytest.raises(TimekeeperError, match="already paused"):
        tk.pause()
    tk.resume()
    clock.advance(minutes=5)
    tally = tk.tally()
    assert tally.running_codes == ("97116",)
    assert tally.code("97116").seconds == 900


def test_end_stops_everything_and_freezes_the_visit() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada")
    tk.start("97530")
    clock.advance(minutes=23)
    tk.end()
    clock.advance(minutes=30)
    tally = tk.tally(visit)
    assert tally.record.visit.status is VisitStatus.ENDED
    assert tally.running_codes == ()
    assert tally.code("97530").units == 2
    assert tally.elapsed_seconds == 23 * 60
    with pytest.raises(TimekeeperError, match="has ended"):
        tk.start("97110", visit)
    with pytest.raises(TimekeeperError, match="no visit is open"):
        tk.start("97110")


def test_stop_with_nothing_running_is_an_error_that_changes_nothing() -> None:
    tk = keeper()
    tk.new_visit("Ada")
    trail = len(tk.store.audit_trail())
    with pytest.raises(TimekeeperError, match="no timer is running"):
        tk.stop()
    with pytest.raises(TimekeeperError, match="97110 is not running"):
        tk.stop("97110")
    assert len(tk.store.audit_trail()) == trail


def test_payer_picks_the_rule_and_the_visit_can_override() -> None:
    tk = keeper()
    assert tk.visit(tk.new_visit("Ada", Payer.MEDICARE)).rule is Rule.CMS
    assert tk.visit(tk.new_visit("Grace", Payer.COMMERCIAL)).rule is Rule.AMA
    override = tk.new_visit("Grace", rule=Rule.CMS)
    assert tk.visit(override).rule is Rule.CMS
    assert tk.visit(override).payer is Payer.COMMERCIAL  # remembered from her first visit
    tk.set_rule(Rule.AMA, override)
    assert tk.visit(override).rule is Rule.AMA
    assert tk.store.audit_trail(override)[-1].after == {"rule": "ama"}


def test_same_minutes_under_the_two_rules() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97110", 33, "timer forgotten")
    tk.add_minutes("97140", 7, "timer forgotten")
    assert tk.tally(visit).billing.total_units == 3
    tk.set_rule(Rule.AMA, visit)
    assert tk.tally(visit).billing.total_units == 2


@pytest.mark.parametrize("name", ["", "   ", "Ada\x00", "A" * 301])
def test_bad_patient_names_change_nothing(name: str) -> None:
    tk = keeper()
    with pytest.raises(TimekeeperError):
        tk.new_visit(name)
    assert tk.store.open_visits() == []


def test_names_as_written_are_kept() -> None:
    tk = keeper()
    name = "Zoë O'Brien-<Ünal> & שרה 🙂"
    assert tk.visit(tk.new_visit(name)).patient == name
