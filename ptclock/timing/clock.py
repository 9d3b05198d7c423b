"""Where "now" comes from. Passed in everywhere, replaced by a fake one in tests.

Durations are never counted by ticking: they are derived from stored UTC timestamps and
the clock's ``now()`` (docs/architecture.md, "Time rules"). The monotonic and since-boot
readings exist only to notice when the wall clock jumps or the machine slept.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
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

    def boot_id(self) -> str | None:
        """Which boot of the machine this is (Linux); None where unknown. Monotonic and
        since-boot readings of two processes compare only within one boot."""
        ...


@dataclass(frozen=True)
class ClockStamp:
    """The boot and the boot-time clocks at a moment, stored beside its wall time, so a
    later process (the CLI, a pedal script) tells time that passed from a clock that was
    set: within one boot, monotonic time is the machine's, not the process's."""

    boot_id: str | None
    monotonic: float | None
    since_boot: float | None


def stamp(clock: Clock) -> ClockStamp:
    return ClockStamp(clock.boot_id(), clock.monotonic(), clock.since_boot())


def today(clock: Clock) -> date:
    """The local date now: the date of service of anything recorded now."""
    return clock.now().astimezone(clock.zone()).date()


def zone_name(zone: tzinfo) -> str:
    """The IANA name (America/Chicago) stored next to timestamps; as a fallback the zone's
    offset now, "UTC-07:00" (never an abbreviation like "PDT", which cannot be read back)."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    offset = datetime.now(timezone.utc).astimezone(zone).utcoffset() or timedelta(0)
    return str(timezone(offset)) if offset else "UTC"


def zone_from_name(name: str) -> tzinfo:
    """The zone a timestamp was taken in, from its stored name; UTC if the name is unknown.

    A zone without an IANA name was stored as its offset (``zone_name``: "UTC-05:00"), and
    reads back as that fixed offset, so its clock times show as they were.
    """
    offset = _fixed_offset(name)
    if offset is not None:
        return offset
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return timezone.utc


def _fixed_offset(name: str) -> tzinfo | None:
    """ "UTC+05:30" / "UTC-05:00" (as ``str(timezone(...))`` writes them) as a fixed zone."""
    if len(name) < 9 or not name.startswith("UTC") or name[3] not in "+-" or name[6] != ":":
        return None
    hours, minutes = name[4:6], name[7:9]
    if not (hours.isdigit() and minutes.isdigit() and hours.isascii() and minutes.isascii()):
        return None
    seconds = name[9:]
    if seconds and not (seconds[0] == ":" and seconds[1:].isdigit() and seconds[1:].isascii()):
        return None
    delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds[1:] or 0))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if name[3] == "-" else delta)


BOOT_ID_FILE = Path("/proc/sys/kernel/random/boot_id")


class SystemClock:
    """The computer's clocks."""

    def __init__(self) -> None:
        self._zone = _local_zone()
        self._boot_id: str | None = None

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

    def boot_id(self) -> str | None:
        if self._boot_id is None and sys.platform.startswith("linux"):
            try:
                with BOOT_ID_FILE.open(encoding="ascii") as file:
                    self._boot_id = file.read(64).strip() or None
            except OSError:
                return None
        return self._boot_id


def _local_zone() -> tzinfo:
    linked = linked_zone()
    if linked is not None:
        return linked
    try:
        import tzlocal

        zone: tzinfo = tzlocal.get_localzone()
        return zone
    except Exception:  # any failure falls back to the OS fixed offset
        fixed = datetime.now().astimezone().tzinfo
        return fixed if fixed is not None else timezone.utc


ZONE_FILES = ("system/bin/getprop", "var/db/zoneinfo", "etc/sysconfig/clock", "etc/conf.d/clock")
"""Other places tzlocal reads a zone from (Termux, BSD, CentOS/openSUSE, Gentoo)."""


def linked_zone(root: Path = Path("/")) -> tzinfo | None:
    """The local zone as tzlocal names it, without importing tzlocal, in the usual Linux
    set-up: no TZ variable, ``/etc/localtime`` a symlink into the zone database, and no other
    configuration naming a zone but an ``/etc/timezone`` that names the same one, whose
    offset now is the system's. Anything else (or any doubt): None, and tzlocal decides.

    tzlocal reads and cross-checks every configuration file it knows, which costs start-up
    (issue 15); the answer here is the one it gives (tests/timing/test_linked_zone.py).
    """
    try:
        if not sys.platform.startswith("linux") or "TZ" in os.environ:
            return None
        if any((root / name).exists() for name in ZONE_FILES):
            return None
        link = root / "etc" / "localtime"
        if not link.is_symlink() or not link.exists():
            return None
        name = _zone_in_path(os.path.realpath(link))
        if name is None or " " in name:
            return None
        named = root / "etc" / "timezone"
        if named.exists() and named.read_text(encoding="ascii").strip("/ \t\r\n") != name:
            return None
        zone = ZoneInfo(name)
        offset = datetime.now(zone).utcoffset()
        local = time.localtime().tm_gmtoff
        if offset is None or local is None or abs(offset.total_seconds() - local) > 60:
            return None  # tzlocal would warn of a misconfiguration: let it
        return zone
    except Exception:  # any doubt: tzlocal's own reading
        return None


def _zone_in_path(path: str) -> str | None:
    """The zone named by the first tail of ``path`` the zone database knows, as tzlocal
    reads the target of /etc/localtime ("/usr/share/zoneinfo/Europe/Berlin" →
    "Europe/Berlin"). Only files of the system's database count here: a miss would make
    zoneinfo look for the tzdata package (slow), and a zone only that package has is left
    to tzlocal."""
    start = path.find("/") + 1
    while start != 0:
        path = path[start:]
        if any((Path(folder) / path).is_file() for folder in zoneinfo.TZPATH):
            return path
        start = path.find("/") + 1
    return None


_FAKE_MACHINES = itertools.count(1)


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
        self._boot_number = 1
        self._machine = next(_FAKE_MACHINES)
        """Each fake clock is its own machine: two of them never share a boot."""

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def since_boot(self) -> float | None:
        return self._boot

    def zone(self) -> tzinfo:
        return self._zone

    def boot_id(self) -> str | None:
        return f"fake-machine-{self._machine}-boot-{self._boot_number}"

    def reboot(self, seconds: float = 0, *, minutes: float = 0) -> None:
        """The machine restarted: wall time moves on, the boot clocks start again."""
        step = seconds + 60 * minutes
        self._now += timedelta(seconds=step)
        self._monotonic = 5.0
        self._boot = 5.0
        self._boot_number += 1

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
