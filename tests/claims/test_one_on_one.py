"""Issue 13, defect 3: concurrent timers never bill one clock minute under two timed codes.

Source: CMS Pub. 100-04 ch. 5 §20.2 (minutes of timed services) and Pub. 100-02 ch. 15
§220.3 ("total timed code treatment minutes"): timed codes count one-on-one minutes, so an
overlapping second is counted once — here for the code whose timer was already running (see
ptclock/claims/one_on_one.py for why). Untimed codes are billed once per session and are not
affected. The PT and the PTA together on one code: the PT's time (APTA's PTA-modifier guide).
"""

from __future__ import annotations

from ptclock.claims import build_claims
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Performer
from tests.claims.conftest import RULES, Cli, claim, claims, day, line, record, tally_of


def test_two_codes_running_together_for_30_minutes_bill_30_minutes(
    cli: Cli, clock: FakeClock
) -> None:
    # The reproduction: 97110 and 97112 both running for 30 minutes were 60 timed
    # minutes and 4 units. 30 one-on-one minutes are 2 units; the second goes to 97110,
    # whose timer was started first.
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97110")
    cli("timer", "start", "97112")
    clock.advance(minutes=30)
    cli("timer", "stop")
    assert claims(cli) == day(
        claim(
            [1],
            [line("97110", ["GP"], 2, 30)],
            [
                "97110 and 97112 ran at the same time for 30 min: counted once, for the code "
                "whose timer was already running — if those minutes belong to the other code, "
                "move them with a reason (Visit → Correct time…)."
            ],
        )
    )


def test_a_partial_overlap_is_counted_once_for_the_code_already_running(
    cli: Cli, clock: FakeClock
) -> None:
    # 97110 10:00–10:20, 97112 10:10–10:30: 10:10–10:20 is 97110's (started first), so
    # 97110 has 20 minutes and 97112 10 — 30 timed minutes, 2 units (CMS: 97110's full unit,
    # then the second unit to 97112's 10 remaining minutes over 97110's 5).
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97110")
    clock.advance(minutes=10)
    cli("timer", "start", "97112")
    clock.advance(minutes=10)
    cli("timer", "stop", "97110")
    clock.advance(minutes=10)
    cli("timer", "stop", "97112")
    assert claims(cli) == day(
        claim(
            [1],
            [line("97110", ["GP"], 1, 20), line("97112", ["GP"], 1, 10)],
            [
                "97110 and 97112 ran at the same time for 10 min: counted once, for the code "
                "whose timer was already running — if those minutes belong to the other code, "
                "move them with a reason (Visit → Correct time…)."
            ],
        )
    )


def test_untimed_codes_are_not_affected_by_overlap(cli: Cli, clock: FakeClock) -> None:
    # Unattended modalities run beside timed work: 97012 is untimed (one unit per session).
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97012")
    cli("timer", "start", "97110")
    clock.advance(minutes=15)
    cli("timer", "stop")
    assert claims(cli) == day(
        claim([1], [line("97012", ["GP"], 1, 15), line("97110", ["GP"], 1, 15)])
    )


def test_the_same_patients_overlapping_visits_count_a_minute_once() -> None:
    # Two visits of one patient that ran at once (two providers' visits, say): 97110
    # 10:00–10:30 in visit 1 and 10:10–10:30 in visit 2. Counted twice: 50 minutes, 3 units;
    # one-on-one: 30 minutes, 2 units.
    first = record(1, [(1, "97110", 0, 30)])
    second = record(2, [(2, "97110", 10, 30)], started=10)
    (found,) = build_claims([tally_of(first), tally_of(second)], RULES)
    assert [(x.code, x.modifiers, x.units, x.minutes) for x in found.lines] == [
        ("97110", ("GP",), 2, 30)
    ]
    assert found.warnings == (
        "97110 ran in two visits at the same time for 20 min: counted once, in the visit whose "
        "timer was already running — nothing to change.",
    )


def test_pt_and_pta_together_on_one_code_is_the_pts_time() -> None:
    # APTA, "Quick Guide to Using the PTA Modifier": report the units without CQ "because
    # the PT furnished both units in whole while assisted by the PTA". The PTA alone
    # 10:00–10:05, then the PT with the PTA until 10:30: 25 PT minutes and 5 PTA minutes
    # (5 of the final unit's 15, more than 10%, but the PT furnished 10 of them: 8 or more).
    visit = record(
        1,
        [(1, "97112", 0, 30, Performer.PTA), (2, "97112", 5, 30, Performer.PT)],
        concurrent=True,
    )
    (found,) = build_claims([tally_of(visit)], RULES)
    assert [(x.code, x.modifiers, x.units, x.minutes) for x in found.lines] == [
        ("97112", ("GP",), 2, 30)
    ]
    assert found.warnings == ()
