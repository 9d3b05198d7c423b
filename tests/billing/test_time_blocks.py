"""Distinct time blocks, the evidence for 59/XU: distinct, touching, overlapping, interleaved."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ptclock.billing.time_blocks import BlockKind, check_blocks

ZONE = ZoneInfo("America/New_York")
TEN = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York


def at(minutes: int) -> datetime:
    return TEN + timedelta(minutes=minutes)


def block(start: int, end: int) -> tuple[datetime, datetime]:
    return (at(start), at(end))


def test_distinct_blocks() -> None:
    check = check_blocks("97530", [block(2, 17)], "97140", [block(20, 35)], ZONE)
    assert check.kind is BlockKind.DISTINCT and check.supportable
    assert check.message == "59/XU supportable: 10:02–10:17 vs 10:20–10:35"


def test_touching_blocks_are_still_distinct() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [block(15, 30)], ZONE)
    assert check.kind is BlockKind.TOUCHING and check.supportable


def test_overlapping_blocks() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [block(10, 25)], ZONE)
    assert check.kind is BlockKind.OVERLAPPING and not check.supportable
    assert check.message.startswith("not supportable: overlapping")


def test_interleaved_blocks() -> None:
    check = check_blocks("97530", [block(0, 9), block(18, 30)], "97140", [block(9, 18)], ZONE)
    assert check.kind is BlockKind.INTERLEAVED and not check.supportable
    assert check.message == "not supportable: interleaved (10:00–10:09, 10:18–10:30 vs 10:09–10:18)"


def test_a_block_too_short_to_be_a_unit() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [block(20, 26)], ZONE)
    assert check.kind is BlockKind.TOO_SHORT and "10:20–10:26 is under 8 minutes" in check.message


def test_split_segments_of_one_code_count_as_one_block() -> None:
    check = check_blocks("97530", [block(0, 5), block(5, 15)], "97140", [block(20, 30)], ZONE)
    assert check.kind is BlockKind.DISTINCT


def test_time_only_from_corrections_is_no_evidence() -> None:
    check = check_blocks("97530", [block(0, 15)], "97140", [], ZONE)
    assert check.kind is BlockKind.NOT_TIMED and not check.supportable
