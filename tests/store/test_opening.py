"""Opening the store: what is not ours is refused and left byte-for-byte unchanged."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from ptclock.store import StoreError, UnusableDatabase, open_store
from ptclock.store.backup import KEEP_DAILY, daily_backup
from ptclock.store.schema import SCHEMA_VERSION, migrations
from tests.helpers import keeper, raw_connect


def refused(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(UnusableDatabase, match=match) as caught:
        open_store(path)
    assert path.read_bytes() == before
    assert str(path) in str(caught.value)
    assert "left untouched" in str(caught.value)


def test_garbage_file(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 50)
    refused(path, "not an SQLite file")


def test_an_empty_file_left_by_a_killed_first_run_is_made_anew(tmp_path: Path) -> None:
    # An empty file holds nothing: it is what a first run killed before its first write
    # left behind (issue 12, item 2). Refusing it forever helped no one.
    path = tmp_path / "ptclock.sqlite3"
    path.write_bytes(b"")
    tk = keeper(store=open_store(path))
    assert tk.new_visit("Ada") == 1
    assert tk.store.integrity() == ["ok"]


def test_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    open_store(path).close()
    connection = raw_connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    refused(path, "newer ptclock")


def test_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.commit()
    connection.close()
    refused(path, "another program")


def test_damaged_database_names_the_latest_backup(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    tk = keeper(path=path)
    tk.new_visit("Ada")
    tk.store.close()
    open_store(path, today=date(2026, 11, 27)).close()  # makes the day's backup
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # scribble over the second page
    path.write_bytes(bytes(data))
    with pytest.raises(UnusableDatabase) as caught:
        open_store(path)
    assert "ptclock-2026-11-27.sqlite3" in str(caught.value)


def test_new_database_is_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    store = open_store(folder / "ptclock.sqlite3")
    tk = keeper(store=store)
    tk.new_visit("Ada")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("ptclock.sqlite3", "ptclock.sqlite3-wal"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name


def test_settings_that_must_hold_on_every_connection(tmp_path: Path) -> None:
    store = open_store(tmp_path / "ptclock.sqlite3")
    pragma = store.connection.execute
    assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
    assert pragma("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_schema_version_counts_the_migrations() -> None:
    assert len(migrations.pending(Database(memory=True))) == SCHEMA_VERSION


def test_daily_backup_once_a_day_keeping_fourteen(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    keeper(path=path).store.close()
    for day in range(1, 20):
        open_store(path, today=date(2026, 11, day)).close()
    open_store(path, today=date(2026, 11, 19)).close()
    backups = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(backups) == KEEP_DAILY
    assert backups[0] == "ptclock-2026-11-06.sqlite3"
    assert backups[-1] == "ptclock-2026-11-19.sqlite3"
    assert stat.S_IMODE((tmp_path / "backups" / backups[-1]).stat().st_mode) == 0o600


def test_backup_holds_what_was_committed(tmp_path: Path) -> None:
    tk = keeper(path=tmp_path / "ptclock.sqlite3")
    tk.new_visit("Ada")
    tk.start("97110")
    target = daily_backup(
        tk.store.connection, tmp_path / "backups", date(2026, 11, 27), tk.store._key
    )
    assert target is not None
    copy = open_store(target)
    assert [s.code for s in copy.running_segments()] == ["97110"]


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "not-a-folder").write_text("")
    with pytest.raises(StoreError, match="cannot create the database"):
        open_store(folder / "not-a-folder" / "ptclock.sqlite3")
