"""Opening the database: refuse what is not ours, then connect with the safe settings.

Nothing is written to a file before it has been checked: the header is read as bytes, the
schema version and integrity through a read-only connection. A file that fails a check is
left byte-for-byte as it was and the error says where the latest backup is.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ptclock import paths
from ptclock.store.errors import UnusableDatabase
from ptclock.store.version import APPLICATION_ID, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another (the CLI while the window writes) before giving up."""


def check_existing(path: Path, backups: Path, integrity: bool = True) -> None:
    """Raise UnusableDatabase unless ``path`` is a healthy ptclock database we can migrate.

    ``integrity`` adds PRAGMA quick_check, whose time grows with the file.
    """
    latest = latest_backup(backups)

    def refuse(problem: str) -> UnusableDatabase:
        return UnusableDatabase(path, problem, latest)

    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from error
    if not header:
        raise refuse("is empty, not a ptclock database")
    if not header.startswith(SQLITE_HEADER):
        raise refuse("is not a ptclock database (not an SQLite file)")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise refuse(f"cannot be opened ({error})") from error
    try:
        application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if application_id not in (0, APPLICATION_ID) or (application_id == 0 and tables):
            raise refuse("is an SQLite database of another program, not ptclock's")
        if version > SCHEMA_VERSION:
            raise refuse(
                f"was written by a newer ptclock (schema {version}; this ptclock knows up to "
                f"{SCHEMA_VERSION}): update ptclock"
            )
        problems = (
            [row[0] for row in connection.execute("PRAGMA quick_check")] if integrity else ["ok"]
        )
        if problems != ["ok"]:
            raise refuse(f"is damaged ({problems[0]})")
    except sqlite3.DatabaseError as error:
        raise refuse(f"is damaged ({error})") from error
    finally:
        connection.close()


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by the owner only (0600 on POSIX)."""
    paths.private_dir(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def connect(path: Path) -> sqlite3.Connection:
    """A connection with WAL, synchronous=FULL, foreign keys and a busy timeout.

    ``synchronous`` is per connection, not stored in the file: without FULL on every
    connection the last commits can vanish on power loss. Transactions are managed
    explicitly (isolation_level None): each event is one BEGIN IMMEDIATE … COMMIT.
    """
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def latest_backup(backups: Path) -> Path | None:
    """The newest automatic backup, to name it when the database cannot be used."""
    try:
        found = sorted(backups.glob("ptclock-*.sqlite3"))
    except OSError:
        return None
    return found[-1] if found else None
