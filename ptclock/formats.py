"""Times as a therapist reads them, written the same way on every screen and page.

12:34 on a code (minutes and seconds; an hour shows as 75:00, as it is billed), 1:05:09 for
a visit's length, 14:05 on the wall clock of the zone the moment was recorded in. Pure.
"""

from __future__ import annotations

from datetime import datetime, tzinfo


def clock_text(seconds: int) -> str:
    """A code's time, m:ss: 754 → "12:34", 4500 → "75:00"."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def elapsed_text(seconds: int) -> str:
    """A visit's length, h:mm:ss: 3909 → "1:05:09"."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def wall_time(moment: datetime, zone: tzinfo) -> str:
    """The local wall-clock time of ``moment`` in ``zone``, HH:MM."""
    return moment.astimezone(zone).strftime("%H:%M")


def wall_date_time(moment: datetime, zone: tzinfo, seconds: bool = False) -> str:
    """The local date and time of ``moment`` in ``zone``: 2026-11-27 14:05(:09)."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
