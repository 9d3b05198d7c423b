"""A backup to take elsewhere (issue 16): ``ptclock backup --out`` encrypts it with a key of
its own, printed once; on a new computer ``ptclock restore FILE --key`` asks for that key
and puts the visits back, encrypted with the new computer's own key."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import keyring
import pytest

from ptclock import paths
from ptclock.store import keys, open_store
from ptclock.store.driver import is_encrypted
from tests.conftest import PLAIN_FILE_KEYRING, use_keyring
from tests.helpers import ok, run


def new_computer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Another computer: its own data folder and its own (empty) keyring."""
    data = tmp_path / "computer-b" / "data"
    monkeypatch.setenv(paths.DATA_ENV, str(data))
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "computer-b" / "config"))
    use_keyring(PLAIN_FILE_KEYRING, tmp_path / "computer-b" / "keyring", monkeypatch)
    return data / "ptclock.sqlite3"


def type_key(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))


@pytest.mark.parametrize("first_computer_has_a_keyring", [True, False])
def test_a_backup_taken_elsewhere_restores_on_a_new_computer(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first_computer_has_a_keyring: bool,
) -> None:
    if first_computer_has_a_keyring:
        use_keyring(PLAIN_FILE_KEYRING, tmp_path / "computer-a-keyring", monkeypatch)
    ok(capsys, "visit", "new", "--patient", "Ada Lovelace", "--mrn", "A-1")
    ok(capsys, "timer", "start", "97110")
    ok(capsys, "timer", "add", "97110", "12", "--reason", "documented on paper")
    usb = tmp_path / "usb" / "clinic.sqlite3"
    printed = ok(capsys, "backup", "--out", str(usb)).splitlines()
    key_text = printed[1].removeprefix("backup key: ")
    assert is_encrypted(usb) and b"Ada Lovelace" not in usb.read_bytes()

    database = new_computer(tmp_path, monkeypatch)
    untouched = hashlib.sha256(usb.read_bytes()).hexdigest()
    # Without the key, or with a wrong one: one sentence, exit 1, nothing made or changed.
    status, out, err = run(capsys, "restore", str(usb))
    assert (status, out) == (1, "") and "its backup key" in err and err.count("\n") == 1
    type_key(monkeypatch, "0" * 64)
    status, out, err = run(capsys, "restore", str(usb), "--key")
    assert (status, out) == (1, "") and "not restored; nothing was changed" in err
    assert not database.exists()
    # A key mistyped: exit 2, says what is wrong with it.
    type_key(monkeypatch, key_text[:-3])
    status, _, err = run(capsys, "restore", str(usb), "--key")
    assert status == 2 and "--key: a backup key has 64 digits and letters, this one has 61" in err
    # The key as printed (here in capitals and with spaces, as someone might type it).
    type_key(monkeypatch, key_text.upper().replace("-", " "))
    status, out, err = run(capsys, "restore", str(usb), "--key")
    assert (status, err) == (0, "")
    assert out.startswith(f"restored {usb} into {database}")
    assert hashlib.sha256(usb.read_bytes()).hexdigest() == untouched
    # The visits are back, encrypted with this computer's own key.
    assert is_encrypted(database)
    own = keyring.get_password(keys.SERVICE, keys.ACCOUNT)
    assert own is not None and own != keys.parse_export_key(key_text).hex()
    store = open_store(database)
    visit = store.open_visits()[0]
    assert (visit.patient, visit.mrn) == ("Ada Lovelace", "A-1")
    store.close()
    assert '"97110"' in ok(capsys, "visit", "show", "--json")
