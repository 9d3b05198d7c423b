"""Numbers as a therapist reads them: 12:34, 1 unit, 2 units, 1:05:09."""

from __future__ import annotations


def clock(seconds: int) -> str:
    """Minutes and seconds (m:ss); hours only appear as minutes (75:00), as billed."""
    return f"{seconds // 60}:{seconds % 60:02d}"


def elapsed(seconds: int) -> str:
    """Visit length: h:mm:ss."""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def minutes(count: int) -> str:
    return f"{count} minute" if count == 1 else f"{count} minutes"


def spoken_clock(seconds: int) -> str:
    """For screen readers: "12 minutes 34 seconds"."""
    return f"{minutes(seconds // 60)} {seconds % 60} seconds"
