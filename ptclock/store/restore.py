"""Putting a backup back: verified first, the current file kept aside, never deleted.

``ptclock restore BACKUP`` and the window's Tools → Restore from backup… both come here.
The backup is checked like any store (header, owner mark, schema, full integrity scan);
the current database moves aside together with its -wal and -shm (a -wal replayed into
the restored copy would corrupt it), under a name that says when; then a copy of the
backup, made through SQLite's backup API into a new owner-only file, is renamed into place.
"""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ptclock.store import charge_exports, keys, opening
from ptclock.store.cipher import copy_database
from ptclock.store.clinic_link import carry_over
from ptclock.store.driver import is_encrypted, sqlite3
from ptclock.store.errors import StoreError, UnusableDatabase
from ptclock.store.store import migrate_if_needed

SIDE_FILES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Restored:
    database: Path
    backup: Path
    kept_aside: tuple[Path, ...]
    """The files that were in place before (the database and its -wal/-shm), renamed."""
    last_event: str | None
    """The UTC time of the backup's last audit line: what the restored data reaches."""


def restore(
    backup: Path, database: Path, now: datetime, backup_key: bytes | None = None
) -> Restored:
    """Verify ``backup`` and install a copy of it as ``database``; raise StoreError with
    one sentence (nothing changed) when the backup is not a usable ptclock store.

    An encrypted backup is read with ``backup_key`` (the key printed when it was made to
    take elsewhere) or else this installation's key. The copy put in place is encrypted
    with this installation's key wherever the computer has a keyring (the key is made on
    the first restore of a new computer), as a new store would be; a backup that was
    encrypted is never put back unencrypted.
    """
    backup = backup.expanduser()
    if not backup.is_file():
        raise StoreError(f"{backup} is not a backup file (no such file)")
    if backup.resolve() == database.resolve():
        raise StoreError(f"{backup} is the database itself, not a backup")
    folder = database.parent
    source_key = None
    if is_encrypted(backup):
        source_key = backup_key if backup_key is not None else keys.key_for(folder)
    try:
        opening.check_existing(backup, backup.parent, integrity=True, key=source_key)
    except opening.UnfinishedCreation as error:
        raise StoreError(f"{backup} is empty: not a usable backup") from error
    except UnusableDatabase as error:
        if is_encrypted(backup) and backup_key is None:
            raise StoreError(
                f"{backup} is encrypted with a key this installation does not have: a backup "
                "made with ptclock backup --out is restored with its backup key (ptclock "
                f"restore {backup} --key); not restored; nothing was changed"
            ) from error
        raise StoreError(f"{backup} {error.problem}: not restored; nothing was changed") from error
    target_key = _key_to_restore_with(backup, database, source_key)
    temporary = folder / f".{database.name}.{secrets.token_hex(6)}.restoring"
    kept: list[tuple[Path, Path]] = []
    try:
        descriptor = os.open(
            temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | opening.NOFOLLOW, 0o600
        )
        os.close(descriptor)
        source = opening.connect_read_only(backup, source_key)
        try:
            copy_database(source, source_key, temporary, target_key)
        finally:
            source.close()
        copy = opening.keyed(sqlite3.connect(temporary), target_key)
        try:
            copy.execute("PRAGMA journal_mode = WAL")
            migrate_if_needed(copy)
            _stay_in_the_clinic(copy, database)
        finally:
            copy.close()
        opening.fsync_file(temporary)
        stamp = now.strftime("%Y%m%d-%H%M%S")
        # Kept aside as second names first (the files stay in place meanwhile), then the
        # copy replaces the database in one rename, then the old -wal/-shm go. Killed at any
        # step, the folder holds the old store whole, or the new one next to a -wal that is
        # refused as not its own (run the restore again), and always the kept copies.
        for suffix in SIDE_FILES:
            current = database.with_name(database.name + suffix)
            if current.exists():
                aside = folder / f"{database.name}.replaced-{stamp}{suffix}"
                _second_name(current, aside)
                kept.append((current, aside))
        opening.fsync_folder(folder)
        temporary.replace(database)
        for suffix in SIDE_FILES[1:]:
            with suppress(FileNotFoundError):
                database.with_name(database.name + suffix).unlink()
        opening.fsync_folder(folder)
    except (OSError, sqlite3.Error) as error:
        with suppress(OSError):
            temporary.unlink()
        if not database.exists():
            for current, aside in kept:
                with suppress(OSError):
                    _second_name(aside, current)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise StoreError(
            f"the backup was not restored ({reason}); the files in {folder} are as they were"
        ) from error
    finally:
        for suffix in ("-wal", "-shm", "-journal"):
            with suppress(OSError):
                temporary.with_name(temporary.name + suffix).unlink()
    return Restored(
        database,
        backup,
        tuple(aside for _, aside in kept),
        opening.last_event_text(database, target_key),
    )


def _stay_in_the_clinic(copy: sqlite3.Connection, database: Path) -> None:
    """A workstation of a clinic stays one after a restore, under a new origin
    (``clinic_link.carry_over``), and the charges the replaced file sent to billing stay
    sent (``charge_exports.carry_over``); the replaced file is read only if it can be (it
    may be the damaged file the restore replaces)."""
    current = None
    if database.exists():
        try:
            key = keys.key_for(database.parent) if is_encrypted(database) else None
            current = opening.connect_read_only(database, key)
            current.execute("SELECT origin FROM clinic_link").fetchall()
        except (sqlite3.Error, StoreError):
            if current is not None:
                current.close()
            current = None
    try:
        carry_over(copy, current)
        charge_exports.carry_over(copy, current)
        copy.commit()
    finally:
        if current is not None:
            current.close()


def _key_to_restore_with(backup: Path, database: Path, source_key: bytes | None) -> bytes | None:
    """The key the restored copy is written with (None: plain), once the backup checked out
    (a key made before would outlive a refused backup). Encrypted wherever this folder can
    keep a key; never plain where the backup or the database it replaces was encrypted."""
    folder = database.parent
    if keys.keyring_available() or keys.uses_passphrase(folder):
        return keys.key_for(folder, create=True)
    was_encrypted = source_key is not None or is_encrypted(database)
    if not was_encrypted:
        return None
    if not keys.can_keep_a_key(folder):
        raise StoreError(
            f"{backup} would be put back unencrypted where the data was encrypted, and this "
            "computer has no system keyring to keep a key in (unlock it, or run ptclock "
            "restore from a terminal to choose a passphrase): not restored; nothing was changed"
        )
    return keys.key_for(folder, create=True)


def _second_name(existing: Path, name: Path) -> None:
    """``name`` for the same file (a hard link), or a copy where links are not possible."""
    try:
        os.link(existing, name)
    except OSError:
        shutil.copy2(existing, name)
