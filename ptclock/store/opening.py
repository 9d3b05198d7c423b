"""Opening the database: refuse what is not ours, then connect with the safe settings.

Nothing is written to a file before it has been checked: the header is read as bytes, the
schema version and integrity through a read-only connection. A file that fails a check is
left byte-for-byte as it was and the error says where the latest backup is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from ptclock import paths
from ptclock.store import keys
from ptclock.store.driver import SQLITE_HEADER, is_encrypted, read_header, sqlite3
from ptclock.store.errors import StoreError, UnusableDatabase
from ptclock.store.guarded import GuardedConnection
from ptclock.store.version import APPLICATION_ID, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another (the CLI while the window writes) before giving up."""


class UnfinishedCreation(StoreError):
    """The file is an empty leftover of a first run that was killed: nothing in it."""


def check_existing(
    path: Path, backups: Path, integrity: bool = True, key: bytes | None = None
) -> None:
    """Raise unless ``path`` is a healthy ptclock database we can open and migrate.

    ``integrity`` adds PRAGMA quick_check, whose time grows with the file. A file that is
    healthy but cannot be written (a read-only folder) is said so, not called damaged; an
    empty leftover of a killed first run raises UnfinishedCreation (it is made again). An
    encrypted file is read with ``key`` (None: this installation has no key).
    """

    def refuse(problem: str) -> UnusableDatabase:
        return UnusableDatabase(path, problem, latest_backup(backups, key))

    try:
        header = read_header(path)
    except OSError as error:
        raise refuse(f"cannot be read ({error.strerror})") from error
    wal = path.with_name(path.name + "-wal")
    if not header and _size(wal) == 0:
        raise UnfinishedCreation(f"{path} is empty: a first run that did not finish")
    encrypted = bool(header) and not header.startswith(SQLITE_HEADER)
    if encrypted and key is None:
        raise refuse(
            "is not a ptclock database this installation can read: it is not an SQLite file, "
            "or it is encrypted and this installation has no database key in the system "
            "keyring"
        )
    check_writable(path)
    _roll_back_stale_journal(path, key if encrypted else None)
    try:
        connection = connect_read_only(path, key if encrypted else None)
    except sqlite3.Error as error:
        raise refuse(f"cannot be opened ({error})") from error
    try:
        try:
            application_id = connection.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as error:
            if not encrypted:
                raise
            if _size(wal) > WAL_HEADER_BYTES and readable_with(path, key, immutable=True):
                # Encrypted, another store's -wal cannot even be decrypted (each file has
                # its own salt): the file alone reads, so the -wal is what does not belong.
                raise refuse(
                    f"has a -wal file that belongs to another database ({wal}); replaying it "
                    "would replace this file's data"
                ) from error
            raise refuse(
                "is not a ptclock database this installation can read: it is encrypted with "
                "another installation's key (restore a backup made there with its backup "
                "key), or it is not an SQLite file"
            ) from error
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if application_id not in (0, APPLICATION_ID) or (
            application_id == 0 and tables and not _unfinished_ptclock(connection, tables)
        ):
            raise refuse("is an SQLite database of another program, not ptclock's")
        if version > SCHEMA_VERSION:
            raise refuse(
                f"was written by a newer ptclock (schema {version}; this ptclock knows up to "
                f"{SCHEMA_VERSION}): update ptclock"
            )
        if _size(wal) > WAL_HEADER_BYTES and "store_meta" in tables:
            _check_wal_belongs(path, connection, refuse, key if encrypted else None)
        problems = (
            [row[0] for row in connection.execute("PRAGMA quick_check")] if integrity else ["ok"]
        )
        if problems != ["ok"]:
            raise refuse(f"is damaged ({problems[0]})")
    except sqlite3.DatabaseError as error:
        raise refuse(f"is damaged ({error})") from error
    finally:
        connection.close()


WAL_HEADER_BYTES = 32


def keyed(connection: sqlite3.Connection, key: bytes | None) -> sqlite3.Connection:
    """``connection`` with ``key`` given to SQLCipher first (it must be the first statement);
    SQLCipher's own log to stderr silenced (every message a user reads comes from ptclock)."""
    connection.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        connection.execute(f'PRAGMA key = "{keys.sql_key(key)}"')
    return connection


