"""The window's sync: in a thread of its own, so a timer never waits on the network.

Each round opens its own Timekeeper on the data folder (an SQLite connection belongs to one
thread, and none is held between rounds, so a restore or an encryption in the window finds
the file free; ``quiet`` holds the rounds off meanwhile), syncs, looks at who is treating
whom in the clinic, and hands the outcome to ``report`` — from its thread: the window
passes it on through a queued Qt signal. It syncs every few seconds and at once when the
window writes something (``nudge``). Whatever goes wrong in a round is said in the news
and the next round tries again: the thread never dies quietly behind an "up to date".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
        self._round = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="ptclock clinic sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        """Something was written: sync now rather than at the next round."""
        self._wake.set()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """No round while the window swaps the database file (restore, encrypt): waits for
        one under way to end."""
        with self._round:
            yield

    def stop(self, wait: float = 3.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(wait)

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._round:
                news = self.round(self._open_keeper)
            if not self._stop.is_set():
                self._report(news)
            self._wake.wait(self._every)
            self._wake.clear()

    @staticmethod
    def round(open_keeper: Callable[[], Timekeeper]) -> ClinicNews:
        """One round on a Timekeeper of its own: whatever fails is said, never raised."""
        try:
            keeper = open_keeper()
        except Exception as error:  # the store could not be opened: said, tried again
            return _stopped(error)
        try:
            return BackgroundSync.once(keeper)
        except Exception as error:
            return _stopped(error)
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


def _stopped(error: Exception) -> ClinicNews:
    said = str(error) or type(error).__name__
    return ClinicNews(
        f"Clinic: this round of the sync failed ({said}); records stay queued on this "
        "computer and it tries again in a few seconds.",
        "Clinic ⚠ sync failed · trying again",
        False,
    )
