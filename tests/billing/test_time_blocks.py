"""Distinct time blocks, the evidence for 59/XU: distinct, touching, split, overlapping."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ptclock.billing.time_blocks import BlockKind, check_blocks, span_list, zero_length

ZONE = ZoneInfo("America/New_York")
TEN = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York


def at(minutes: int) -> datetime:
    return TEN + timedelta(minutes=minutes)


def block(start: int, end: int) -> tuple[datetime, datetime]:
    return (at(start), at(end))


def test_distinct_blocks() -> None:
    check = check_blocks("97530", [block(2, 17)], "97140", [block(20, 35)], ZONE)
    assert check.kind is BlockKind.DISTINCT and check.supportable
    assert check.message == "separate time blocks: 97530 at 10:02–10:17; 97140 at 10:20–10:35"
    assert check.evidence == "97530 at 10:02–10:17; 97140 at 10:20–10:35"


def test_touching_blocks_are_still_distinct() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [block(15, 30)], ZONE)
    assert check.kind is BlockKind.TOUCHING and check.supportable


def test_overlapping_blocks() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [block(10, 25)], ZONE)
    assert check.kind is BlockKind.OVERLAPPING and not check.supportable
    assert check.message.startswith("overlapping time blocks: ")
    assert check.problem == "they overlapped 10:10–10:15"


def test_an_overlap_under_a_minute_is_never_shown_as_a_zero_length_block() -> None:
    # 30 seconds of overlap would read "10:09–10:09": it is said in words instead.
    late = (at(9) + timedelta(seconds=30), at(20))
    check = check_blocks("97140", [block(0, 10)], "97530", [late], ZONE)
    assert check.kind is BlockKind.OVERLAPPING
    assert check.problem == "they overlapped for under a minute at 10:09"
    assert "10:09–10:09" not in check.message


def test_split_blocks_are_distinct_as_in_cms_example_9() -> None:
    # CMS "Proper Use of Modifier 59", Example 9: manual therapy 10 minutes, therapeutic
    # activities 15 minutes, manual therapy another 5 minutes: 59 may be reported.
    check = check_blocks("97140", [block(0, 10), block(25, 30)], "97530", [block(10, 25)], ZONE)
    assert check.kind is BlockKind.SPLIT and check.supportable
    assert check.message == (
        "split time blocks: 97140 at 10:00–10:10 and 10:25–10:30; 97530 at 10:10–10:25"
    )


def test_no_minimum_length_per_block() -> None:
    # No source sets one (Example 9's last block is 5 minutes).
    check = check_blocks("97530", [block(0, 15)], "97140", [block(20, 26)], ZONE)
    assert check.kind is BlockKind.DISTINCT and check.supportable


def test_a_block_across_the_fall_back_hour_never_ends_before_it_begins() -> None:
    # 2026-11-01: New York falls back from 02:00 EDT to 01:00 EST.
    start = datetime(2026, 11, 1, 5, 50, tzinfo=timezone.utc)  # 01:50 EDT
    end = datetime(2026, 11, 1, 6, 10, tzinfo=timezone.utc)  # 01:10 EST
    later = datetime(2026, 11, 1, 6, 30, tzinfo=timezone.utc)  # 01:30 EST
    check = check_blocks("97530", [(start, end)], "97140", [(end, later)], ZONE)
    assert check.message == (
        "separate time blocks: 97530 at 01:50 EDT–01:10 EST; 97140 at 01:10–01:30"
    )


def test_split_segments_of_one_code_count_as_one_block() -> None:
    check = check_blocks("97530", [block(0, 5), block(5, 15)], "97140", [block(20, 30)], ZONE)
    assert check.kind is BlockKind.DISTINCT


def test_time_only_from_corrections_is_no_evidence() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [], ZONE)
    assert check.kind is BlockKind.NOT_TIMED and not check.supportable


def test_a_timer_run_under_a_minute_is_no_evidence() -> None:
    # Started and stopped at once, the minutes then entered as a correction: the seconds of
    # clock time show no treatment (and "10:00–10:00" would read as a block).
    blink = (at(0), at(0) + timedelta(seconds=20))
    check = check_blocks("97140", [blink], "97530", [block(1, 21)], ZONE)
    assert check.kind is BlockKind.NOT_TIMED and not check.supportable
    assert "97140 was never timed for a full minute" in check.message
    assert "10:00–10:00" not in check.message


def test_blocks_that_show_little_of_the_billed_time_are_no_evidence() -> None:
    # ptclock's conservative reading: 2 minutes on the clock cannot show that 14 billed
    # minutes (12 of them corrections) were a distinct block.
    check = check_blocks(
        "97140",
        [block(0, 2)],
        "97530",
        [block(3, 18)],
        ZONE,
        {"97140": 14, "97530": 15},
    )
    assert check.kind is BlockKind.NOT_TIMED and not check.supportable
    assert check.problem == (
        "only 2 of 97140's 14 minutes were timed (the rest come from corrections)"
    )
    # Half or more on the clock still counts.
    fair = check_blocks(
        "97140", [block(0, 7)], "97530", [block(8, 23)], ZONE, {"97140": 14, "97530": 15}
    )
    assert fair.supportable


def test_zero_length_blocks_are_never_listed() -> None:
    # Start and end in the same minute read as "14:42–14:42": no time to show.
    same = (at(0) + timedelta(seconds=5), at(0) + timedelta(seconds=50))
    assert zero_length(*same, ZONE)
    assert not zero_length(*block(0, 1), ZONE)
    assert span_list([same, block(2, 17)], ZONE) == "10:02–10:17"
    assert span_list([block(0, 5), same, block(10, 15), block(20, 25)], ZONE) == (
        "10:00–10:05, 10:10–10:15 and 10:20–10:25"
    )