def connect_read_only(
    path: Path, key: bytes | None, *, immutable: bool = False
) -> sqlite3.Connection:
    mode = "immutable=1" if immutable else "mode=ro"
    return keyed(sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True), key)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check_writable(path: Path) -> None:
    """A healthy file in a folder ptclock may not write is not damaged: say what it is."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"the data folder {folder} is read-only for you: ptclock must write there "
            "(its database and the -wal file next to it). Check the folder's permissions."
        )
    if not os.access(path, os.W_OK):
        raise StoreError(
            f"{path} is read-only for you: ptclock must write it. Check the file's "
            "permissions (it should belong to you, mode 600)."
        )


def _roll_back_stale_journal(path: Path, key: bytes | None) -> None:
    """A -journal left by a killed transaction (before WAL was on) is rolled back the way
    SQLite does for every program, instead of making the read-only check fail."""
    journal = path.with_name(path.name + "-journal")
    if _size(journal) == 0:
        return
    try:
        connection = keyed(
            sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000), key
        )
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return  # the checks that follow say what is wrong


def _unfinished_ptclock(connection: sqlite3.Connection, tables: set[str]) -> bool:
    """A first run killed between migrations: ptclock's own tables and migration record,
    no visit yet, no owner mark. Opening it finishes the migrations."""
    if "_sqlite_migrations" not in tables:
        return False
    sets = {row[0] for row in connection.execute("SELECT migration_set FROM _sqlite_migrations")}
    if not sets <= {"ptclock"}:
        return False
    return "visits" not in tables or not connection.execute("SELECT 1 FROM visits").fetchone()


def readable_with(path: Path, key: bytes | None, *, immutable: bool = False) -> bool:
    """Whether the file reads with ``key`` (``immutable``: with its -wal left out)."""
    try:
        connection = connect_read_only(path, key, immutable=immutable)
        try:
            connection.execute("PRAGMA application_id").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return True


def _check_wal_belongs(
    path: Path,
    merged: sqlite3.Connection,
    refuse: Callable[[str], UnusableDatabase],
    key: bytes | None,
) -> None:
    """Refuse a -wal that belongs to another database (another store, or the copy this
    file was before a backup was put in its place): replayed, it would silently replace
    the data or corrupt the file. Every event writes the store's id, so a -wal of this
    store carries this store's id."""
    try:
        alone = connect_read_only(path, key, immutable=True)
        try:
            own = alone.execute("SELECT store_id FROM store_meta").fetchone()
        finally:
            alone.close()
    except sqlite3.Error:
        return  # an older file, or one being checkpointed: nothing to compare
    seen = merged.execute("SELECT store_id FROM store_meta").fetchone()
    if own is not None and seen is not None and own[0] != seen[0]:
        wal = path.with_name(path.name + "-wal")
        raise refuse(
            f"has a -wal file that belongs to another database ({wal}); replaying it would "
            "replace this file's data"
        )


def create_complete(path: Path, key: bytes | None = None) -> None:
    """Make a new, fully migrated database at ``path``, or nothing at all.

    It is built under a temporary name (encrypted with ``key``, if given), closed (so no
    -wal remains), flushed, and linked into place, which fails harmlessly if another process
    made it first: a kill or a full disk during the very first command leaves no half-made
    file under the real name.
    """
    paths.private_dir(path.parent)
    for leftover in path.parent.glob(f".{path.name}.*.creating*"):
        with suppress(OSError):
            if leftover.stat().st_mtime < time.time() - 60:
                leftover.unlink()
    import secrets  # here: it loads OpenSSL, which only a new database needs

    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.creating")
    try:
        descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | NOFOLLOW, 0o600)
        os.close(descriptor)
        connection = connect(temporary, key)
        try:
            from sqlite_utils import Database

            from ptclock.store.schema import migrate

            migrate(Database(connection))
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        fsync_file(temporary)
        with suppress(FileExistsError):  # another ptclock made it a moment ago: theirs is
            os.link(temporary, path)  # complete too
        fsync_folder(path.parent)
    except OSError as error:
        raise StoreError(
            f"cannot create the database {path}: {error.strerror or error}; nothing was left behind"
        ) from error
    finally:
        for name in (temporary, *(temporary.with_name(temporary.name + s) for s in SIDE)):
            with suppress(OSError):
                name.unlink()


SIDE = ("-wal", "-shm", "-journal")
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with suppress(OSError):
        fsync_file(folder)


def create_private_file(path: Path) -> None:
    """Create an empty database file readable by the owner only (0600 on POSIX)."""
    paths.private_dir(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def connect(path: Path, key: bytes | None = None) -> sqlite3.Connection:
    """A connection with WAL, synchronous=FULL, foreign keys and a busy timeout; encrypted
    with ``key`` (SQLCipher: every page of the file and of its -wal), or plain (None).

    ``synchronous`` is per connection, not stored in the file: without FULL on every
    connection the last commits can vanish on power loss. Transactions are managed
    explicitly (isolation_level None): each event is one BEGIN IMMEDIATE … COMMIT.
    """
    connection = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, factory=GuardedConnection
    )
    keyed(connection, key)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def latest_backup(backups: Path, key: bytes | None = None) -> Path | None:
    """The backup holding the newest data, to name it when the database cannot be used.

    Chosen by what is inside (the time of its last audit line), not by its name: a name
    carries the date the clock said when it was made, and a clock once set ten years ahead
    would name a backup of one day the newest.
    """
    try:
        found = sorted(backups.glob("ptclock-*.sqlite3"))
    except OSError:
        return None
    newest: tuple[str, Path] | None = None
    for candidate in found:
        last = last_event_text(candidate, key)
        if last is not None and (newest is None or last >= newest[0]):
            newest = (last, candidate)
    return newest[1] if newest is not None else None


def last_event_text(path: Path, key: bytes | None = None) -> str | None:
    """The UTC time of the last audit line in a ptclock file, without writing to it; an
    encrypted one is read with ``key`` (None: the installation's key, if there is one)."""
    if is_encrypted(path) and key is None:
        with suppress(StoreError):
            key = keys.key_for(keys.data_folder_of(path), ask=False)
    try:
        connection = connect_read_only(path, key if is_encrypted(path) else None, immutable=True)
    except (sqlite3.Error, OSError):
        return None
    try:
        row = connection.execute("SELECT max(at) FROM audit").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if row is None or row[0] is None:
        return None
    return str(row[0])
