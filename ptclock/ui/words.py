"""Numbers as a therapist reads them: 12:34, 1 unit, 2 units, 1:05:09."""

from __future__ import annotations

from ptclock.formats import clock_text, elapsed_text

clock = clock_text
"""Minutes and seconds (m:ss) on a code (ptclock.formats)."""

elapsed = elapsed_text
"""A visit's length, h:mm:ss (ptclock.formats)."""


def units(count: int) -> str:
    return f"{count} unit" if count == 1 else f"{count} units"


def minutes(count: int) -> str:
    return f"{count} minute" if count == 1 else f"{count} minutes"


def spoken_clock(seconds: int) -> str:
    """For screen readers: "12 minutes 34 seconds"."""
    return f"{minutes(seconds // 60)} {seconds % 60} seconds"


def sentence(message: str) -> str:
    """A message as the window shows it: a capital first letter and a full stop."""
    message = " ".join(message.split())
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
