"""One window per data folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ptclock.store import WindowAlreadyOpen
from ptclock.store.window_lock import WindowLock

HOLD = """
import sys, time
from pathlib import Path
from ptclock.store.window_lock import WindowLock
lock = WindowLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
"""


def test_second_window_is_told_and_lock_goes_with_the_process(tmp_path: Path) -> None:
    path = tmp_path / "window.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WindowAlreadyOpen, match="already open"):
            WindowLock(path).acquire()
    finally:
        holder.kill()
        holder.communicate()
    with WindowLock(path):
        pass
