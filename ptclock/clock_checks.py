"""The Timekeeper's watch on the computer's clocks: a wall clock that was set, a sleep.

Before every event the Timekeeper looks (``ClockChecks.look``). A clock that was set: the
running timers are split at the moment it happened, so the time that really passed
(monotonic) is kept and the jump is neither lost nor counted. A sleep: the time is kept and
the anomaly recorded; the window asks the therapist what to do with it. Either is written in
its own transaction, before the event that noticed it.

A fresh process (the CLI) has watched nothing: it compares the clocks with the last event
written in this boot, and its first event notes a wall clock behind the store's last one.
"""

from __future__ import annotations

from datetime import datetime

from ptclock.store import Store
from ptclock.timing.clock import Clock, stamp, zone_name
from ptclock.timing.clock_watch import TOLERANCE_SECONDS, ClockJump, ClockWatch, JumpKind


class ClockChecks:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._watch = ClockWatch(clock)
        self._seeded = False
        self._compared_with_last_event = False

    def look(self, store: Store) -> ClockJump | None:
        """Look for a wall-clock jump or a sleep since the last look; record it (one
        transaction) and return it, or None."""
        if not self._seeded:
            self._seeded = True
            self._seed_from_last_event(store)
        jump = self._watch.check()
        if jump is None:
            return None
        zone = zone_name(self.clock.zone())
        with store.transaction(stamp(self.clock)):
            running = store.running_segments()
            if jump.kind is JumpKind.CLOCK_SET:
                for segment in running:
                    end = max(jump.expected_now, segment.started_at)
                    store.close_segment(segment.id, end)
                    store.add_segment(
                        segment.visit_id, segment.code, jump.actual_now, zone, segment.performer
                    )
            store.audit(
                jump.actual_now,
                zone,
                jump.kind.value,
                before={"expected_now": jump.expected_now.isoformat()},
                after={
                    "now": jump.actual_now.isoformat(),
                    "seconds": round(jump.seconds),
                    "running": [[s.visit_id, s.code] for s in running],
                    "description": jump.description,
                },
            )
        return jump

    def note_if_behind(self, store: Store, now: datetime, zone: str) -> None:
        """Inside this process's first event: a wall clock behind the store's last event is
        written down (``clock_behind``), for the claim to warn about."""
        if self._compared_with_last_event:
            return
        last = store.last_event_at()
        if last is not None and (last - now).total_seconds() > TOLERANCE_SECONDS:
            store.audit(
                now,
                zone,
                "clock_behind",
                before={"last_event_at": last.isoformat()},
                after={"now": now.isoformat()},
            )

    def event_written(self) -> None:
        """An event committed: the comparison with the store's last event is done."""
        self._compared_with_last_event = True

    def _seed_from_last_event(self, store: Store) -> None:
        """Compare the clocks with the last event any process wrote in this boot (each
        audit line keeps the boot id and boot-time clocks beside its wall time)."""
        last = store.last_stamp()
        if last is None:
            return
        at, earlier = last
        if (
            earlier.boot_id is not None
            and earlier.boot_id == self.clock.boot_id()
            and earlier.monotonic is not None
            and earlier.monotonic <= self.clock.monotonic()
        ):
            self._watch.seed(at, earlier.monotonic, earlier.since_boot)
