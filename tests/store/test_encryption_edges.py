"""Edges of encryption found on review (issue 16): a salt left by a failed first encrypt,
a plain file with a second name, a killed backup's plain leftover, Ctrl-D at a prompt, two
file "keyrings" chained, and a plain backup restored where the data was encrypted."""

from __future__ import annotations

import os
import types
from datetime import datetime
from pathlib import Path

import pytest

import ptclock.store.conversion
from ptclock import paths
from ptclock.cli import passphrase_prompt
from ptclock.cli.parser import UserError
from ptclock.store import StoreError, keys, open_store
from ptclock.store.conversion import wipe
from ptclock.store.driver import SQLITE_HEADER, is_encrypted
from ptclock.store.restore import restore
from tests.helpers import ok, run

GOOD = "correct horse battery staple"


def test_a_salt_left_by_a_failed_encrypt_does_not_skip_choosing_the_passphrase(
    keyring_off: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    database = paths.database_file()
    monkeypatch.setenv("PTCLOCK_PASSPHRASE", GOOD)
    busy = open_store(database)  # another ptclock has it open: the first encrypt fails
    try:
        status, _, err = run(capsys, "encrypt")
    finally:
        busy.close()
    assert status == 1 and "in use by another ptclock" in err
    assert (database.parent / keys.SALT_FILE).exists()  # chosen, but nothing encrypted
    keys.forget_passphrases()
    monkeypatch.setenv("PTCLOCK_PASSPHRASE", "x")  # a slip: too short, and typed once
    status, _, err = run(capsys, "encrypt")
    assert status == 1 and "needs at least 12 characters" in err
    assert database.read_bytes().startswith(SQLITE_HEADER)
    keys.forget_passphrases()
    monkeypatch.setenv("PTCLOCK_PASSPHRASE", GOOD)
    assert run(capsys, "encrypt")[0] == 0 and is_encrypted(database)


def test_wiping_a_name_spares_the_same_file_under_another_name(tmp_path: Path) -> None:
    kept = tmp_path / "ptclock.sqlite3.replaced-20261127-120000"
    kept.write_bytes(b"patient data" * 100)
    aside = tmp_path / ".ptclock.sqlite3.abc.plain"
    os.link(kept, aside)
    wipe(aside)
    assert not aside.exists()
    assert kept.read_bytes() == b"patient data" * 100  # converted by encrypt in its turn
    alone = tmp_path / "alone.plain"
    alone.write_bytes(b"patient data")
    inode = alone.stat().st_ino
    with alone.open("rb") as still_open:  # the same inode, read after the wipe
        wipe(alone)
        assert os.fstat(still_open.fileno()).st_ino == inode
        assert still_open.read() == bytes(len(b"patient data"))
    assert not alone.exists()


def test_a_killed_backups_plain_leftover_is_wiped_once_settled(
    keyring_on: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada Lovelace")
    database = paths.database_file()
    leftover = database.parent / "backups" / ".ptclock-2026-11-27.sqlite3.4242.partial"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(SQLITE_HEADER + b"Ada Lovelace" * 50)  # a plain copy, half written
    open_store(database).close()
    assert leftover.exists()  # young: it may be another process's backup in progress
    monkeypatch.setattr(ptclock.store.conversion, "SETTLED_SECONDS", -1)
    open_store(database).close()
    assert not leftover.exists()


def test_ctrl_d_at_a_prompt_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    def end_of_input(_prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(passphrase_prompt.getpass, "getpass", end_of_input)
    with pytest.raises(UserError, match="nothing was typed; nothing was changed"):
        passphrase_prompt.typed("Passphrase: ")


def test_two_file_keyrings_chained_are_still_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    files = [types.SimpleNamespace(priority=0.5), types.SimpleNamespace(priority=0.5)]
    chain = types.SimpleNamespace(priority=10, backends=files)
    monkeypatch.setattr(keys, "_keyring", lambda: types.SimpleNamespace(get_keyring=lambda: chain))
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert not keys.keyring_available()
    files.append(types.SimpleNamespace(priority=5))  # a Secret Service in the chain
    assert keys.keyring_available()


def test_a_plain_backup_is_not_put_back_plain_where_the_data_was_encrypted(
    keyring_on: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import keeper

    plain_folder = tmp_path / "old-plain"
    from tests.conftest import NO_KEYRING, PLAIN_FILE_KEYRING, use_keyring

    use_keyring(NO_KEYRING, tmp_path / "none", monkeypatch)
    old = keeper(path=plain_folder / "ptclock.sqlite3")
    old.new_visit("From before")
    backup = old.store.write_backup(tmp_path / "plain-backup.sqlite3")
    old.store.close()
    use_keyring(PLAIN_FILE_KEYRING, tmp_path / "keyring", monkeypatch)
    database = tmp_path / "data" / "ptclock.sqlite3"
    keeper(path=database).store.close()
    assert is_encrypted(database)
    before = database.read_bytes()
    use_keyring(NO_KEYRING, tmp_path / "none", monkeypatch)  # the keyring out of reach
    with pytest.raises(StoreError, match="would be put back unencrypted"):
        restore(backup, database, datetime(2026, 11, 27, 12))
    assert database.read_bytes() == before


def test_a_file_replaced_while_the_store_opened_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ptclock encrypt swaps the file while a command is opening it: the command's
    connection holds the old file, so its first write is refused, not lost in it."""
    from ptclock.store import opening
    from tests.helpers import keeper

    path, other = tmp_path / "ptclock.sqlite3", tmp_path / "other.sqlite3"
    keeper(path=path).store.close()
    keeper(path=other).store.close()
    real_connect = opening.connect

    def connect_then_swapped(database: Path, key: bytes | None = None) -> object:
        connection = real_connect(database, key)
        other.replace(path)  # the swap lands just after the connection opened the file
        return connection

    monkeypatch.setattr(opening, "connect", connect_then_swapped)
    store = open_store(path)
    monkeypatch.setattr(opening, "connect", real_connect)
    with pytest.raises(StoreError, match="was deleted or replaced while ptclock was running"):
        keeper(store=store).new_visit("Ada")
    store.close()
