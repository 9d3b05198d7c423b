"""The window's sync: in a thread of its own, so a timer never waits on the network.

It opens its own Timekeeper on the same data folder (an SQLite connection belongs to one
thread), syncs every few seconds and at once when the window writes something (``nudge``),
looks at who is treating whom in the clinic, and hands each outcome to ``report`` — from
its thread: the window passes it on through a queued Qt signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ptclock.clinic.clinic_now import Treating, treating_now
from ptclock.clinic.errors import ClinicError
from ptclock.clinic.sync import short_status, status_words, sync_and_look
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import today

EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class ClinicNews:
    status: str
    """The sync's state in plain words (``sync.status_words``)."""
    short: str
    """The same in a few words, for the status bar (``sync.short_status``)."""
    reachable: bool
    treating: tuple[Treating, ...] = field(default=())
    """Who is treating whom now (empty while the clinic cannot be reached)."""
    shared: tuple[tuple[str, str], ...] = field(default=())
    """The settings the clinic shares, for the window to apply."""


class BackgroundSync:
    def __init__(
        self,
        open_keeper: Callable[[], Timekeeper],
        report: Callable[[ClinicNews], None],
        every: float = EVERY_SECONDS,
    ) -> None:
        self._open_keeper = open_keeper
        self._report = report
        self._every = every
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ptclock clinic sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """Something was written: sync now rather than at the next round."""
        self._wake.set()

    def stop(self, wait: float = 3.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(wait)

    def _run(self) -> None:
        try:
            keeper = self._open_keeper()
        except Exception as error:  # reported in words; the window goes on without sync
            said = f"Clinic: the sync could not start ({error})."
            self._report(ClinicNews(said, "Clinic ⚠ sync not running", False))
            return
        try:
            while not self._stop.is_set():
                self._report(self.once(keeper))
                self._wake.wait(self._every)
                self._wake.clear()
        finally:
            keeper.store.close()

    @staticmethod
    def once(keeper: Timekeeper) -> ClinicNews:
        """One round: sync, look at the clinic, say how it stands."""
        day = today(keeper.clock)
        shared: dict[str, str] = {}
        try:
            result, treating = sync_and_look(keeper, lambda c: treating_now(c, day))
            reachable, shared = True, result.shared
        except ClinicError:
            treating, reachable = [], False
        now = keeper.clock.now().astimezone(keeper.clock.zone())
        link, queued = keeper.store.clinic_link(), keeper.store.queued()
        return ClinicNews(
            status_words(link, queued, now),
            short_status(link, queued, now),
            reachable,
            tuple(treating),
            tuple(sorted(shared.items())),
        )
