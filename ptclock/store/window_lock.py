"""One ptclock window per data folder: a lock file held while the window is open.

The operating system releases the lock when the process ends, however it ends, so a
crash never leaves a stale lock behind. CLI commands do not take it: SQLite's own
locking and the busy timeout let them write while the window is open.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from ptclock import paths
from ptclock.store.errors import WindowAlreadyOpen

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class WindowLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise WindowAlreadyOpen."""
        paths.private_dir(self.path.parent)
        # Owner-only whatever the umask (at umask 000 a plain open made it 0666).
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | NOFOLLOW, 0o600)
        if os.name == "posix":
            os.fchmod(descriptor, 0o600)
        file = os.fdopen(descriptor, "r+b")
        try:
            _lock(file)
        except OSError:
            file.close()
            raise WindowAlreadyOpen(
                f"ptclock is already open on {self.path.parent}; use that window"
            ) from None
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()).encode())
        file.flush()
        self._file = file

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> WindowLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def _lock(file: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
