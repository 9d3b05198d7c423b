"""A ptclock process that keeps treating until it is killed (used by the crash torture).

It opens the store as the app does (system clock, the real database file), then replays a
random script of visits, starts, switches, stops, pauses and corrections, printing after
each commit what is now on disk: the newest audit id and action, and the start of the
running timer.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from ptclock.billing import load_catalog
from ptclock.settings import Settings
from ptclock.store import open_store
from ptclock.timekeeper import Timekeeper, TimekeeperError
from ptclock.timing.clock import SystemClock

CODES = ["97110", "97112", "97116", "97140", "97530", "97161"]


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    keeper = Timekeeper(open_store(path), SystemClock(), load_catalog(), Settings())
    if not keeper.store.open_visits():
        keeper.new_visit(f"Patient {seed}")
    while True:
        roll = rng.random()
        try:
            if roll < 0.5:
                keeper.start(rng.choice(CODES))
            elif roll < 0.65:
                keeper.add_minutes(rng.choice(CODES), rng.randint(1, 5), "replayed correction")
            elif roll < 0.75:
                keeper.move_minutes(rng.choice(CODES), rng.choice(CODES), 1, "replayed move")
            elif roll < 0.85:
                keeper.stop()
            elif roll < 0.9:
                keeper.pause()
            elif roll < 0.95:
                keeper.resume()
            else:
                keeper.end()
                keeper.new_visit(f"Patient {seed}-{rng.randint(0, 9)}")
        except TimekeeperError:
            continue  # refused (nothing running, same code…): nothing was written
        running = keeper.store.running_segments()
        last = keeper.store.audit_trail()[-1]
        start = running[0].started_at.isoformat() if running else "-"
        print(f"committed {last.id} {last.action} {start}", flush=True)


if __name__ == "__main__":
    main()
