"""Restore a backup under a Timekeeper whose database is open (the window's Tools menu).

The connection is closed first (a connection left open on the file that moves aside would
checkpoint into it and delete the new file's -wal by name), the backup is put in place
(``store/restore.py``), and the database is opened again whether or not the backup was taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ptclock.store import StoreError, open_store
from ptclock.store.restore import Restored, restore
from ptclock.timekeeper import Timekeeper

__all__ = ["Restored", "Restoring", "restore_in_place"]


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
    path = keeper.store.path
    if path is None:
        raise ValueError("the store has no database file to restore into")
    keeper.store.close()
    done: Restored | None = None
    problems: list[str] = []
    try:
        done = restore(backup, path, now)
    except StoreError as error:
        problems.append(str(error))
    try:
        keeper.store = open_store(path)
    except StoreError as error:
        problems.append(str(error))
        return Restoring(done, reopened=False, problems=tuple(problems))
    keeper.forget_records()
    return Restoring(done, reopened=True, problems=tuple(problems))
