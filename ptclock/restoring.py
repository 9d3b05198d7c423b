"""Replace the database file under a Timekeeper whose database is open (the window's Tools
menu): restore a backup, or encrypt the store.

The connection is closed first (a connection left open on the file that moves aside would
checkpoint into it and delete the new file's -wal by name), the file is replaced
(``store/restore.py``, ``store/conversion.py``), and the database is opened again whether
or not that worked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TypeVar

from ptclock.store import StoreError, keys, open_store
from ptclock.store.conversion import Encrypted, encrypt_folder
from ptclock.store.restore import Restored, restore
from ptclock.timekeeper import Timekeeper

T = TypeVar("T")

__all__ = [
    "Encrypted",
    "Encrypting",
    "Encryption",
    "Restored",
    "Restoring",
    "encrypt_in_place",
    "encryption",
    "restore_in_place",
]


@dataclass(frozen=True)
class Restoring:
    restored: Restored | None
    """What was put in place; None when the backup was refused (``problems`` says why)."""
    reopened: bool
    """Whether the keeper reads a database again (the backup, or the file it replaced)."""
    problems: tuple[str, ...] = ()
    """One sentence per step that failed, in order."""


def restore_in_place(keeper: Timekeeper, backup: Path, now: datetime) -> Restoring:
    """Put ``backup`` in place of ``keeper``'s database file and open it again.

    ``keeper`` must have a database file (``keeper.store.path`` is not None).
    """
    done, reopened, problems = _with_store_closed(keeper, lambda path: restore(backup, path, now))
    return Restoring(done, reopened, problems)


def _with_store_closed(
    keeper: Timekeeper, change: Callable[[Path], T]
) -> tuple[T | None, bool, tuple[str, ...]]:
    """``change`` the database file with ``keeper``'s connection closed, then open it
    again: what ``change`` returned (None if it refused), whether the keeper reads a
    database again, and one sentence per step that failed."""
    path = keeper.store.path
    if path is None:
        raise ValueError("the store has no database file to change")
    keeper.store.close()
    done: T | None = None
    problems: list[str] = []
    try:
        done = change(path)
    except StoreError as error:
        problems.append(str(error))
    try:
        keeper.store = open_store(path)
    except StoreError as error:
        problems.append(str(error))
        return done, False, tuple(problems)
    keeper.forget_records()
    return done, True, tuple(problems)


class Encryption(Enum):
    """Whether the patient data at rest is encrypted, in words the window can say."""

    ENCRYPTED = "encrypted"
    CAN_ENCRYPT = "not encrypted; this computer has a keyring to keep a key in"
    NO_KEYRING = "not encrypted; no keyring here: a passphrase would be chosen"
    IN_MEMORY = "in memory only"


def encryption(keeper: Timekeeper) -> Encryption:
    if keeper.store.path is None:
        return Encryption.IN_MEMORY
    if keeper.store.encrypted:
        return Encryption.ENCRYPTED
    return Encryption.CAN_ENCRYPT if keys.keyring_available() else Encryption.NO_KEYRING


@dataclass(frozen=True)
class Encrypting:
    encrypted: Encrypted | None
    """What was encrypted; None when it was refused (``problems`` says why)."""
    reopened: bool
    problems: tuple[str, ...] = ()


def encrypt_in_place(keeper: Timekeeper) -> Encrypting:
    """Encrypt ``keeper``'s database (and its backups) and open it again."""
    done, reopened, problems = _with_store_closed(keeper, encrypt_folder)
    return Encrypting(done, reopened, problems)
