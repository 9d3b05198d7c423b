"""Faults at the store's edges (issue 12): a first run that is killed, stray -wal and
-journal files, damage found while in use, a -wal deleted under the window, restore."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from ptclock.store import StoreError, UnusableDatabase, open_store
from ptclock.store.errors import DamagedStore
from ptclock.store.opening import latest_backup
from ptclock.store.restore import restore
from ptclock.store.schema import migrations
from ptclock.store.version import APPLICATION_ID
from ptclock.store.window_lock import WindowLock
from tests.helpers import keeper

ROOT = Path(__file__).parents[2]
KILL_ROUNDS = int(os.environ.get("PTCLOCK_KILL_ROUNDS", "4"))
"""First commands killed at random: 4 by default, for a quick suite; CI runs 12."""


def visits(path: Path) -> int:
    store = open_store(path)
    try:
        return len(store.visits_on(date(2026, 11, 27)))
    finally:
        store.close()


def backup_of(path: Path, target: Path) -> Path:
    store = open_store(path)
    try:
        return store.write_backup(target)
    finally:
        store.close()  # a connection left to the garbage collector checkpoints when it goes


def fill(path: Path, count: int) -> None:
    tk = keeper(path=path)
    for number in range(count):
        tk.new_visit(f"Patient {number}")
    tk.store.close()


# -- the very first command -----------------------------------------------------------------

KILL_POINTS = {
    # where a first run dies: (function, on which call)
    "before the schema": ("ptclock.store.schema.migrate", 1),
    "between migrations": ("ptclock.store.schema.run_script", 2),
    "before the rename": ("os.link", 1),
}

KILL_AT_CALL = """
import importlib, os, pathlib, signal, sys
sys.path.insert(0, {root!r})
module_name, _, name = {target!r}.rpartition(".")
module = pathlib.Path if module_name == "pathlib.Path" else importlib.import_module(module_name)
real, calls = getattr(module, name), []
def die_on_call(*args, **kwargs):
    calls.append(1)
    if len(calls) == {call}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(module, name, die_on_call)
"""
"""A child's preamble: SIGKILL itself on the ``call``-th call of ``target``."""


