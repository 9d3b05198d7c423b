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
            f"the latest backup is {latest_backup}"
            if latest_backup is not None
            else "no backup was found"
        )
        super().__init__(f"{path} {problem}. The file was left untouched; {backup}.")


class WindowAlreadyOpen(StoreError):
    """Another ptclock window already uses this data folder."""
