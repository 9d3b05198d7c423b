"""``ptclock restore BACKUP``: put a backup back in place of the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.store import StoreError, WindowAlreadyOpen
from ptclock.store.restore import restore
from ptclock.store.window_lock import WindowLock
from ptclock.timing.clock import SystemClock


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="put a backup in place of the database (the current file is kept aside)",
    )
    parser.add_argument("backup", type=Path, metavar="BACKUP", help="a ptclock backup file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    lock = WindowLock(paths.window_lock_file())
    try:
        lock.acquire()
    except WindowAlreadyOpen:
        raise StoreError(
            "the ptclock window is open on this data folder: close it first, or use "
            "Tools → Restore from backup… in the window"
        ) from None
    try:
        clock = SystemClock()
        done = restore(args.backup, paths.database_file(), clock.now().astimezone(clock.zone()))
    finally:
        lock.release()
    reaches = f"; its last change was at {done.last_event} (UTC)" if done.last_event else ""
    kept = (
        "; the database it replaced was kept as " + ", ".join(str(p) for p in done.kept_aside)
        if done.kept_aside
        else ""
    )
    print(f"restored {done.backup} into {done.database}{reaches}{kept}")
    return 0
