"""``ptclock backup`` on a full disk (issue 12, item 10): one sentence, exit 1, no partial file.

It printed a 13-line traceback ending in ``sqlite3.OperationalError: database or disk is
full``. The disk is filled two ways: SQLite's own SQLITE_FULL on the backup's file (its
``max_page_count`` capped, so the error comes from SQLite's pager exactly as on a full disk),
and, where user namespaces allow it, a real 64 KiB tmpfs (space full and inodes full).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ptclock.store import backup
from ptclock.store.driver import sqlite3
from tests.helpers import ok, raw_connect, run


def some_visits(capsys: pytest.CaptureFixture[str], count: int = 20) -> None:
    for number in range(count):
        ok(capsys, "visit", "new", "--patient", f"Patient {number}")
        ok(capsys, "visit", "note", "y" * 3000)


def test_backup_is_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    some_visits(capsys, 2)
    target = tmp_path / "out" / "b.sqlite3"
    printed = ok(capsys, "backup", "--out", str(target)).splitlines()
    assert printed[0] == str(target)
    assert printed[1].startswith("backup key: ") and len(printed[1].split("-")) == 8
    assert "Keep the key apart from the file" in printed[2]
    assert not target.read_bytes().startswith(b"SQLite format 3")  # encrypted, always
    copy = raw_connect(target)  # the installation's key (if any) does not open it
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        copy.execute("PRAGMA integrity_check").fetchone()
    copy.close()


def test_a_full_disk_is_one_sentence_and_leaves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_visits(capsys)
    out = tmp_path / "usb"
    out.mkdir()
    real_copy = backup.copy_database

    def copy_until_full(source: Any, source_key: Any, target: Path, key: Any) -> None:
        """The copy runs out of room on the USB stick after its first pages."""
        real_copy(source, source_key, target, key)
        with target.open("r+b") as written:
            written.truncate(4096)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "copy_database", copy_until_full)
    status, stdout, err = run(capsys, "backup", "--out", str(out / "b.sqlite3"))
    assert (status, stdout) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the backup was not written (the disk is full)" in err
    assert str(out / "b.sqlite3") in err and "no partial file was left" in err
    assert list(out.iterdir()) == []


def test_the_daily_backup_still_swallows_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BackupError is an OSError: the day's automatic backup is retried, never fatal."""
    from datetime import date

    from tests.helpers import keeper

    tk = keeper()
    monkeypatch.setattr(
        backup.sqlite3,
        "connect",
        lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("database or disk is full")),
    )
    assert backup.daily_backup(tk.store.connection, tmp_path, date(2026, 11, 27)) is None
    with pytest.raises(backup.BackupError) as caught:
        tk.store.write_backup(tmp_path / "b.sqlite3")
    assert caught.value.filename == str(tmp_path / "b.sqlite3")
    assert list(tmp_path.iterdir()) == []


def _can_mount_tmpfs() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs unshare and a user mount namespace")
@pytest.mark.parametrize("options", ["size=64k", "size=1m,nr_inodes=2"])
def test_a_real_full_tmpfs(
    capsys: pytest.CaptureFixture[str], user_folders: Path, options: str
) -> None:
    some_visits(capsys)  # a database of about 100 KB
    mount = user_folders / "small"
    mount.mkdir()
    script = (
        f"mount -t tmpfs -o {options} tmpfs {mount} && "
        f"{sys.executable} -m ptclock backup --out {mount}/b.sqlite3; "
        f'echo "status=$?"; ls -A {mount}'
    )
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert done.stdout.splitlines() == ["status=1"]  # nothing on stdout, nothing left behind
    assert done.stderr.count("\n") == 1, done.stderr
    assert "the backup was not written (the disk is full)" in done.stderr
