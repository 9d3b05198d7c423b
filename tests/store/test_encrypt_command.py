"""``ptclock encrypt`` (issue 16): a plain store, its backups and kept-aside copies
encrypted in place, verified before the swap, the plain files wiped after; killed at any
moment, the folder keeps a store that opens with everything in it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptclock import paths
from ptclock.store import open_store
from ptclock.store.conversion import encrypt_folder
from ptclock.store.driver import SQLITE_HEADER, is_encrypted
from ptclock.store.window_lock import WindowLock
from tests.helpers import keeper, run
from tests.store.test_faults import KILL_ROUNDS, killed_at

SECRET = "Philomena Ziggurat-Oyelaran"
NOTE = "cervical radiculopathy, secret exercise plan"


def plain_folder(keyring_off_then_on: None = None, visits: int = 40) -> Path:
    """A plain store (made without a keyring) with visits, notes, a daily backup and a
    file a restore kept aside: everything ``ptclock encrypt`` must convert."""
    database = paths.database_file()
    tk = keeper(path=database)
    for number in range(visits):
        tk.new_visit(f"{SECRET} {number}")
        tk.start("97110")
        tk.set_visit_note(NOTE * 20)
    tk.store.write_backup(database.parent / "backups" / "ptclock-2026-11-26.sqlite3")
    tk.store.write_backup(database.parent / f"{database.name}.replaced-20261126-120000")
    tk.store.close()
    assert database.read_bytes().startswith(SQLITE_HEADER)
    return database


def names_in(database: Path) -> list[str]:
    store = open_store(database)
    try:
        return sorted(v.patient for v in store.open_visits())
    finally:
        store.close()


def plaintext_left(folder: Path) -> list[str]:
    return [
        f.name
        for f in folder.rglob("*")
        if f.is_file() and (SECRET.encode() in f.read_bytes() or NOTE.encode() in f.read_bytes())
    ]


def leftovers(folder: Path) -> list[str]:
    return [f.name for f in folder.rglob("*") if f.name.endswith((".encrypting", ".plain"))]


@pytest.fixture
def plain(keyring_off: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The plain folder, then a keyring (as when ptclock moves to a computer that has one,
    or the clinic turns encryption on)."""
    database = plain_folder()
    from tests.conftest import PLAIN_FILE_KEYRING, use_keyring

    use_keyring(PLAIN_FILE_KEYRING, tmp_path / "keyring", monkeypatch)
    return database


