"""Disk trouble: a read-only data folder, a full disk, the database deleted while running."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock.store import StoreError, open_store
from tests.helpers import keeper

ROOT = Path(__file__).parents[2]


def cli(data: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PTCLOCK_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "ptclock", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_read_only_database_is_a_clear_message(tmp_path: Path) -> None:
    """A database opened read-only (a mount, a locked-down share) refuses writes in words."""
    path = tmp_path / "ptclock.sqlite3"
    tk = keeper(path=path)
    visit = tk.new_visit("Ada")
    tk.store.connection.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreError, match="not saved") as caught:
        tk.start("97110", visit)
    assert "everything saved before it is kept" in str(caught.value)
    tk.store.connection.execute("PRAGMA query_only = OFF")
    assert open_store(path).integrity() == ["ok"]


def test_full_disk_loses_only_the_change_that_did_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    tk = keeper(path=path)
    visit = tk.new_visit("Ada")
    tk.add_minutes("97110", 10, "before the disk filled")
    pages = tk.store.connection.execute("PRAGMA page_count").fetchone()[0]
    tk.store.connection.execute(f"PRAGMA max_page_count = {pages}")  # the disk is now full
    with pytest.raises(StoreError, match="the disk is full: this change was not saved"):
        tk.set_visit_note("x" * 4000, visit)
    tk.store.close()
    store = open_store(path)
    assert store.integrity() == ["ok"]
    assert [a.reason for a in store.adjustments(visit)] == ["before the disk filled"]
    assert store.visit(visit).note == ""  # type: ignore[union-attr]


def test_database_deleted_while_running_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    tk = keeper(path=path)
    visit = tk.new_visit("Ada")
    tk.start("97110", visit)
    for name in ("ptclock.sqlite3", "ptclock.sqlite3-wal", "ptclock.sqlite3-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="was deleted or replaced while ptclock was running"):
        tk.stop(None, visit)
    assert not path.exists()  # nothing half-written appears in its place


def test_cli_says_disk_trouble_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ptclock.sqlite3").mkdir()  # something that is not a file where the file goes
    done = cli(data, "visit", "new", "--patient", "Ada")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "ptclock.sqlite3" in done.stderr
    assert sqlite3.sqlite_version
