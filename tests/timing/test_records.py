"""records.py: what a visit is made of, as stored, and what is derived from it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

import pytest

from ptclock.billing import Rule
from ptclock.timing.records import (
    DEFAULT_RULES,
    ClockNote,
    Payer,
    Performer,
    VisitRecord,
    VisitStatus,
)
from tests.timing.builders import MORNING, adjustment, at, segment, visit

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("status", "is_open"),
    [(VisitStatus.OPEN, True), (VisitStatus.PAUSED, True), (VisitStatus.ENDED, False)],
)
def test_a_visit_is_open_until_it_has_ended(status: VisitStatus, is_open: bool) -> None:
    assert visit(status=status).is_open is is_open


def test_a_new_visit_is_one_on_one_with_nothing_paused() -> None:
    fresh = visit()
    assert (fresh.concurrent, fresh.paused_codes, fresh.ended_at) == (False, (), None)


def test_the_payer_picks_the_default_rule() -> None:
    assert DEFAULT_RULES == {
        Payer.MEDICARE: Rule.CMS,
        Payer.COMMERCIAL: Rule.AMA,
        Payer.OTHER: Rule.CMS,
    }


@pytest.mark.parametrize(
    ("stored", "member"),
    [
        ("open", VisitStatus.OPEN),
        ("paused", VisitStatus.PAUSED),
        ("ended", VisitStatus.ENDED),
        ("medicare", Payer.MEDICARE),
        ("commercial", Payer.COMMERCIAL),
        ("other", Payer.OTHER),
        ("PT", Performer.PT),
        ("PTA", Performer.PTA),
        ("student", Performer.STUDENT),
    ],
)
def test_stored_values_read_back_as_their_members(stored: str, member: Enum) -> None:
    # These strings are in every database written so far: renaming one loses records.
    assert type(member)(stored) is member


def test_a_segment_runs_until_it_has_an_end() -> None:
    assert segment(1, "97110", at(0)).running is True
    assert segment(1, "97110", at(0), at(10)).running is False


def test_a_running_segment_lasts_until_now() -> None:
    assert segment(1, "97110", at(0)).seconds(at(12, 30)) == 750.0


def test_an_ended_segment_lasts_until_its_end_whatever_now_is() -> None:
    ended = segment(1, "97110", at(0), at(10))
    assert ended.seconds(at(10)) == 600.0
    assert ended.seconds(at(500)) == 600.0
    assert ended.seconds(at(-100)) == 600.0


def test_a_segment_keeps_fractions_of_a_second() -> None:
    assert segment(1, "97110", at(0), at(0, 7.25)).seconds(at(1)) == 7.25


@pytest.mark.parametrize(
    ("ended_at", "now"),
    [
        (None, at(-60)),  # running, the clock set back an hour
        (at(-5), at(30)),  # ended before it started: the clock set back while it ran
    ],
)
def test_a_segment_is_never_negative(ended_at: datetime | None, now: datetime) -> None:
    assert segment(1, "97110", at(0), ended_at).seconds(now) == 0.0


def test_a_student_segment_says_who_performed_it() -> None:
    seg = segment(1, "97110", at(0), at(10), performer=Performer.STUDENT)
    assert (seg.performer, seg.seconds(at(20))) == (Performer.STUDENT, 600.0)
    assert segment(2, "97110", at(0)).performer is Performer.PT


def test_a_correction_is_never_rewritten() -> None:
    correction = adjustment(1, "97110", -300, transfer_id=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        correction.seconds = 300  # type: ignore[misc]


def test_a_record_of_a_new_visit_is_empty() -> None:
    empty = VisitRecord(visit())
    assert (empty.segments, empty.adjustments, empty.code_notes, empty.clock_notes) == (
        (),
        (),
        (),
        (),
    )


# -- clock notes -------------------------------------------------------------------------------


def test_a_sleep_note_tells_the_local_time_minutes_and_codes() -> None:
    note = ClockNote(MORNING, "suspend", 2700, ("97110", "97140"))
    assert note.message(NEW_YORK) == (
        "10:00: the computer was asleep 45 min while 97110, 97140 ran; that time was kept "
        "unless it was discarded (see the corrections)."
    )


@pytest.mark.parametrize(("seconds", "words"), [(3600, "ahead 60 min"), (-1800, "back 30 min")])
def test_a_clock_set_note_tells_which_way(seconds: int, words: str) -> None:
    note = ClockNote(MORNING + timedelta(minutes=7), "clock_set", seconds, ("97530",))
    assert note.message(NEW_YORK) == (
        f"10:07: the computer's clock was set {words} while 97530 ran; "
        "the time that really passed was kept."
    )


def test_a_clock_note_is_told_in_the_zone_asked_for() -> None:
    note = ClockNote(MORNING, "suspend", 600, ("97110",))
    assert note.message(ZoneInfo("Europe/Berlin")).startswith("16:00: ")
    assert note.message(ZoneInfo("Asia/Kolkata")).startswith("20:30: ")


@pytest.mark.parametrize(("seconds", "minutes"), [(89, 1), (91, 2), (-89, 1), (-91, 2)])
def test_a_clock_note_rounds_to_whole_minutes(seconds: int, minutes: int) -> None:
    note = ClockNote(MORNING, "clock_set", seconds, ("97110",))
    assert f" {minutes} min " in note.message(NEW_YORK)