def test_encrypt_converts_the_store_and_every_copy_and_leaves_no_plaintext(
    plain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = names_in(plain)
    status, out, err = run(capsys, "encrypt")
    assert (status, err) == (0, "")
    assert out.startswith(f"encrypted {plain} and 2 backups; the key is in the system keyring")
    assert is_encrypted(plain)
    for copy in [*plain.parent.glob("backups/*.sqlite3"), *plain.parent.glob("*.replaced-*")]:
        assert is_encrypted(copy), copy.name
    assert plaintext_left(plain.parent) == []
    assert leftovers(plain.parent) == []
    assert names_in(plain) == before
    # Done twice: nothing to do, said so, not an error.
    status, out, _ = run(capsys, "encrypt")
    assert status == 0 and "already encrypted" in out


def test_encrypt_without_a_keyring_changes_nothing(
    keyring_off: None, capsys: pytest.CaptureFixture[str]
) -> None:
    database = plain_folder(visits=2)
    before = database.read_bytes()
    status, out, err = run(capsys, "encrypt")
    assert (status, out) == (1, "")
    assert "no system keyring" in err and err.count("\n") == 1
    assert database.read_bytes() == before


def test_encrypt_waits_for_the_window_and_for_other_processes(
    plain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = plain.read_bytes()
    with WindowLock(paths.window_lock_file()):
        status, _, err = run(capsys, "encrypt")
    assert status == 1 and "the ptclock window is open" in err
    other = open_store(plain)  # a command still running, with the store open
    try:
        status, _, err = run(capsys, "encrypt")
        assert status == 1 and "in use by another ptclock" in err
    finally:
        other.close()
    assert plain.read_bytes()[:16] == before[:16] == SQLITE_HEADER
    assert names_in(plain)  # still the plain store, whole


ENCRYPT_KILL_POINTS = {
    "copy written, before the plain file's second name": ("os.link", 1),
    "before the encrypted copy takes the name": ("pathlib.Path.replace", 1),
    "renamed, before the plain file is wiped": ("ptclock.store.conversion.wipe", 1),
    "the backups half done": ("pathlib.Path.replace", 2),
}


@pytest.mark.parametrize("point", ENCRYPT_KILL_POINTS)
def test_encrypt_killed_at_each_step_keeps_a_store_that_opens(plain: Path, point: str) -> None:
    before = names_in(plain)
    target, call = ENCRYPT_KILL_POINTS[point]
    then = (
        "from ptclock.store.conversion import encrypt_folder\n"
        f"encrypt_folder(pathlib.Path({str(plain)!r}))\n"
    )
    died = killed_at(target, call, then)
    assert died.returncode == -9, died.stderr
    assert names_in(plain) == before  # plain or encrypted, it opens, with everything
    encrypt_folder(plain)  # the same command again finishes the work
    assert is_encrypted(plain)
    assert plaintext_left(plain.parent) == []
    assert leftovers(plain.parent) == []
    assert names_in(plain) == before


def test_encrypt_killed_at_random_moments_keeps_a_store_that_opens(plain: Path) -> None:
    before = names_in(plain)
    command = [sys.executable, "-m", "ptclock", "encrypt"]
    started = time.monotonic()
    subprocess.run(command, capture_output=True, timeout=60, check=True, env=dict(os.environ))
    whole = time.monotonic() - started
    # Start again from a plain folder each round; kill somewhere within one run's time.
    rng = random.Random(16)
    for _ in range(KILL_ROUNDS):
        _replant(plain)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3 * whole, whole))  # past the interpreter's start, mostly
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert names_in(plain) == before
        encrypt_folder(plain)  # the command again, as a user would after the kill
        assert plaintext_left(plain.parent) == [] and leftovers(plain.parent) == []
        assert names_in(plain) == before


def _databases(database: Path) -> list[Path]:
    """The store, its backups and the copy a restore kept aside."""
    return [
        database,
        *database.parent.glob("backups/*.sqlite3"),
        *database.parent.glob(f"{database.name}.replaced-*"),
    ]


def _replant(database: Path) -> None:
    """The folder plain again, with the same data: decrypted copies put back."""
    from ptclock.store import keys
    from ptclock.store.cipher import copy_database
    from ptclock.store.opening import connect_read_only

    key = keys.installation_key()
    for file in _databases(database):
        plain = file.with_name(file.name + ".replant")
        source = connect_read_only(file, key if is_encrypted(file) else None)
        try:
            copy_database(source, key if is_encrypted(file) else None, plain, None)
        finally:
            source.close()
        for side in ("-wal", "-shm"):
            file.with_name(file.name + side).unlink(missing_ok=True)
        plain.replace(file)


def test_an_open_wipes_what_a_killed_encrypt_left_once_it_has_settled(
    plain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ptclock.store.conversion

    then = (
        "from ptclock.store.conversion import encrypt_folder\n"
        f"encrypt_folder(pathlib.Path({str(plain)!r}))\n"
    )
    died = killed_at("ptclock.store.conversion.wipe", 1, then)
    assert died.returncode == -9, died.stderr
    assert leftovers(plain.parent) != [] and plaintext_left(plain.parent) != []
    names_in(plain)  # an open just after: it may be an encrypt still at work elsewhere
    assert leftovers(plain.parent) != []
    monkeypatch.setattr(ptclock.store.conversion, "SETTLED_SECONDS", -1)  # a minute later
    names_in(plain)
    assert leftovers(plain.parent) == []
    # Only the copies the killed command had not reached are still plain; it does them again.
    assert set(plaintext_left(plain.parent)) == {
        "ptclock-2026-11-26.sqlite3",
        f"{plain.name}.replaced-20261126-120000",
    }
