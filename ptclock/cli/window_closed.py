"""Commands that replace the database file wait for the window to be closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ptclock import paths
from ptclock.store import StoreError, WindowAlreadyOpen
from ptclock.store.window_lock import WindowLock


@contextmanager
def window_closed(in_the_window: str) -> Iterator[None]:
    """Hold the data folder's window lock while the block runs; StoreError (naming where
    the window does the same, ``in_the_window``) when a window has it open."""
    lock = WindowLock(paths.window_lock_file())
    try:
        lock.acquire()
    except WindowAlreadyOpen:
        raise StoreError(
            f"the ptclock window is open on this data folder: close it first, or use "
            f"{in_the_window} in the window"
        ) from None
    try:
        yield
    finally:
        lock.release()
