"""A ptclock process that keeps treating until it is killed (used by test_crash.py).

It opens the store as the app does (system clock, the real database file), then replays
a random script of starts, switches, stops and corrections, printing after each commit
what is now on disk: the audit id, and the start of the running timer.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from ptclock.billing import load_catalog
from ptclock.settings import Settings
from ptclock.store import open_store
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import SystemClock

CODES = ["97110", "97112", "97116", "97140", "97530"]


def main() -> None:
    path, seed = Path(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    keeper = Timekeeper(open_store(path), SystemClock(), load_catalog(), Settings())
    if not keeper.store.open_visits():
        keeper.new_visit(f"Patient {seed}")
    while True:
        roll = rng.random()
        if roll < 0.6:
            keeper.start(rng.choice(CODES))
        elif roll < 0.8:
            keeper.add_minutes(rng.choice(CODES), rng.randint(1, 5), "replayed correction")
        elif keeper.store.running_segments():
            keeper.stop()
        running = keeper.store.running_segments()
        last = keeper.store.audit_trail()[-1].id
        start = running[0].started_at.isoformat() if running else "-"
        print(f"committed {last} {start}", flush=True)


if __name__ == "__main__":
    main()
