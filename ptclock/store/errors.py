"""What can be wrong with the database, in words a clinic's IT person can act on."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Any problem with the database file that ptclock refuses to work around."""


class UnusableDatabase(StoreError):
    """The file is damaged, foreign, empty or from a newer ptclock: left untouched."""

    def __init__(self, path: Path, problem: str, latest_backup: Path | None) -> None:
        self.path = path
        self.problem = problem
        self.latest_backup = latest_backup
        backup = (
            f"restore the latest backup with: ptclock restore {latest_backup}"
            if latest_backup is not None
            else "no backup was found next to it"
        )
        super().__init__(f"{path} {problem}. The file was left untouched; {backup}")


class WindowAlreadyOpen(StoreError):
    """Another ptclock window already uses this data folder."""


class DamagedStore(StoreError):
    """The file was found damaged while in use: nothing more is written to it."""


def restore_advice(path: Path | None) -> str:
    """Which backup to restore, and the command that does it."""
    if path is None:
        return "Restore a backup with: ptclock restore BACKUP"
    from ptclock.store.opening import latest_backup

    latest = latest_backup(path.parent / "backups")
    if latest is None:
        return "No backup was found next to it."
    return f"Restore the latest backup with: ptclock restore {latest}"
