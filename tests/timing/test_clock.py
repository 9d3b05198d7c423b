"""clock.py: the fake clock tests run on, clock stamps, local dates and stored zone names."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptclock.timing import clock as clock_module
from ptclock.timing.clock import (
    Clock,
    ClockStamp,
    FakeClock,
    SystemClock,
    stamp,
    today,
    zone_from_name,
    zone_name,
)
from tests.timing.builders import MORNING

NEW_YORK = ZoneInfo("America/New_York")


def readings(clock: Clock) -> tuple[datetime, float, float | None]:
    return clock.now(), clock.monotonic(), clock.since_boot()


# -- FakeClock -------------------------------------------------------------------------------


def test_a_fake_clock_needs_a_timezone_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2026, 11, 27, 10, 0))


def test_a_fake_clock_tells_utc_whatever_zone_it_started_in() -> None:
    clock = FakeClock(datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK))  # 10:00 EST
    assert clock.now() == datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
    assert clock.now().tzinfo is timezone.utc


def test_advance_moves_every_clock_by_minutes_and_seconds() -> None:
    clock = FakeClock(MORNING)
    wall, mono, boot = readings(clock)
    assert boot is not None
    clock.advance(90, minutes=2)  # 2 min + 90 s = 210 s
    assert readings(clock) == (wall + timedelta(seconds=210), mono + 210, boot + 210)


def test_jump_wall_moves_only_the_wall_clock() -> None:
    clock = FakeClock(MORNING)
    _, mono, boot = readings(clock)
    clock.jump_wall(minutes=-60)
    assert readings(clock) == (MORNING - timedelta(hours=1), mono, boot)
    clock.jump_wall(30, minutes=1)
    assert clock.now() == MORNING - timedelta(minutes=58, seconds=30)


def test_suspend_moves_the_wall_and_since_boot_but_not_monotonic() -> None:
    clock = FakeClock(MORNING)
    _, mono, boot = readings(clock)
    assert boot is not None
    clock.suspend(minutes=45)
    assert readings(clock) == (MORNING + timedelta(minutes=45), mono, boot + 45 * 60)


def test_reboot_moves_the_wall_and_starts_the_boot_clocks_again() -> None:
    clock = FakeClock(MORNING)
    first_boot = clock.boot_id()
    clock.advance(minutes=30)
    clock.reboot(minutes=2)
    assert readings(clock) == (MORNING + timedelta(minutes=32), 5.0, 5.0)
    assert clock.boot_id() != first_boot
    clock.reboot()
    assert clock.now() == MORNING + timedelta(minutes=32)
    assert len({first_boot, clock.boot_id()}) == 2


def test_two_fake_clocks_are_two_machines() -> None:
    one, other = FakeClock(MORNING), FakeClock(MORNING)
    assert one.boot_id() != other.boot_id()
    assert one.boot_id() == one.boot_id()  # the same boot keeps its id


def test_a_fake_clocks_zone_is_new_york_unless_told() -> None:
    assert FakeClock(MORNING).zone() == NEW_YORK
    assert FakeClock(MORNING, zone="Europe/Berlin").zone() == ZoneInfo("Europe/Berlin")


# -- stamp, today ------------------------------------------------------------------------------


def test_a_stamp_is_the_boot_and_its_clocks() -> None:
    clock = FakeClock(MORNING)
    before = stamp(clock)
    assert before == ClockStamp(clock.boot_id(), 1000.0, 1000.0)
    clock.advance(minutes=1)
    clock.suspend(minutes=10)
    assert stamp(clock) == ClockStamp(clock.boot_id(), 1060.0, 1660.0)


def test_a_stamp_keeps_unknown_clocks_unknown() -> None:
    class Unknowing(FakeClock):
        def since_boot(self) -> float | None:
            return None

        def boot_id(self) -> str | None:
            return None

    assert stamp(Unknowing(MORNING)) == ClockStamp(None, 1000.0, None)


def test_today_is_the_local_date_not_the_utc_one() -> None:
    # 23:50 in New York on the 27th is 04:50 UTC on the 28th.
    clock = FakeClock(datetime(2026, 11, 28, 4, 50, tzinfo=timezone.utc))
    assert today(clock) == date(2026, 11, 27)
    clock.advance(minutes=9, seconds=59)
    assert today(clock) == date(2026, 11, 27)
    clock.advance(seconds=1)
    assert today(clock) == date(2026, 11, 28)


def test_today_follows_the_clocks_zone() -> None:
    # 15:00 UTC on the 27th: 10:00 in New York, midnight of the 28th in Tokyo.
    assert today(FakeClock(MORNING)) == date(2026, 11, 27)
    assert today(FakeClock(MORNING, zone="Asia/Tokyo")) == date(2026, 11, 28)


def test_today_across_the_fall_back_night() -> None:
    # 2026-11-01 01:50 EDT; at 02:00 EDT clocks fall back to 01:00 EST: still the 1st.
    clock = FakeClock(datetime(2026, 11, 1, 5, 50, tzinfo=timezone.utc))
    assert today(clock) == date(2026, 11, 1)
    clock.advance(minutes=60)  # 01:50 EST
    assert today(clock) == date(2026, 11, 1)
    clock.advance(minutes=22 * 60 + 9, seconds=59)  # 23:59:59 EST
    assert today(clock) == date(2026, 11, 1)
    clock.advance(seconds=1)  # 00:00 EST on the 2nd
    assert today(clock) == date(2026, 11, 2)


# -- zone names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        (ZoneInfo("America/Chicago"), "America/Chicago"),
        (ZoneInfo("UTC"), "UTC"),
        (timezone.utc, "UTC"),
        (timezone(timedelta(hours=-5)), "UTC-05:00"),
        (timezone(timedelta(hours=5, minutes=30)), "UTC+05:30"),
    ],
)
def test_zone_name_is_the_iana_name_or_else_the_offset(zone: tzinfo, name: str) -> None:
    assert zone_name(zone) == name


def test_zone_name_of_a_zone_whose_key_is_not_a_name() -> None:
    class Keyed(tzinfo):
        key = 42

        def utcoffset(self, dt: datetime | None) -> timedelta:
            return timedelta(0)

        def dst(self, dt: datetime | None) -> timedelta:
            return timedelta(0)

        def tzname(self, dt: datetime | None) -> str:
            return "keyed"

        def __str__(self) -> str:
            return "keyed"

    assert zone_name(Keyed()) == "UTC"  # no IANA name: stored by its offset, readable back
    assert zone_name(FakeClock(MORNING, zone="Europe/Berlin").zone()) == "Europe/Berlin"


@pytest.mark.parametrize(
    "name", ["", "Not/AZone", "Mars/Olympus_Mons", "../../etc/passwd", "/etc/localtime"]
)
def test_an_unknown_zone_name_reads_as_utc(name: str) -> None:
    assert zone_from_name(name) is timezone.utc


def test_a_known_zone_name_reads_as_its_zone() -> None:
    zone = zone_from_name("America/Chicago")
    assert zone == ZoneInfo("America/Chicago")
    # 15:00 UTC on 27 November is 09:00 in Chicago (CST, UTC-6).
    assert MORNING.astimezone(zone).hour == 9


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(available_timezones())))
def test_every_iana_zone_survives_being_stored_by_name(key: str) -> None:
    zone = ZoneInfo(key)
    back = zone_from_name(zone_name(zone))
    assert back == zone
    assert MORNING.astimezone(back).utcoffset() == MORNING.astimezone(zone).utcoffset()


def test_a_zone_stored_as_an_offset_reads_back_as_that_offset() -> None:
    fixed = timezone(timedelta(hours=-5))
    back = zone_from_name(zone_name(fixed))
    assert MORNING.astimezone(back).utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize(
    ("offset", "name"),
    [
        (timedelta(hours=5, minutes=30), "UTC+05:30"),
        (timedelta(hours=-3, minutes=-30), "UTC-03:30"),
    ],
)
def test_half_hour_offsets_read_back(offset: timedelta, name: str) -> None:
    assert zone_name(timezone(offset)) == name
    assert zone_from_name(name).utcoffset(None) == offset


def test_the_os_fallback_zone_reads_back_as_its_offset() -> None:
    # What datetime.now().astimezone().tzinfo is in Los Angeles in summer.
    pacific = timezone(timedelta(hours=-7), "PDT")
    back = zone_from_name(zone_name(pacific))
    assert MORNING.astimezone(back).utcoffset() == timedelta(hours=-7)


@pytest.mark.parametrize("name", ["UTC+5", "UTC+25:00", "UTC+0a:00", "UTC-05:00x", "Mars/Base"])
def test_names_that_are_no_zone_read_as_utc(name: str) -> None:
    assert zone_from_name(name) is timezone.utc


# -- SystemClock -------------------------------------------------------------------------------


def test_the_system_clock_tells_utc() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="boot ids are Linux's")
def test_the_system_boot_id_is_read_once_and_stripped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boot_file = tmp_path / "boot_id"
    boot_file.write_text("3f2a-boot\n", encoding="ascii")
    monkeypatch.setattr(clock_module, "BOOT_ID_FILE", boot_file)
    clock = SystemClock()
    assert clock.boot_id() == "3f2a-boot"
    boot_file.write_text("another\n", encoding="ascii")
    assert clock.boot_id() == "3f2a-boot"  # one process lives in one boot


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="boot ids are Linux's")
def test_an_unreadable_or_empty_boot_id_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boot_file = tmp_path / "boot_id"
    monkeypatch.setattr(clock_module, "BOOT_ID_FILE", boot_file)
    assert SystemClock().boot_id() is None  # missing
    boot_file.write_text("  \n", encoding="ascii")
    assert SystemClock().boot_id() is None  # empty


def test_the_system_zone_falls_back_to_the_os_offset_when_tzlocal_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tzlocal

    def broken() -> tzinfo:
        raise RuntimeError("no zone configured")

    monkeypatch.setattr(tzlocal, "get_localzone", broken)
    zone = SystemClock().zone()
    now = datetime.now(timezone.utc)
    assert now.astimezone(zone).utcoffset() == now.astimezone().utcoffset()
