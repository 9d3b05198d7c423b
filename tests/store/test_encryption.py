"""Patient data encrypted at rest (issue 16): with a system keyring, a new store, its -wal
and its daily backups are encrypted with SQLCipher under a random key kept in the keyring;
a wrong or missing key, or a locked keyring, is one sentence and leaves the file as it was.

Real SQLCipher throughout; the keyring is a file under the test's own folder standing in
for the system's (``keyring_on``), or one that stays locked."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import keyring
import pytest

from ptclock.store import UnusableDatabase, keys, open_store
from ptclock.store.driver import SQLITE_HEADER
from ptclock.store.keys import KeyProblem
from tests.helpers import keeper, run
from tests.keyring_backends import LockedKeyring

SECRET_NAME = "Zebulon Quixotic-Marchetti"
"""A patient's name no page of an encrypted file can hold by chance."""


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def every_file(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_a_new_store_and_its_wal_and_backups_hold_no_readable_patient_data(
    keyring_on: Path, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    tk = keeper(path=path)
    assert tk.store.encrypted
    tk.new_visit(SECRET_NAME, mrn="MRN-778899")
    tk.start("97110")
    tk.set_code_note("97110", body_part="left knee", exercises="step-ups with a secret twist")
    tk.store.close()
    # A day's first open makes the daily backup; another process has the -wal open.
    reopened = open_store(path, today=date(2026, 11, 27))
    reopened.connection.execute("SELECT count(*) FROM visits").fetchone()
    files = every_file(tmp_path / "data")
    assert path.with_name("ptclock.sqlite3-wal") in files or path in files
    assert any(f.parent.name == "backups" for f in files)
    for file in files:
        content = file.read_bytes()
        for secret in (SECRET_NAME, "MRN-778899", "secret twist", "97110"):
            assert secret.encode() not in content, f"{secret!r} readable in {file.name}"
        if file.suffix == ".sqlite3":
            assert not content.startswith(SQLITE_HEADER), f"{file.name} is a plain SQLite file"
    assert [v.patient for v in reopened.open_visits()] == [SECRET_NAME]
    reopened.close()


def test_the_key_is_random_kept_in_the_keyring_and_nowhere_near_the_data(
    keyring_on: Path, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    keeper(path=path).store.close()
    stored = keyring.get_password(keys.SERVICE, keys.ACCOUNT)
    assert stored is not None and len(bytes.fromhex(stored)) == keys.KEY_BYTES
    for file in every_file(tmp_path / "data") + every_file(tmp_path / "config"):
        content = file.read_bytes()
        assert stored.encode() not in content and bytes.fromhex(stored) not in content
    # A second installation (another keyring) makes another key.
    keyring.delete_password(keys.SERVICE, keys.ACCOUNT)
    assert keys.installation_key(create=True) != bytes.fromhex(stored)


def test_without_a_keyring_a_new_store_is_plain(keyring_off: None, tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    store = open_store(path)
    assert not store.encrypted
    assert path.read_bytes().startswith(SQLITE_HEADER)
    store.close()


def test_a_plain_store_keeps_opening_when_a_keyring_appears(
    keyring_off: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    tk = keeper(path=path)
    tk.new_visit("Ada")
    tk.store.close()
    from tests.conftest import PLAIN_FILE_KEYRING, use_keyring

    use_keyring(PLAIN_FILE_KEYRING, tmp_path / "keyring", monkeypatch)
    store = open_store(path)
    assert not store.encrypted  # converted only when asked (ptclock encrypt)
    assert [v.patient for v in store.open_visits()] == ["Ada"]
    store.close()


def encrypted_store(path: Path) -> str:
    tk = keeper(path=path)
    tk.new_visit(SECRET_NAME)
    tk.store.close()
    return checksum(path)


def test_a_file_encrypted_by_another_installation_is_refused_untouched(
    keyring_on: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    before = encrypted_store(path)
    keyring.set_password(keys.SERVICE, keys.ACCOUNT, "ab" * keys.KEY_BYTES)  # another key
    with pytest.raises(UnusableDatabase, match="encrypted with another installation's key"):
        open_store(path)
    assert checksum(path) == before


def test_a_missing_key_is_refused_untouched(keyring_on: Path, tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    before = encrypted_store(path)
    keyring.delete_password(keys.SERVICE, keys.ACCOUNT)
    with pytest.raises(UnusableDatabase, match="no database key in the system keyring"):
        open_store(path)
    assert checksum(path) == before


def test_a_locked_keyring_is_one_sentence_and_exit_1(
    keyring_on: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, _ = run(capsys, "visit", "new", "--patient", SECRET_NAME)
    assert status == 0
    from ptclock import paths

    database = paths.database_file()
    before = checksum(database)
    keyring.set_keyring(LockedKeyring())
    status, out, err = run(capsys, "visit", "show", "--json")
    assert status == 1 and out == ""
    assert err.count("\n") == 1
    assert "keyring that holds ptclock's database key is locked: unlock it" in err
    assert SECRET_NAME not in err
    assert checksum(database) == before


def test_a_wrong_key_from_the_command_line_is_one_sentence_and_exit_1(
    keyring_on: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "visit", "new", "--patient", SECRET_NAME)[0] == 0
    from ptclock import paths

    database = paths.database_file()
    before = {file: checksum(file) for file in every_file(database.parent)}
    keyring.set_password(keys.SERVICE, keys.ACCOUNT, "cd" * keys.KEY_BYTES)
    status, out, err = run(capsys, "visit", "show", "--json")
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and "another installation's key" in err
    assert {file: checksum(file) for file in every_file(database.parent)} == before


def test_a_keyring_entry_that_is_not_a_key_is_said_so(keyring_on: Path) -> None:
    keyring.set_password(keys.SERVICE, keys.ACCOUNT, "hunter2")
    with pytest.raises(KeyProblem, match="is not a ptclock database key"):
        keys.installation_key()


def test_the_export_key_reads_back_however_it_is_typed() -> None:
    key = bytes(range(32))
    text = keys.export_key_text(key)
    assert len(text.split("-")) == 8
    assert keys.parse_export_key(text) == key
    assert keys.parse_export_key(text.upper().replace("-", " ")) == key
    with pytest.raises(ValueError, match="has 64 digits and letters, this one has 62"):
        keys.parse_export_key(text[:-2])
    with pytest.raises(ValueError, match="only the digits 0–9 and the letters a–f"):
        keys.parse_export_key(text.replace("0", "o"))


def test_settings_never_hold_the_key(keyring_on: Path, tmp_path: Path) -> None:
    from ptclock.settings import Settings, save_settings, settings_to_dict

    keeper(path=tmp_path / "ptclock.sqlite3").store.close()
    saved = save_settings(Settings(provider="Jo Park"))
    stored = keyring.get_password(keys.SERVICE, keys.ACCOUNT)
    assert stored is not None and stored not in saved.read_text()
    assert "key" not in json.dumps(settings_to_dict(Settings())).lower()
