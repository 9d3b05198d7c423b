"""Where "now" comes from. Passed in everywhere, replaced by a fake one in tests.

Durations are never counted by ticking: they are derived from stored UTC timestamps and
the clock's ``now()`` (../shared/DESIGN.md, "Time rules"). The monotonic and since-boot
readings exist only to notice when the wall clock jumps or the machine slept.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds that only move forward and stop while the machine sleeps."""
        ...

    def since_boot(self) -> float | None:
        """Seconds since boot including sleep (Linux CLOCK_BOOTTIME); None where unknown."""
        ...

    def zone(self) -> tzinfo:
        """The local time zone: dates of service and clock times are local."""
        ...


def zone_name(zone: tzinfo) -> str:
    """The IANA name (America/Chicago) stored next to timestamps; UTC offset as a fallback."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    return str(zone)


def zone_from_name(name: str) -> tzinfo:
    """The zone a timestamp was taken in, from its stored name; UTC if the name is unknown."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return timezone.utc


class SystemClock:
    """The computer's clocks."""

    def __init__(self) -> None:
        self._zone = _local_zone()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def since_boot(self) -> float | None:
        if sys.platform.startswith("linux"):
            return time.clock_gettime(time.CLOCK_BOOTTIME)
        return None

    def zone(self) -> tzinfo:
        return self._zone


def _local_zone() -> tzinfo:
    try:
        import tzlocal

        zone: tzinfo = tzlocal.get_localzone()
        return zone
    except Exception:  # any failure falls back to the OS fixed offset
        fixed = datetime.now().astimezone().tzinfo
        return fixed if fixed is not None else timezone.utc


class FakeClock:
    """A clock that moves only when a test says so.

    ``advance`` is ordinary time passing; ``jump_wall`` is the wall clock being set (wall
    time moves, monotonic time does not); ``suspend`` is the machine asleep (wall and
    since-boot move, monotonic does not).
    """

    def __init__(self, start: datetime, zone: str = "America/New_York") -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(timezone.utc)
        self._monotonic = 1000.0
        self._boot = 1000.0
        self._zone = ZoneInfo(zone)

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def since_boot(self) -> float | None:
        return self._boot

    def zone(self) -> tzinfo:
        return self._zone

    def advance(self, seconds: float = 0, *, minutes: float = 0) -> None:
        step = seconds + 60 * minutes
        self._now += timedelta(seconds=step)
        self._monotonic += step
        self._boot += step

    def jump_wall(self, seconds: float = 0, *, minutes: float = 0) -> None:
        self._now += timedelta(seconds=seconds + 60 * minutes)

    def suspend(self, seconds: float = 0, *, minutes: float = 0) -> None:
        step = seconds + 60 * minutes
        self._now += timedelta(seconds=step)
        self._boot += step
