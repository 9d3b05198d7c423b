"""Backups through SQLite's backup API: a consistent snapshot, WAL included, never a file copy."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

from ptclock import paths

KEEP_DAILY = 14


def write_backup(connection: sqlite3.Connection, target: Path) -> Path:
    """Snapshot the database into ``target`` (owner-only), via a temporary file and rename.

    No partial backup is ever left under the final name.
    """
    paths.private_dir(target.parent)
    # Per process: two ptclock processes opening the store at once may both back it up.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)
    try:
        destination = sqlite3.connect(temporary)
        try:
            connection.backup(destination)
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def made_on(backups: Path, today: date) -> bool:
    """True once the day's automatic backup exists."""
    return (backups / f"ptclock-{today.isoformat()}.sqlite3").exists()


def daily_backup(connection: sqlite3.Connection, backups: Path, today: date) -> Path | None:
    """At most one automatic backup a day, keeping the newest ``KEEP_DAILY``."""
    target = backups / f"ptclock-{today.isoformat()}.sqlite3"
    if target.exists():
        return None
    try:
        write_backup(connection, target)
        for old in sorted(backups.glob("ptclock-*.sqlite3"))[:-KEEP_DAILY]:
            old.unlink(missing_ok=True)
    except (OSError, sqlite3.Error):
        # The day's backup is retried at the next start; the user's command must not fail
        # because a copy could not be made (another process may be making the same one).
        return None
    return target
