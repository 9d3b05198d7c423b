"""Where the computer has no keyring (issue 16): the patient data encrypted with a
passphrase the person chooses, stretched with PBKDF2 and a salt kept in the data folder,
typed on the terminal (or PTCLOCK_PASSPHRASE for a script) or in the window's dialog."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ptclock import paths
from ptclock.store import keys
from ptclock.store.driver import SQLITE_HEADER, is_encrypted
from ptclock.ui import passphrase_dialog
from tests.helpers import ok, run

GOOD = "correct horse battery staple"


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def passphrase(monkeypatch: pytest.MonkeyPatch, text: str | None) -> None:
    """A new process's passphrase: PTCLOCK_PASSPHRASE (none: unset), nothing remembered."""
    keys.forget_passphrases()
    if text is None:
        monkeypatch.delenv("PTCLOCK_PASSPHRASE", raising=False)
    else:
        monkeypatch.setenv("PTCLOCK_PASSPHRASE", text)


def test_the_command_line_encrypts_with_a_passphrase_and_asks_for_it(
    keyring_off: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada Lovelace")
    database = paths.database_file()
    assert database.read_bytes().startswith(SQLITE_HEADER)
    # Too short: refused, nothing changed.
    passphrase(monkeypatch, "too short")
    status, _, err = run(capsys, "encrypt")
    assert status == 1 and "needs at least 12 characters (this one has 9)" in err
    assert database.read_bytes().startswith(SQLITE_HEADER)
    assert not (database.parent / keys.SALT_FILE).exists()
    passphrase(monkeypatch, GOOD)
    assert run(capsys, "encrypt")[0] == 0
    assert is_encrypted(database)
    salt = (database.parent / keys.SALT_FILE).read_bytes()
    assert len(salt) == keys.SALT_BYTES and GOOD.encode() not in salt
    for file in (p for p in database.parent.rglob("*") if p.is_file()):
        assert b"Ada Lovelace" not in file.read_bytes(), file.name
    # Another process, the same passphrase: the visit is there.
    passphrase(monkeypatch, GOOD)
    assert '"patient": "Ada Lovelace"' in ok(capsys, "visit", "show", "--json")
    # A wrong one: one sentence, exit 1, the file untouched.
    before = checksum(database)
    passphrase(monkeypatch, "wrong horse battery staple")
    status, out, err = run(capsys, "visit", "show")
    assert (status, out) == (1, "") and err.count("\n") == 1
    assert "the passphrase is not the one the patient data" in err
    assert checksum(database) == before
    # None at all, and no terminal to ask on (a script): says how.
    passphrase(monkeypatch, None)
    status, _, err = run(capsys, "visit", "show")
    assert (
        status == 1 and "run ptclock from a terminal to type it, or set PTCLOCK_PASSPHRASE" in err
    )
    assert checksum(database) == before


def test_a_new_store_in_a_passphrase_folder_is_encrypted_too(
    keyring_off: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    passphrase(monkeypatch, GOOD)
    ok(capsys, "encrypt")
    database = paths.database_file()
    database.unlink()  # (as if it were made again in the same folder)
    passphrase(monkeypatch, GOOD)
    ok(capsys, "visit", "new", "--patient", "Grace")
    assert is_encrypted(database)


def dialog(monkeypatch: pytest.MonkeyPatch, answers: list[str | None]) -> list[str]:
    """The passphrase dialog answered in turn; returns what it told the person."""
    replies = iter(answers)
    said: list[str] = []
    monkeypatch.setattr(passphrase_dialog, "typed", lambda _label: next(replies))
    monkeypatch.setattr(passphrase_dialog, "told", said.append)
    return said


def test_the_dialog_explains_then_asks_twice_until_it_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = dialog(monkeypatch, ["short", GOOD, GOOD + "!", GOOD, GOOD])
    chosen = passphrase_dialog.ask(True, keys.CHOOSING_WORDS, keys.check_passphrase)
    assert chosen == GOOD
    assert said[0] == keys.CHOOSING_WORDS
    assert "needs at least 12 characters" in said[1]
    assert said[2] == "The two passphrases typed differ. Choose it again."
    dialog(monkeypatch, [None])
    assert passphrase_dialog.ask(True, keys.CHOOSING_WORDS, keys.check_passphrase) is None
    dialog(monkeypatch, [GOOD])
    assert passphrase_dialog.ask(False, keys.CHOOSING_WORDS, keys.check_passphrase) == GOOD


def test_the_window_asks_again_after_a_wrong_passphrase(
    keyring_off: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptclock.app import PASSPHRASE_TRIES, open_keeper

    ok(capsys, "visit", "new", "--patient", "Ada Lovelace")
    passphrase(monkeypatch, GOOD)
    ok(capsys, "encrypt")
    passphrase(monkeypatch, None)
    typed = iter(["wrong horse battery staple", "still not it at all", GOOD])
    keys.ask_passphrases_with(lambda _new: next(typed))
    told: list[str] = []
    keeper = open_keeper(told.append)
    assert [v.patient for v in keeper.store.open_visits()] == ["Ada Lovelace"]
    keeper.store.close()
    assert len(told) == 2 and told[0].startswith("The passphrase is not the one")
    assert told[0].endswith("Type it again.")
    # Wrong every time: the last refusal is what the window reports (and it closes).
    keys.forget_passphrases()
    keys.ask_passphrases_with(lambda _new: "never the right one")
    told.clear()
    with pytest.raises(keys.WrongPassphrase):
        open_keeper(told.append)
    assert len(told) == PASSPHRASE_TRIES - 1