def killed_at(target: str, call: int, then: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``then`` in a child that dies on the ``call``-th call of ``target``."""
    code = KILL_AT_CALL.format(root=str(ROOT), target=target, call=call) + then
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_first_run_killed_at_any_point_leaves_a_usable_folder(tmp_path: Path, point: str) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    target, call = KILL_POINTS[point]
    then = f"from ptclock.store import open_store\nopen_store(pathlib.Path({str(path)!r}))\n"
    died = killed_at(target, call, then)
    assert died.returncode == -9, died.stderr
    assert not path.exists()  # nothing half-made under the real name
    tk = keeper(path=path)
    assert tk.new_visit("Ada") == 1
    assert tk.store.integrity() == ["ok"]


def test_a_half_migrated_file_from_an_older_ptclock_is_finished(tmp_path: Path) -> None:
    # Before creation was atomic, a kill between migrations left ptclock's tables without
    # the owner mark: "another program's database" forever. It is recognised and finished.
    path = tmp_path / "ptclock.sqlite3"
    connection = sqlite3.connect(path)
    migrations.apply(Database(connection), stop_before="m002_billing_data")
    connection.close()
    store = open_store(path)
    assert store.connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert keeper(store=store).new_visit("Ada") == 1


def test_a_stale_journal_is_rolled_back_not_called_damage(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    fill(path, 3)
    code = f"""
import os, signal
from pathlib import Path
from tests.helpers import raw_connect
c = raw_connect(Path({str(path)!r}), isolation_level=None)
c.execute("PRAGMA journal_mode = DELETE")
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE patients SET name = 'scribbled'")
c.execute("PRAGMA cache_spill = 1")
c.execute("CREATE TABLE filler AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
          "FROM n WHERE i < 50000) SELECT i, randomblob(100) FROM n")
os.kill(os.getpid(), signal.SIGKILL)
"""
    subprocess.run([sys.executable, "-c", code], timeout=60)
    assert (tmp_path / "ptclock.sqlite3-journal").stat().st_size > 0
    store = open_store(path)
    assert store.patient_names() == ["Patient 0", "Patient 1", "Patient 2"]
    assert store.integrity() == ["ok"]


def test_first_commands_killed_at_random_leave_a_usable_folder(tmp_path: Path) -> None:
    import random
    import time

    rounds, broken = KILL_ROUNDS, []
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    for round_ in range(rounds):
        data = tmp_path / f"data{round_}"
        environment["PTCLOCK_DATA_DIR"] = str(data)
        child = subprocess.Popen(
            [sys.executable, "-m", "ptclock", "visit", "new", "--patient", "Ada"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(random.uniform(0.05, 0.4))  # a kill at a random moment, not time passing
        child.kill()
        child.wait()
        after = subprocess.run(
            [sys.executable, "-m", "ptclock", "visit", "list"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if after.returncode != 0:
            broken.append(after.stderr)
    print(f"{rounds} first commands killed at random; {len(broken)} left an unusable folder")
    assert broken == []


# -- -wal and -journal files that do not belong -----------------------------------------------


def test_a_wal_from_another_store_is_refused(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours" / "ptclock.sqlite3", tmp_path / "theirs" / "ptclock.sqlite3"
    fill(ours, 7)
    other = keeper(path=theirs)
    for number in range(42):
        other.new_visit(f"Other {number}")
    stray = theirs.with_name("ptclock.sqlite3-wal").read_bytes()  # while theirs is open
    other.store.close()
    wal = ours.with_name("ptclock.sqlite3-wal")
    wal.write_bytes(stray)
    before = ours.read_bytes()
    with pytest.raises(UnusableDatabase, match="-wal file that belongs to another database"):
        open_store(ours)
    assert ours.read_bytes() == before
    assert wal.read_bytes() == stray
    wal.unlink()
    assert visits(ours) == 7


def test_a_backup_copied_over_a_crashed_sessions_wal_is_refused_then_restored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import ok

    data = tmp_path / "data"
    path = data / "ptclock.sqlite3"
    fill(path, 3)
    saved = backup_of(path, data / "backups" / "ptclock-2026-11-26.sqlite3")
    tk = keeper(path=path)
    for number in range(5):
        tk.new_visit(f"Later {number}")
    # The session crashes (its -wal stays), and someone copies the backup over the file.
    wal = path.with_name("ptclock.sqlite3-wal").read_bytes()
    tk.store.connection.close()
    path.with_name("ptclock.sqlite3-wal").write_bytes(wal)
    path.write_bytes(saved.read_bytes())
    with pytest.raises(UnusableDatabase) as caught:
        open_store(path)
    assert f"ptclock restore {saved}" in str(caught.value)
    # The command the message names puts the backup back, keeping the files it replaces.
    out = ok(capsys, "--data-dir", str(data), "restore", str(saved))
    assert out.startswith(f"restored {saved} into {path}")
    kept = sorted(p.name.rsplit("-", 1)[-1] for p in data.iterdir() if ".replaced-" in p.name)
    assert len(kept) == 3 and kept[1:] == ["shm", "wal"]  # the database, its -shm and -wal
    assert visits(path) == 3
    assert open_store(path).integrity() == ["ok"]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    fill(path, 2)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not restored; nothing was changed"):
        restore(bad, path, datetime(2026, 11, 27, 12))
    assert path.read_bytes() == before


def test_restore_waits_for_the_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import run

    data = tmp_path / "data"
    fill(data / "ptclock.sqlite3", 1)
    backup = backup_of(data / "ptclock.sqlite3", tmp_path / "b.sqlite3")
    with WindowLock(data / "window.lock"):
        status, out, err = run(capsys, "--data-dir", str(data), "restore", str(backup))
    assert (status, out) == (1, "")
    assert "close it first" in err


# -- damage found in use, a -wal deleted under the window ------------------------------------


def test_damage_found_after_the_first_open_is_one_sentence_and_stops_writing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    fill(path, 30)
    open_store(path, today=date(2026, 11, 27)).close()  # the day's check and backup
    data = bytearray(path.read_bytes())
    data[8192:16384] = b"\xa5" * 8192
    path.write_bytes(bytes(data))
    tk = keeper(store=open_store(path, today=date(2026, 11, 27)))  # no scan: not first today
    with pytest.raises(DamagedStore) as caught:
        for visit in range(1, 31):
            tk.tally(visit)
    message = str(caught.value)
    assert "is damaged" in message and "ptclock restore" in message
    assert "ptclock-2026-11-27.sqlite3" in message
    written = path.read_bytes()
    with pytest.raises(DamagedStore):
        tk.new_visit("Ada")
    assert path.read_bytes() == written


def test_a_wal_deleted_under_the_open_window_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    window = keeper(path=path)
    for number in range(6):
        window.new_visit(f"Patient {number}")
    path.with_name("ptclock.sqlite3-wal").unlink()
    window.store.keep_wal_in_place()  # the window's next tick
    cli = open_store(path)  # another process sees every saved visit
    assert len(cli.patient_names()) == 6
    cli.close()
    window.new_visit("After")
    window.store.close()
    assert visits(path) == 7


# -- what is said, and to whom ---------------------------------------------------------------


def test_a_read_only_data_folder_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    fill(path, 1)
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == tmp_path else real(p, mode)
    )
    with pytest.raises(StoreError) as caught:
        open_store(path)
    assert "read-only" in str(caught.value)
    assert "damaged" not in str(caught.value) and "backup" not in str(caught.value)
    assert not str(caught.value).endswith("Try again.")


def test_the_latest_backup_is_the_one_with_the_newest_data(tmp_path: Path) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    fill(path, 1)
    backups = path.parent / "backups"
    # Made while the clock was set ten years ahead: its name sorts last, its data is old.
    backup_of(path, backups / "ptclock-2036-11-27.sqlite3")
    tk = keeper(path=path)
    tk.clock.advance(minutes=60 * 24)  # type: ignore[attr-defined]
    tk.new_visit("Later")
    newest = tk.store.write_backup(backups / "ptclock-2026-11-28.sqlite3")
    assert latest_backup(backups) == newest


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_the_window_lock_and_data_folder_are_owner_only_at_umask_000(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    old = os.umask(0)
    try:
        open_store(data / "ptclock.sqlite3").close()
        with WindowLock(data / "window.lock"):
            assert stat.S_IMODE((data / "window.lock").stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


RESTORE_KILL_POINTS = {
    "before the copy takes the database's place": ("os.replace", 1),
    "after it, before the old -wal is gone": ("pathlib.Path.unlink", 1),
}


@pytest.mark.parametrize("point", RESTORE_KILL_POINTS)
def test_a_restore_killed_at_any_point_loses_nothing(tmp_path: Path, point: str) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    fill(path, 2)
    backup = backup_of(path, tmp_path / "two.sqlite3")
    tk = keeper(path=path)
    tk.new_visit("After the backup")  # in the -wal, as in a crashed session
    wal = path.with_name("ptclock.sqlite3-wal").read_bytes()
    tk.store.connection.close()
    path.with_name("ptclock.sqlite3-wal").write_bytes(wal)
    target, call = RESTORE_KILL_POINTS[point]
    then = (
        "from datetime import datetime\nfrom ptclock.store.restore import restore\n"
        f"restore(pathlib.Path({str(backup)!r}), pathlib.Path({str(path)!r}), "
        "datetime(2026, 11, 27, 12))\n"
    )
    died = killed_at(target, call, then)
    assert died.returncode == -9, died.stderr
    assert path.exists()  # never a folder without its database
    kept = [
        p
        for p in path.parent.iterdir()
        if ".replaced-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(kept) == 1  # the replaced store, with its -wal beside it
    assert {p.name for p in path.parent.iterdir()} >= {kept[0].name + "-wal"}
    try:
        before = visits(path)  # either the old store whole, or refused as not its own -wal
    except UnusableDatabase:
        before = None
    assert before in (3, None)
    restore(backup, path, datetime(2026, 11, 27, 13))  # the same command, again
    assert visits(path) == 2
