"""Noticing when the wall clock jumps or the machine slept, so time is neither lost nor doubled.

The wall clock can be set (by the user, by time sync, by a bad battery) while a timer
runs; monotonic time cannot. Comparing how far each moved since the last look tells a
clock change (wall moved, monotonic did not, since-boot did not either) from a suspend
(wall and since-boot moved, monotonic stood still). Time-zone and DST changes are not
jumps at all: timestamps are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from ptclock.timing.clock import Clock

TOLERANCE_SECONDS = 5.0
"""Wall and monotonic time may disagree this much before ptclock calls it a jump."""


class JumpKind(str, Enum):
    CLOCK_SET = "clock_set"
    """The wall clock was changed; the real time that passed is the monotonic time."""
    SUSPEND = "suspend"
    """The machine slept; the gap is real wall time, but was anyone treating?"""


@dataclass(frozen=True)
class ClockJump:
    kind: JumpKind
    seconds: float
    """How far wall time moved beyond monotonic time (negative: the clock went back)."""
    expected_now: datetime
    """Where the wall clock should be had it just kept time."""
    actual_now: datetime

    @property
    def description(self) -> str:
        amount = abs(round(self.seconds))
        if self.kind is JumpKind.SUSPEND:
            return f"the computer was asleep for {amount} seconds"
        direction = "forward" if self.seconds > 0 else "back"
        return f"the wall clock was set {direction} by {amount} seconds"


class ClockWatch:
    """Remembers the last look at the clocks and reports a jump since then."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._wall, self._mono, self._boot = self._read()

    def _read(self) -> tuple[datetime, float, float | None]:
        return self._clock.now(), self._clock.monotonic(), self._clock.since_boot()

    def seed(self, wall: datetime, monotonic: float, since_boot: float | None) -> None:
        """Look back from an earlier reading of the same boot (another process's last
        event), so the next check covers the time since then: a clock set while no
        ptclock was running is still told from time that passed."""
        self._wall, self._mono, self._boot = wall, monotonic, since_boot

    def check(self) -> ClockJump | None:
        """A jump since the last check, or None; either way the new reading is remembered."""
        wall, mono, boot = self._read()
        elapsed = mono - self._mono
        drift = (wall - self._wall).total_seconds() - elapsed
        expected = self._wall + timedelta(seconds=elapsed)
        slept = None if boot is None or self._boot is None else (boot - self._boot) - elapsed
        self._wall, self._mono, self._boot = wall, mono, boot
        if abs(drift) <= TOLERANCE_SECONDS:
            return None
        if slept is not None and drift > 0 and abs(slept - drift) <= TOLERANCE_SECONDS:
            return ClockJump(JumpKind.SUSPEND, drift, expected, wall)
        return ClockJump(JumpKind.CLOCK_SET, drift, expected, wall)
