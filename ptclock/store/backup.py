"""Backups through SQLite's backup API: a consistent snapshot, WAL included, never a file copy."""

from __future__ import annotations

import errno
import functools
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ptclock import paths
from ptclock.store.cipher import copy_database
from ptclock.store.driver import sqlite3
from ptclock.store.opening import keyed

KEEP_DAILY = 14


class BackupError(OSError):
    """A backup that was not written, as an OSError naming the backup file (not its
    temporary name): ``errno`` says why (ENOSPC for a full disk). No partial file is left."""


Write = Callable[[sqlite3.Connection, Path, bytes | None, bytes | None], Path]


def _translate_errors(write: Write) -> Write:
    """SQLite reports a full disk as ``sqlite3.OperationalError("database or disk is
    full")`` and the temporary file's OSErrors name ``.NAME.PID.partial``: both become one
    BackupError about ``target`` (still an OSError, so ``daily_backup`` catches it)."""

    @functools.wraps(write)
    def translated(
        connection: sqlite3.Connection, target: Path, key: bytes | None, source_key: bytes | None
    ) -> Path:
        try:
            return write(connection, target, key, source_key)
        except BackupError:
            raise
        except OSError as error:
            code = error.errno or errno.EIO
            raise BackupError(code, error.strerror or os.strerror(code), str(target)) from error
        except sqlite3.Error as error:
            primary = getattr(error, "sqlite_errorcode", 0) & 0xFF  # Python 3.11+
            if "disk is full" in str(error) or _disk_full(target.parent):
                primary = 13  # no inode left shows as "unable to open database file"
            code = SQLITE_ERRNO.get(primary, errno.EIO)
            raise BackupError(code, os.strerror(code), str(target)) from error

    return translated


def _disk_full(folder: Path) -> bool:
    """(Almost) no block or inode left on ``folder``'s file system, after the temporary
    file was removed: SQLite could not create its journal there."""
    try:
        space = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        return False
    return space.f_bavail < 16 or (space.f_files > 0 and space.f_favail < 16)


SQLITE_ERRNO = {13: errno.ENOSPC, 8: errno.EROFS, 3: errno.EACCES, 23: errno.EACCES}
"""SQLITE_FULL, SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH (primary result codes)."""


@_translate_errors
def write_backup(
    connection: sqlite3.Connection, target: Path, key: bytes | None, source_key: bytes | None
) -> Path:
    """Snapshot the database (open on ``connection``, encrypted with ``source_key`` or
    plain) into ``target`` (owner-only), via a temporary file and rename; encrypted with
    ``key`` (the store's own, or a backup's to take elsewhere), plain if None.

    No partial backup is ever left under the final name.
    """
    paths.private_dir(target.parent)
    # Per process: two ptclock processes opening the store at once may both back it up.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)
    try:
        copy_database(connection, source_key, temporary, key)
        destination = keyed(sqlite3.connect(temporary), key)
        try:
            new_identity(destination)
        finally:
            destination.close()
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def new_identity(copy: sqlite3.Connection) -> None:
    """A copy is a store of its own: a -wal left next to the original never replays into it
    (put back over the original while that -wal is still there, it is refused, not
    corrupted; opening.py checks that a -wal carries its database's id)."""
    if copy.execute("SELECT 1 FROM sqlite_master WHERE name = 'store_meta'").fetchone():
        copy.execute("UPDATE store_meta SET store_id = lower(hex(randomblob(16)))")
        copy.commit()


def made_on(backups: Path, today: date) -> bool:
    """True once the day's automatic backup exists."""
    return (backups / f"ptclock-{today.isoformat()}.sqlite3").exists()


def daily_backup(
    connection: sqlite3.Connection, backups: Path, today: date, key: bytes | None = None
) -> Path | None:
    """At most one automatic backup a day, keeping the newest ``KEEP_DAILY``; encrypted
    with ``key``, the store's own."""
    target = backups / f"ptclock-{today.isoformat()}.sqlite3"
    if target.exists():
        return None
    try:
        write_backup(connection, target, key, key)
        for old in sorted(backups.glob("ptclock-*.sqlite3"))[:-KEEP_DAILY]:
            old.unlink(missing_ok=True)
    except (OSError, sqlite3.Error):
        # The day's backup is retried at the next start; the user's command must not fail
        # because a copy could not be made (another process may be making the same one).
        return None
    return target
