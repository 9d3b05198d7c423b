"""``ptclock encrypt``: a plain store, and every plain copy of it, encrypted in place, safely.

For the database and then each plain copy next to it (the daily and manual backups, the
files a restore kept aside):

1. The key is made and kept in the system keyring first (nothing changes if it cannot be).
2. The plain file is switched to a rollback journal, which needs every other connection
   closed ("another ptclock is using it" otherwise), so no -wal or -shm of it is left to be
   replayed into the encrypted file; then its write lock is taken and held to the end, so
   no other process commits to it meanwhile.
3. An encrypted copy is written under a temporary name (``sqlcipher_export``), read back
   with the key and compared with the plain file table by table (``cipher.content_digest``),
   and its integrity checked; it is flushed to disk.
4. The plain file gets a second name (``.NAME.TOKEN.plain``), then the copy takes the real
   name in one rename. A writer that waited for the lock finds the file replaced and
   refuses (``Store.transaction``), so its change is not written into the old file.
5. The plain file is overwritten with zeros, flushed, and its second name removed.

Killed at any moment, the folder holds a store that opens: the plain one (until step 4's
rename) or the encrypted one (after it: the key is already in the keyring). A copy under a
temporary name is removed, and a plain file left under a second name is wiped, by the next
``ptclock encrypt``, or by an open of the encrypted store a minute later (a younger
leftover may be an encrypt still at work in another process: ``finish_interrupted``).

Overwriting is what a program can do: on a solid-state disk, or a file system that copies
on write, old blocks may survive it. docs/security.md says so, and recommends full-disk
encryption as well.
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from ptclock.store import keys, opening
from ptclock.store.cipher import content_digest, copy_database
from ptclock.store.driver import is_encrypted, is_plain, sqlite3
from ptclock.store.errors import StoreError

WIPE_CHUNK = 1 << 20


@dataclass(frozen=True)
class Encrypted:
    database: Path
    copies: tuple[Path, ...]
    """The backups and kept-aside files encrypted along with it."""
    already: bool = False
    """Everything was encrypted before: nothing was done."""


def encrypt_folder(database: Path) -> Encrypted:
    """Encrypt ``database`` and every plain ptclock copy in its folder and backups folder.
    StoreError (one sentence, nothing changed for that file) when it cannot be done."""
    if not database.exists():
        raise StoreError(f"there is no database at {database} yet: nothing to encrypt")
    finish_interrupted(database.parent, all_of_them=True)
    key = keys.key_for(database.parent, create=True)
    assert key is not None  # create=True: a key, or KeyProblem
    done_database = False
    if not is_encrypted(database):
        opening.check_existing(database, database.parent / "backups", integrity=True)
        encrypt_file(database, key)
        done_database = True
    elif not opening.readable_with(database, key):
        opening.check_existing(database, database.parent / "backups", key=key)  # says why
    copies = []
    for copy in plain_copies(database):
        encrypt_file(copy, key)
        copies.append(copy)
    return Encrypted(database, tuple(copies), already=not done_database and not copies)


def plain_copies(database: Path) -> list[Path]:
    """The plain ptclock databases beside ``database``: backups, kept-aside files."""
    folder = database.parent
    candidates = (
        sorted((folder / "backups").glob("*.sqlite3")) if (folder / "backups").is_dir() else []
    )
    candidates += sorted(
        p
        for p in folder.glob(f"{database.name}.replaced-*")
        if not p.name.endswith(("-wal", "-shm", "-journal"))
    )
    return [p for p in candidates if p.is_file() and is_plain(p)]


def encrypt_file(path: Path, key: bytes) -> None:
    """Steps 2–5 of the module's docstring for one plain file."""
    folder = path.parent
    temporary = folder / f".{path.name}.{keys.random_bytes(6).hex()}.encrypting"
    aside: Path | None = None
    try:
        holder = sqlite3.connect(path, isolation_level=None, timeout=opening.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise StoreError(f"{path} could not be opened to encrypt it ({error})") from error
    try:
        opening.keyed(holder, None)
        _to_rollback_journal(holder, path)
        holder.execute("BEGIN IMMEDIATE")  # held to the end: no one commits meanwhile
        descriptor = os.open(
            temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | opening.NOFOLLOW, 0o600
        )
        os.close(descriptor)
        reader = opening.keyed(sqlite3.connect(path, isolation_level=None), None)
        try:
            copy_database(reader, None, temporary, key)
            expected = content_digest(reader)
        finally:
            reader.close()
        _verify(temporary, key, expected, path)
        opening.fsync_file(temporary)
        aside = folder / f".{path.name}.{keys.random_bytes(6).hex()}.plain"
        os.link(path, aside)
        temporary.replace(path)
        opening.fsync_folder(folder)
    except (OSError, sqlite3.Error) as error:
        with suppress(OSError):
            temporary.unlink()
        with suppress(OSError):
            if aside is not None and path.samefile(aside):  # linked, not swapped
                aside.unlink()
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise StoreError(f"{path} was not encrypted ({reason}); it is as it was") from error
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise
    finally:
        with suppress(sqlite3.Error):
            holder.execute("ROLLBACK")
        holder.close()
    wipe(aside)


def _to_rollback_journal(holder: sqlite3.Connection, path: Path) -> None:
    try:
        mode = holder.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError as error:
        mode = str(error)
    if str(mode).lower() != "delete":
        raise StoreError(
            f"{path} is in use by another ptclock (the window, or a command still running): "
            "close it and run ptclock encrypt again; nothing was changed"
        )


def _verify(copy: Path, key: bytes, expected: dict[str, tuple[int, str]], source: Path) -> None:
    connection = opening.connect_read_only(copy, key)
    try:
        same = content_digest(connection) == expected
        intact = connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        cipher_ok = connection.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        connection.close()
    if not (same and intact and cipher_ok):
        raise StoreError(
            f"the encrypted copy of {source} did not read back the same; the file is as it was"
        )


def wipe(path: Path) -> None:
    """Overwrite ``path`` with zeros, flush it, and remove it. A file that has another name
    too (a copy a restore kept aside as a hard link) only loses this name: its content is
    that other file's, converted by ``ptclock encrypt`` in its turn."""
    try:
        if path.stat().st_nlink > 1:
            path.unlink()
            return
        size = path.stat().st_size
        with path.open("r+b", buffering=0) as file:
            zeros = bytes(min(size, WIPE_CHUNK))
            written = 0
            while written < size:
                written += file.write(zeros[: size - written])
            os.fsync(file.fileno())
        path.unlink()
    except FileNotFoundError:
        return


PLAIN_LEFTOVERS = (".partial", ".restoring", ".creating")
"""Temporary names of a backup, a restore and a first run: killed, they may hold a plain
copy of the data (in an encrypted folder they are wiped too, once settled)."""

SETTLED_SECONDS = 60
"""An open of the store finishes only leftovers this old: a younger one may belong to an
encrypt still running in another process (which holds the window lock, so a second
``ptclock encrypt`` never runs beside it and finishes everything at once)."""


def finish_interrupted(folder: Path, *, all_of_them: bool = False) -> list[Path]:
    """What a killed ``ptclock encrypt`` left in ``folder`` (and its backups folder): copies
    under a temporary name are removed; plain files under a second name are wiped, unless
    that name is still the live file's (killed before the rename: just the name goes); a
    plain copy a killed backup, restore or first run left is wiped. Without
    ``all_of_them``, only leftovers older than ``SETTLED_SECONDS`` (they may be another
    process's work in progress)."""
    finished = []
    for place in (folder, folder / "backups"):
        try:  # one listing of each folder: every open of an encrypted store looks
            names = [
                e.name
                for e in os.scandir(place)
                if e.name.startswith(".")
                and (
                    (e.name.endswith((".encrypting", ".plain")) and all_of_them)
                    or (
                        e.name.endswith((".encrypting", ".plain", *PLAIN_LEFTOVERS))
                        and _settled(e.stat().st_ctime)  # others' may be work in progress
                    )
                )
            ]
        except OSError:
            continue
        for name in sorted(n for n in names if n.endswith(".encrypting")):
            with suppress(OSError):
                (place / name).unlink()
                finished.append(place / name)
        for name in sorted(n for n in names if n.endswith(PLAIN_LEFTOVERS)):
            with suppress(OSError):
                if is_plain(place / name):  # a killed backup, restore or first run
                    wipe(place / name)
                    finished.append(place / name)
        for name in sorted(n for n in names if n.endswith(".plain")):
            aside = place / name
            live = place / name[1:].rsplit(".", 2)[0]
            with suppress(OSError):
                if live.exists() and live.samefile(aside):
                    aside.unlink()
                else:
                    wipe(aside)
                finished.append(aside)
    return finished


def _settled(changed: float) -> bool:
    return time.time() - changed > SETTLED_SECONDS
