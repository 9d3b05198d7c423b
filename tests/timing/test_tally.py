"""tally.py: seconds, minutes and units per code, derived from segments and corrections."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptclock.billing import Rule, UnknownCodeError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Adjustment, Performer, Segment, VisitStatus
from ptclock.timing.tally import (
    DEFAULT_LONG_TIMER_MINUTES,
    TimeBlock,
    VisitTally,
    code_seconds,
    codes_in_order,
    moved_on,
    tally,
)
from tests.timing.builders import CATALOG, MORNING, adjustment, at, record, segment, visit


def tally_at(
    *segments: Segment, now: datetime, adjustments: tuple[Adjustment, ...] = ()
) -> VisitTally:
    return tally(record(*segments, adjustments=adjustments), now, CATALOG)


# -- seconds per code ---------------------------------------------------------------------


def test_a_codes_seconds_add_up_its_segments_and_no_other_codes() -> None:
    # 97110: 10:00:00-10:08:20 (8 min 20 s) + 10:20:00-10:26:40 (6 min 40 s) = 900 s.
    # 97140 in between: 10:08:20-10:20:00 = 11 min 40 s = 700 s.
    result = tally_at(
        segment(1, "97110", at(0), at(8, 20)),
        segment(2, "97140", at(8, 20), at(20)),
        segment(3, "97110", at(20), at(26, 40)),
        now=at(30),
    )
    exercise, manual = result.code("97110"), result.code("97140")
    assert (exercise.seconds, exercise.minutes) == (900, 15)
    assert (manual.seconds, manual.minutes) == (700, 11)
    # CMS: 15 + 11 = 26 timed minutes -> 2 units; 97110 has one full unit, 97140's 11
    # remaining minutes take the second.
    assert (exercise.units, manual.units) == (1, 1)
    assert (result.billing.timed_minutes, result.billing.total_units) == (26, 2)


def test_a_running_segment_counts_up_to_now() -> None:
    clock = FakeClock(MORNING)
    running = segment(1, "97110", clock.now())
    clock.advance(minutes=12, seconds=30)
    line = tally_at(running, now=clock.now()).code("97110")
    assert (line.seconds, line.minutes, line.running, line.running_since) == (
        750,
        12,
        True,
        MORNING,
    )
    clock.advance(seconds=30)
    assert tally_at(running, now=clock.now()).code("97110").seconds == 780


def test_a_stopped_segment_no_longer_counts() -> None:
    result = tally_at(segment(1, "97110", at(0), at(10)), now=at(300))
    line = result.code("97110")
    assert (line.seconds, line.running, line.running_since) == (600, False, None)
    assert result.running_codes == ()


@pytest.mark.parametrize(
    ("length", "minutes", "units"),
    [
        (timedelta(minutes=7, seconds=59), 7, 0),
        (timedelta(minutes=7, seconds=59, microseconds=999_999), 7, 0),
        (timedelta(minutes=8), 8, 1),
        (timedelta(minutes=22, seconds=59), 22, 1),
        (timedelta(minutes=23), 23, 2),
    ],
)
def test_minutes_are_whole_minutes_floored_never_rounded_up(
    length: timedelta, minutes: int, units: int
) -> None:
    line = tally_at(segment(1, "97110", at(0), at(0) + length), now=at(60)).code("97110")
    assert line.seconds == int(length.total_seconds())
    assert (line.minutes, line.units) == (minutes, units)


def test_fractions_of_seconds_of_separate_segments_add_up() -> None:
    # 4:00.6 + 3:59.6 = 480.2 s of real treatment: 8 whole minutes, one unit.
    result = tally_at(
        segment(1, "97110", at(0), at(4, 0.6)),
        segment(2, "97110", at(10), at(13, 59.6)),
        now=at(20),
    )
    line = result.code("97110")
    assert (line.seconds, line.minutes, line.units) == (480, 8, 1)


def test_code_seconds_leaves_out_other_codes_and_students() -> None:
    segments = (
        segment(1, "97110", at(0), at(5)),  # 300 s
        segment(2, "97140", at(5), at(15)),  # another code
        segment(3, "97110", at(15), at(17), performer=Performer.STUDENT),  # not billable
        segment(4, "97110", at(17), None, performer=Performer.PTA),  # running: 3 min to now
    )
    adjustments = (adjustment(1, "97110", 60), adjustment(2, "97140", -60))
    # 300 + 180 + 60 = 540
    assert code_seconds("97110", segments, adjustments, at(20)) == 540


# -- the clock set back, corrections --------------------------------------------------------


def test_a_clock_set_back_never_gives_negative_time() -> None:
    # The timer started at 10:00, then the clock was set back to 9:00: no minus an hour.
    result = tally_at(segment(1, "97110", at(0)), now=at(-60))
    line = result.code("97110")
    assert (line.seconds, line.minutes, line.units) == (0, 0, 0)
    assert line.still_running_check is False
    assert result.elapsed_seconds == 0


def test_a_segment_ending_before_it_started_takes_nothing_from_the_others() -> None:
    # 10 min, then a segment 10:20 -> 10:15 (clock set back while it ran): 600 s, not 300.
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97110", at(20), at(15)),
        now=at(30),
    )
    assert result.code("97110").seconds == 600


def test_a_correction_adds_to_the_code_and_is_shown_apart() -> None:
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        now=at(20),
        adjustments=(adjustment(1, "97110", 300),),
    )
    line = result.code("97110")
    # 600 s timed + 300 s added = 900 s = 15 min
    assert (line.seconds, line.minutes, line.adjusted_seconds) == (900, 15, 300)


def test_a_correction_never_takes_a_code_below_zero_nor_touches_another() -> None:
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(10), at(18)),
        now=at(20),
        adjustments=(adjustment(1, "97110", -900),),
    )
    exercise = result.code("97110")
    assert (exercise.seconds, exercise.minutes, exercise.units) == (0, 0, 0)
    assert exercise.adjusted_seconds == -900  # what was typed is still shown
    assert result.code("97140").seconds == 480
    assert result.billing.total_units == 1


def test_corrections_are_summed_before_the_floor_at_zero() -> None:
    # 600 s timed, -900 then +600: 600 - 900 + 600 = 300 s (not max(0, -300) + 600 = 600).
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        now=at(20),
        adjustments=(adjustment(1, "97110", -900), adjustment(2, "97110", 600)),
    )
    assert result.code("97110").seconds == 300


def test_time_moved_between_codes_keeps_the_total() -> None:
    # 97110 20 min, 97140 5 min; 5 minutes moved from 97110 to 97140.
    moved = record(
        segment(1, "97110", at(0), at(20)),
        segment(2, "97140", at(20), at(25)),
        adjustments=(
            adjustment(1, "97110", -300, transfer_id=1),
            adjustment(2, "97140", 300, transfer_id=1),
        ),
    )
    cms = tally(moved, at(30), CATALOG)
    assert (cms.code("97110").seconds, cms.code("97140").seconds) == (900, 600)
    assert cms.billing.timed_minutes == 25  # as before the move
    assert cms.billing.total_units == 2  # CMS: 25 pooled minutes -> 2 units, before and after
    ama = tally(moved, at(30), CATALOG, rule=Rule.AMA)
    # AMA per code: 15 min -> 1 and 10 min -> 1 (before the move: 20 -> 1 and 5 -> 0).
    assert [line.units for line in ama.codes] == [1, 1]


def test_a_code_with_only_a_correction_is_listed() -> None:
    result = tally_at(now=at(20), adjustments=(adjustment(1, "97530", 900, made_at=at(5)),))
    line = result.code("97530")
    assert (line.seconds, line.minutes, line.units, line.running, line.blocks) == (
        900,
        15,
        1,
        False,
        (),
    )


# -- who performed it ------------------------------------------------------------------------


def test_student_time_is_shown_but_not_billed() -> None:
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97110", at(10), at(20), performer=Performer.STUDENT),
        segment(3, "97140", at(20), at(32), performer=Performer.STUDENT),
        now=at(40),
    )
    exercise, manual = result.code("97110"), result.code("97140")
    assert (exercise.seconds, exercise.student_seconds, exercise.units) == (600, 600, 1)
    assert (manual.seconds, manual.student_seconds, manual.units) == (0, 720, 0)
    assert result.billing.timed_minutes == 10


def test_assistant_time_is_billed_and_counted_apart() -> None:
    clock = FakeClock(MORNING)
    first = segment(1, "97110", clock.now(), at(10))
    clock.advance(minutes=10)
    second = segment(2, "97110", clock.now(), performer=Performer.PTA)
    clock.advance(minutes=5)
    line = tally_at(first, second, now=clock.now()).code("97110")
    # 10 min PT + 5 min PTA (still running) = 900 s, of which 300 s by the assistant.
    assert (line.seconds, line.assistant_seconds, line.student_seconds) == (900, 300, 0)


# -- the long timer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "running_for", "flagged"),
    [
        (None, timedelta(minutes=59, seconds=59), False),
        (None, timedelta(minutes=60), True),
        (45, timedelta(minutes=44, seconds=59), False),
        (45, timedelta(minutes=45), True),
    ],
)
def test_a_timer_running_the_long_timer_limit_is_pointed_out(
    limit: int | None, running_for: timedelta, flagged: bool
) -> None:
    # None: the default limit, an hour.
    visit_record, now = record(segment(1, "97110", at(0))), at(0) + running_for
    if limit is None:
        assert DEFAULT_LONG_TIMER_MINUTES == 60
        result = tally(visit_record, now, CATALOG)
    else:
        result = tally(visit_record, now, CATALOG, limit)
    assert result.code("97110").still_running_check is flagged
    assert result.still_running_checks == (("97110",) if flagged else ())


def test_the_long_timer_is_one_run_not_the_codes_total() -> None:
    # 40 min earlier plus 40 min running now: 80 min on the code, but no run of 60.
    result = tally_at(
        segment(1, "97110", at(0), at(40)),
        segment(2, "97110", at(50)),
        now=at(90),
    )
    line = result.code("97110")
    assert (line.seconds, line.running_since, line.still_running_check) == (4800, at(50), False)


def test_a_stopped_code_is_never_a_long_timer() -> None:
    line = tally_at(segment(1, "97110", at(0), at(90)), now=at(120)).code("97110")
    assert (line.seconds, line.still_running_check) == (5400, False)


def test_a_long_timer_is_flagged_never_cut() -> None:
    result = tally_at(segment(1, "97110", at(0)), now=at(180))
    line = result.code("97110")
    assert (line.seconds, line.minutes, line.still_running_check) == (10800, 180, True)
    # CMS: (180 - 8) // 15 + 1 = 12 units
    assert line.units == 12


@pytest.mark.parametrize(("minutes", "flagged"), [(24 * 60, False), (24 * 60 + 1, True)])
def test_more_than_a_day_on_a_code_is_pointed_out(minutes: int, flagged: bool) -> None:
    result = tally_at(segment(1, "97110", at(0)), now=at(minutes))
    assert result.code("97110").minutes == minutes
    assert result.over_a_day == (("97110",) if flagged else ())


# -- the visit -------------------------------------------------------------------------------


def test_the_visits_rule_is_used_unless_another_is_asked_for() -> None:
    # 97110 33 min + 97140 7 min.
    cms_visit = record(
        segment(1, "97110", at(0), at(33)),
        segment(2, "97140", at(33), at(40)),
        of=visit(rule=Rule.CMS),
    )
    cms = tally(cms_visit, at(45), CATALOG)
    # CMS: 40 pooled minutes -> 3 units: 97110 two full units, 97140's 7 minutes the third.
    assert (cms.rule, cms.billing.rule) == (Rule.CMS, Rule.CMS)
    assert [(line.code, line.units) for line in cms.codes] == [("97110", 2), ("97140", 1)]
    assert cms.billing.total_units == 3
    ama = tally(cms_visit, at(45), CATALOG, rule=Rule.AMA)
    # AMA: each code alone: 33 -> 2, 7 -> 0.
    assert (ama.rule, ama.billing.total_units) == (Rule.AMA, 2)
    ama_visit = record(*cms_visit.segments, of=visit(rule=Rule.AMA))
    assert tally(ama_visit, at(45), CATALOG).billing.total_units == 2


def test_an_untimed_code_is_one_unit_and_counts_toward_treatment_time_only() -> None:
    concurrent = visit(concurrent=True)
    result = tally(
        record(
            segment(1, "97012", at(0), at(15)),
            segment(2, "97110", at(0), at(15)),
            of=concurrent,
        ),
        at(20),
        CATALOG,
    )
    traction = result.code("97012")
    assert (traction.timed, traction.descriptor, traction.units) == (
        False,
        "Mechanical traction",
        1,
    )
    assert (result.billing.timed_minutes, result.billing.treatment_minutes) == (15, 30)
    assert result.billing.total_units == 2


def test_an_untimed_code_under_a_minute_is_no_unit() -> None:
    line = tally_at(segment(1, "97012", at(0), at(0, 59)), now=at(5)).code("97012")
    assert (line.seconds, line.minutes, line.units) == (59, 0, 0)


def test_elapsed_time_runs_from_the_visits_start_to_its_end_or_now() -> None:
    ended = visit(status=VisitStatus.ENDED, ended_at=at(45))
    assert tally(record(of=ended), at(300), CATALOG).elapsed_seconds == 45 * 60
    assert tally(record(), at(12, 5), CATALOG).elapsed_seconds == 12 * 60 + 5
    assert tally(record(), at(-1), CATALOG).elapsed_seconds == 0  # clock set back


def test_running_codes_of_a_concurrent_visit() -> None:
    result = tally(
        record(
            segment(1, "97012", at(0)),
            segment(2, "97110", at(5)),
            segment(3, "97140", at(0), at(5)),
            of=visit(concurrent=True),
        ),
        at(70),
        CATALOG,
    )
    assert result.running_codes == ("97012", "97110")
    # 97012 has run 70 minutes in one go, 97110 65: both past the hour.
    assert result.still_running_checks == ("97012", "97110")


def test_blocks_are_the_segments_of_the_code() -> None:
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(10), at(20)),
        segment(3, "97110", at(20)),
        now=at(25),
    )
    assert result.code("97110").blocks == (TimeBlock(at(0), at(10)), TimeBlock(at(20), None))


def test_asking_for_a_code_not_in_the_visit_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        tally_at(segment(1, "97110", at(0), at(10)), now=at(20)).code("97140")


def test_a_code_not_in_the_catalog_is_refused() -> None:
    with pytest.raises(UnknownCodeError):
        tally_at(segment(1, "99999", at(0), at(10)), now=at(20))


# -- the order of the codes --------------------------------------------------------------------


def test_codes_are_in_the_order_first_timed_or_corrected() -> None:
    visit_record = record(
        segment(1, "97140", at(0), at(10)),
        segment(2, "97110", at(10), at(20)),
        segment(3, "97140", at(20), at(30)),  # restarted later: stays first
        adjustments=(adjustment(1, "97530", 300, made_at=at(15)),),
    )
    assert codes_in_order(visit_record) == ["97140", "97110", "97530"]
    assert [line.code for line in tally(visit_record, at(40), CATALOG).codes] == [
        "97140",
        "97110",
        "97530",
    ]


def test_a_correction_made_before_a_codes_first_timer_places_the_code() -> None:
    visit_record = record(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(10), at(20)),
        adjustments=(adjustment(1, "97140", 120, made_at=at(5)),),
    )
    assert codes_in_order(visit_record) == ["97110", "97140"]
    earlier = record(
        *visit_record.segments, adjustments=(adjustment(1, "97140", 120, made_at=at(-5)),)
    )
    assert codes_in_order(earlier) == ["97140", "97110"]


def test_a_code_restarted_after_the_clock_was_set_back_keeps_its_place() -> None:
    # 97110 at 10:00, 97140 at 10:10, the clock set back an hour, 97140 again at 9:15
    # (handed over newest first: the place comes from the ids, not the order given).
    visit_record = record(
        segment(3, "97140", at(-45), at(-40)),
        segment(2, "97140", at(10), at(20)),
        segment(1, "97110", at(0), at(10)),
    )
    assert codes_in_order(visit_record) == ["97110", "97140"]


def test_a_code_corrected_again_after_the_clock_was_set_back_keeps_its_place() -> None:
    # 97530 corrected at 10:30 (correction 1), the clock set back an hour, corrected again
    # at 9:35 (correction 2): it stays behind 97110 (10:00) and 97140 (10:10).
    visit_record = record(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(10), at(20)),
        adjustments=(
            adjustment(2, "97530", 60, made_at=at(-25)),
            adjustment(1, "97530", 300, made_at=at(30)),
        ),
    )
    assert codes_in_order(visit_record) == ["97110", "97140", "97530"]


def test_a_code_first_timed_after_the_clock_was_set_back_stays_behind() -> None:
    # 97110 10:00-10:10 (segment 1); the clock set back an hour; 97140 at 9:10 (segment 2).
    visit_record = record(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(-50), at(-40)),
    )
    assert codes_in_order(visit_record) == ["97110", "97140"]


# -- 59/XU evidence: blocks in the order they happened ---------------------------------------


def _set_back_visit(concurrent: bool) -> VisitTally:
    # 97110 10:00-10:10, 97140 10:10-10:20, the clock set back an hour at 10:20,
    # 97110 9:20-9:30 (really 10:20-10:30), 97140 running since 9:30 (10:30); now 9:35.
    return tally(
        record(
            segment(1, "97110", at(0), at(10)),
            segment(2, "97140", at(10), at(20)),
            segment(3, "97110", at(-40), at(-30)),
            segment(4, "97140", at(-30)),
            of=visit(concurrent=concurrent),
        ),
        at(-25),
        CATALOG,
    )


def test_a_clock_set_back_loses_no_time() -> None:
    result = _set_back_visit(concurrent=False)
    # 97110: 600 + 600; 97140: 600 + 300 (9:30 to 9:35)
    assert (result.code("97110").seconds, result.code("97140").seconds) == (1200, 900)


def test_evidence_blocks_one_on_one_follow_on_after_a_clock_set_back() -> None:
    result = _set_back_visit(concurrent=False)
    assert result.evidence_intervals("97110") == [(at(0), at(10)), (at(20), at(30))]
    assert result.evidence_intervals("97140") == [(at(10), at(20)), (at(30), at(35))]


def test_evidence_blocks_follow_the_order_recorded_not_the_order_given() -> None:
    # The same records handed over in reverse: the order they happened is their ids'.
    in_order = _set_back_visit(concurrent=False).record
    reversed_record = record(*reversed(in_order.segments))
    result = tally(reversed_record, at(-25), CATALOG)
    assert result.evidence_intervals("97110") == [(at(0), at(10)), (at(20), at(30))]
    assert result.evidence_intervals("97140") == [(at(10), at(20)), (at(30), at(35))]


def test_evidence_blocks_one_on_one_without_a_clock_change_are_the_segments() -> None:
    result = tally_at(
        segment(1, "97110", at(0), at(10)),
        segment(2, "97140", at(15), at(25)),
        segment(3, "97110", at(25)),
        now=at(33),
    )
    assert result.evidence_intervals("97110") == [(at(0), at(10)), (at(25), at(33))]
    assert result.evidence_intervals("97140") == [(at(15), at(25))]


def test_evidence_blocks_of_a_concurrent_visit_are_as_recorded() -> None:
    result = _set_back_visit(concurrent=True)
    assert result.evidence_intervals("97110") == [(at(0), at(10)), (at(-40), at(-30))]
    assert result.evidence_intervals("97140") == [(at(10), at(20)), (at(-30), at(-25))]


# -- properties ------------------------------------------------------------------------------

properties = settings(max_examples=30, deadline=None)
"""Each example bills a whole visit: 30 keep the directory quick."""

CODES = ["97110", "97140", "97012"]
segment_specs = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.integers(-3600, 7200),  # start, seconds from MORNING
        st.one_of(st.none(), st.integers(-600, 3600)),  # length; None: running
        st.sampled_from(list(Performer)),
    ),
    max_size=8,
)
adjustment_specs = st.lists(st.tuples(st.sampled_from(CODES), st.integers(-3600, 3600)), max_size=4)


def build(
    segments: list[tuple[str, int, int | None, Performer]], adjustments: list[tuple[str, int]]
) -> tuple[tuple[Segment, ...], tuple[Adjustment, ...]]:
    built = tuple(
        segment(
            number,
            code,
            at(seconds=start),
            None if length is None else at(seconds=start + length),
            performer=performer,
        )
        for number, (code, start, length, performer) in enumerate(segments, start=1)
    )
    corrections = tuple(
        adjustment(number, code, seconds, made_at=at(seconds=number))
        for number, (code, seconds) in enumerate(adjustments, start=1)
    )
    return built, corrections


@properties
@given(segment_specs, adjustment_specs, st.integers(-3600, 10800))
def test_every_code_has_whole_non_negative_seconds_and_floored_minutes(
    segments: list[tuple[str, int, int | None, Performer]],
    adjustments: list[tuple[str, int]],
    now: int,
) -> None:
    built, corrections = build(segments, adjustments)
    result = tally(record(*built, adjustments=corrections), at(seconds=now), CATALOG)
    assert {line.code for line in result.codes} == {code for code, *_ in segments} | {
        code for code, _ in adjustments
    }
    for line in result.codes:
        assert line.seconds >= 0
        assert line.minutes == line.seconds // 60


@properties
@given(segment_specs, adjustment_specs, st.integers(-3600, 10800), st.integers(0, 7200))
def test_time_passing_never_lowers_a_code(
    segments: list[tuple[str, int, int | None, Performer]],
    adjustments: list[tuple[str, int]],
    now: int,
    later: int,
) -> None:
    built, corrections = build(segments, adjustments)
    visit_record = record(*built, adjustments=corrections)
    before = tally(visit_record, at(seconds=now), CATALOG)
    after = tally(visit_record, at(seconds=now + later), CATALOG)
    for line in before.codes:
        assert after.code(line.code).seconds >= line.seconds
    assert after.billing.total_units >= before.billing.total_units


@properties
@given(segment_specs, adjustment_specs, st.integers(0, 10800))
def test_student_segments_never_change_what_is_billed(
    segments: list[tuple[str, int, int | None, Performer]],
    adjustments: list[tuple[str, int]],
    now: int,
) -> None:
    built, corrections = build(segments, adjustments)
    with_students = tally(record(*built, adjustments=corrections), at(seconds=now), CATALOG)
    billable = tuple(seg for seg in built if seg.performer is not Performer.STUDENT)
    without = tally(record(*billable, adjustments=corrections), at(seconds=now), CATALOG)
    billed = {line.code: line.seconds for line in without.codes}
    for line in with_students.codes:
        assert line.seconds == billed.get(line.code, 0)  # a student-only code: 0
    assert with_students.billing.total_units == without.billing.total_units


@properties
@given(
    st.lists(st.tuples(st.sampled_from(CODES), st.integers(0, 3600)), max_size=8),
    st.integers(0, 3600),
)
def test_stopped_segments_sum_to_the_second(lengths: list[tuple[str, int]], gap: int) -> None:
    # Segments back to back with a gap, whole seconds each: a code's seconds is their sum.
    segments, start = [], 0
    for number, (code, length) in enumerate(lengths, start=1):
        segments.append(segment(number, code, at(seconds=start), at(seconds=start + length)))
        start += length + gap
    now = at(seconds=start + 600)
    for code in CODES:
        expected = sum(length for other, length in lengths if other == code)
        assert code_seconds(code, tuple(segments), (), now) == expected


@properties
@given(segment_specs, adjustment_specs, st.sampled_from(CODES), st.integers(1, 7200))
def test_a_correction_and_its_undoing_change_nothing(
    segments: list[tuple[str, int, int | None, Performer]],
    adjustments: list[tuple[str, int]],
    code: str,
    seconds: int,
) -> None:
    built, corrections = build(segments, adjustments)
    undone = (
        *corrections,
        adjustment(100, code, -seconds, made_at=at(200)),
        adjustment(101, code, seconds, made_at=at(201)),
    )
    now = at(180)
    for each in CODES:
        assert code_seconds(each, built, undone, now) == code_seconds(each, built, corrections, now)


@properties
@given(segment_specs, adjustment_specs, st.randoms(use_true_random=False))
def test_the_order_records_are_given_in_changes_nothing(
    segments: list[tuple[str, int, int | None, Performer]],
    adjustments: list[tuple[str, int]],
    random: Random,
) -> None:
    built, corrections = build(segments, adjustments)
    shuffled_segments, shuffled_corrections = list(built), list(corrections)
    random.shuffle(shuffled_segments)
    random.shuffle(shuffled_corrections)
    now = at(90)
    original = tally(record(*built, adjustments=corrections), now, CATALOG)
    shuffled = tally(
        record(*shuffled_segments, adjustments=tuple(shuffled_corrections)), now, CATALOG
    )
    assert [(c.code, c.seconds, c.units) for c in original.codes] == [
        (c.code, c.seconds, c.units) for c in shuffled.codes
    ]


def test_moving_a_tally_on_within_a_minute_equals_a_full_tally() -> None:
    # 97110 10:00-10:08:30 (stopped), 97140 running since 10:08:30, a PTA's 97530 since 10:00.
    visit_record = record(
        segment(1, "97110", at(0), at(8, 30)),
        segment(2, "97140", at(8, 30)),
        segment(3, "97530", at(0), performer=Performer.PTA),
    )
    before = tally(visit_record, at(9, 40), CATALOG)
    later = at(9, 55)  # 97140 1:10 -> 1:25, 97530 9:40 -> 9:55: no whole minute changes
    moved = moved_on(before, later, DEFAULT_LONG_TIMER_MINUTES)
    assert moved == tally(visit_record, later, CATALOG)
    assert moved is not None and moved.code("97140").seconds == 85
    # 97530 reaches 10:00, a new whole minute: the billing must be worked out again.
    assert moved_on(before, at(10), DEFAULT_LONG_TIMER_MINUTES) is None
