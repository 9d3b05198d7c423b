"""The database key: random, made on the first run, kept in the operating system's keyring.

One key per installation (per user account on a computer): 32 random bytes, given to
SQLCipher as a raw key (no passphrase stretching to pay on every open), kept by the
``keyring`` package in Windows Credential Manager, the macOS Keychain or the Secret Service
of a Linux desktop (GNOME Keyring, KWallet), which the user's login unlocks. The key never
goes into a file next to the data, into settings, a log or an error message.

The daily backups are encrypted with the same key; a backup made to take elsewhere
(``ptclock backup --out``) gets a key of its own, printed for the user to keep
(``export_key``).

Where the computer has no keyring, the person may choose a passphrase instead: the key is
then stretched from it (PBKDF2-HMAC-SHA512) with a salt kept in the data folder, asked for
once per process by the terminal or the window (``key_for``).

``keyring`` is imported only when a key is needed (about 50 ms, most of it finding its
backends), so a plain store and the command line's quick answers do not pay for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.store.driver import is_encrypted
from ptclock.store.errors import StoreError

SERVICE = "ptclock"
ACCOUNT = "database key"
KEY_BYTES = 32


class KeyProblem(StoreError):
    """The key could not be read or kept: the keyring is locked, missing or refused."""


class WrongPassphrase(KeyProblem):
    """The passphrase typed does not open the data (it may be typed again)."""


def random_bytes(count: int) -> bytes:
    """``count`` bytes from the system's CSPRNG. ``secrets`` is imported here: with hmac and
    OpenSSL's hashlib it costs about 3 ms of every start-up, and only a new key needs it."""
    import secrets

    return secrets.token_bytes(count)


def sql_key(key: bytes) -> str:
    """SQLCipher's raw-key form, for ``PRAGMA key`` and ``ATTACH … KEY``: "x'…'"."""
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")
    return f"x'{key.hex()}'"


def _keyring() -> Any:
    import keyring

    return keyring


def keyring_available() -> bool:
    """Whether the operating system offers a keyring to keep the key in: one of the
    backends ``keyring`` recommends (priority 1 or more: Credential Manager, Keychain, a
    Secret Service, KWallet), or one the user chose explicitly (PYTHON_KEYRING_BACKEND).
    A file "keyring" that a package such as keyrings.alt adds at a low priority is no
    keyring: it would keep the key in a file, readable by whoever has the disk."""
    try:
        backend = _keyring().get_keyring()
        # A chain of backends is as good as the best one it holds (two file "keyrings"
        # chained report the chain's own priority, 10).
        chained = getattr(backend, "backends", None)
        members = list(chained) if chained is not None else [backend]
        priority = max((float(getattr(b, "priority", 0)) for b in members), default=0.0)
    except Exception:  # a broken keyring configuration is no keyring
        return False
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return False
    return priority >= 1 or bool(os.environ.get("PYTHON_KEYRING_BACKEND"))


def installation_key(create: bool = False) -> bytes | None:
    """This installation's database key; with ``create``, one is made and kept if there is
    none yet. None when there is none, or no keyring (and ``create`` is false). KeyProblem
    when the keyring is locked or refuses (or, to create a key, missing), in one sentence
    that says what to do."""
    if not keyring_available():
        if not create:
            return None  # no keyring, so no key: an encrypted file is refused for that
        raise KeyProblem(
            "this computer has no system keyring to hold ptclock's database key (on Linux: a "
            "Secret Service such as GNOME Keyring or KWallet, which a desktop login starts)"
        )
    keyring = _keyring()
    with _keyring_errors("read"):
        stored = keyring.get_password(SERVICE, ACCOUNT)
    if stored is not None:
        try:
            key = bytes.fromhex(stored)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            raise KeyProblem(
                f"the keyring entry “{SERVICE} / {ACCOUNT}” is not a ptclock database key; it "
                "was changed outside ptclock"
            )
        return key
    if not create:
        return None
    key = random_bytes(KEY_BYTES)
    with _keyring_errors("keep"):
        keyring.set_password(SERVICE, ACCOUNT, key.hex())
        kept = keyring.get_password(SERVICE, ACCOUNT)
    if kept != key.hex():
        raise KeyProblem(
            "the system keyring did not keep ptclock's database key; nothing was changed"
        )
    return key


def keep_secret(account: str, value: str) -> None:
    """Keep another secret of ptclock's in the keyring (the clinic database's password)."""
    keyring = _keyring()
    with _keyring_errors("keep", what="the clinic password"):
        keyring.set_password(SERVICE, account, value)


def secret(account: str) -> str | None:
    """A secret kept by ``keep_secret`` (None: none kept)."""
    keyring = _keyring()
    with _keyring_errors("read", what="the clinic password"):
        value = keyring.get_password(SERVICE, account)
    return None if value is None else str(value)


@contextmanager
def _keyring_errors(doing: str, what: str = "its database key") -> Iterator[None]:
    """The keyring's errors as one sentence that says what to do (never the key)."""
    from keyring import errors

    held = what.replace("its ", "ptclock's ")
    try:
        yield
    except errors.KeyringLocked as error:
        raise KeyProblem(
            f"the system keyring that holds {held} is locked: "
            "unlock it (log in to the desktop, or unlock the keyring) and try again"
        ) from error
    except errors.KeyringError as error:
        raise KeyProblem(
            f"the system keyring would not let ptclock {doing} {what} ({type(error).__name__})"
        ) from error


EXPORT_GROUPS = 8


def new_export_key() -> bytes:
    return random_bytes(KEY_BYTES)


def export_key_text(key: bytes) -> str:
    """The key of a backup to take elsewhere, to print and keep: 64 hexadecimal digits in
    groups of eight ("3f9a0c1e-…"), which a person can copy without mistaking letters."""
    digits = key.hex()
    return "-".join(digits[i : i + EXPORT_GROUPS] for i in range(0, len(digits), EXPORT_GROUPS))


def parse_export_key(text: str) -> bytes:
    """The key typed back (any case, with or without dashes and spaces); ValueError says
    what is wrong with it."""
    digits = re.sub(r"[\s-]", "", text).lower()
    if not re.fullmatch(r"[0-9a-f]*", digits):
        raise ValueError("a backup key has only the digits 0–9 and the letters a–f")
    if len(digits) != 2 * KEY_BYTES:
        raise ValueError(
            f"a backup key has {2 * KEY_BYTES} digits and letters, this one has {len(digits)}"
        )
    return bytes.fromhex(digits)


# -- where there is no keyring: a passphrase --------------------------------------------------

SALT_FILE = "ptclock.passphrase-salt"
"""In the data folder: the 16 random bytes the passphrase is stretched with. Not a secret
(it only makes the same passphrase give another key elsewhere); its presence says that this
folder's files are encrypted with a passphrase, not with a keyring's key."""
SALT_BYTES = 16
PASSPHRASE_ITERATIONS = 256_000
"""PBKDF2-HMAC-SHA512 rounds: SQLCipher 4's own default for passphrases (its design page),
above the 210,000 OWASP's password storage cheat sheet asks for with SHA-512; about 0.2 s
once per process here."""
MIN_PASSPHRASE = 12

PassphraseAsker = Callable[[bool], "str | None"]
"""Asks the person for the passphrase (``new``: choosing one, with the one-time
explanation, typed twice); None when they declined or cannot be asked."""

_asker: PassphraseAsker | None = None
_derived: dict[bytes, bytes] = {}
"""Salt → key, for this process: the passphrase is asked for and stretched once."""

CHOOSING_WORDS = (
    "This computer has no system keyring to keep a random key in, so ptclock encrypts the "
    "patient data with a passphrase you choose. You type it each time ptclock starts "
    "(scripts can set PTCLOCK_PASSPHRASE). If it is forgotten, the data cannot be read: keep "
    "a backup made with ptclock backup --out, and its printed key, somewhere safe."
)


def ask_passphrases_with(asker: PassphraseAsker | None) -> None:
    """Who asks for a passphrase in this process: the terminal (the command line) or a
    dialog (the window); None: nobody (an encrypted-by-passphrase store is refused)."""
    global _asker
    _asker = asker


def check_passphrase(passphrase: str) -> None:
    """ValueError in one sentence for a passphrase too short to protect patient data."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(
            f"a passphrase needs at least {MIN_PASSPHRASE} characters (this one has "
            f"{len(passphrase)}); a short sentence is easy to remember and hard to guess"
        )


def passphrase_key(passphrase: str, salt: bytes) -> bytes:
    import hashlib

    return hashlib.pbkdf2_hmac(
        "sha512", passphrase.encode("utf-8"), salt, PASSPHRASE_ITERATIONS, dklen=KEY_BYTES
    )


def data_folder_of(file: Path) -> Path:
    """The data folder a ptclock file belongs to: its own folder, or the one above its
    ``backups`` folder."""
    folder = file.parent
    return folder.parent if folder.name == "backups" else folder


def uses_passphrase(folder: Path) -> bool:
    return (folder / SALT_FILE).is_file()


def can_keep_a_key(folder: Path) -> bool:
    """Whether a key for ``folder`` can be had: a keyring, a passphrase already chosen, or
    someone to choose one."""
    return uses_passphrase(folder) or keyring_available() or _asker is not None


def key_for(folder: Path, create: bool = False, ask: bool = True) -> bytes | None:
    """The key of the data folder ``folder``: from its passphrase (asked for once per
    process; without ``ask``, only if it was already) where it has one, else from the
    keyring (``installation_key``). With ``create`` and no keyring, the person chooses a
    passphrase (KeyProblem if nobody can be asked)."""
    if uses_passphrase(folder) and create and not _anything_encrypted(folder):
        # A salt left by an encrypt or restore that failed before it encrypted anything:
        # nothing depends on it, so the passphrase is chosen afresh (typed twice, checked).
        forget_passphrase(folder)
        (folder / SALT_FILE).unlink()
    if uses_passphrase(folder):
        if not ask:
            with suppress(OSError):
                return _derived.get((folder / SALT_FILE).read_bytes())
            return None
        return _key_from_passphrase(folder)
    if keyring_available() or not create:
        return installation_key(create=create)
    return _new_passphrase_key(folder)


def _anything_encrypted(folder: Path) -> bool:
    """Whether any ptclock database in ``folder`` or its backups is encrypted (its header
    is not SQLite's)."""
    files = [folder / paths.DATABASE_NAME, *folder.glob("backups/*.sqlite3")]
    files += folder.glob(f"{paths.DATABASE_NAME}.replaced-*")
    return any(is_encrypted(file) for file in files)


def _key_from_passphrase(folder: Path) -> bytes:
    salt = (folder / SALT_FILE).read_bytes()
    if len(salt) != SALT_BYTES:
        raise KeyProblem(f"{folder / SALT_FILE} was changed outside ptclock: it is not a salt")
    if salt in _derived:
        return _derived[salt]
    passphrase = _asker(False) if _asker is not None else None
    if passphrase is None:
        raise KeyProblem(
            "the patient data here is encrypted with a passphrase: run ptclock from a "
            "terminal to type it, or set PTCLOCK_PASSPHRASE for a script"
        )
    key = passphrase_key(passphrase, salt)
    _derived[salt] = key
    return key


def _new_passphrase_key(folder: Path) -> bytes:
    passphrase = _asker(True) if _asker is not None else None
    if passphrase is None:
        raise KeyProblem(
            "this computer has no system keyring to hold ptclock's database key (on Linux: a "
            "Secret Service such as GNOME Keyring or KWallet, which a desktop login starts), "
            "and no passphrase was chosen: run ptclock encrypt from a terminal to choose one"
        )
    try:
        check_passphrase(passphrase)
    except ValueError as error:
        raise KeyProblem(f"{error}; nothing was changed") from None
    salt = random_bytes(SALT_BYTES)
    paths.private_dir(folder)
    descriptor = os.open(folder / SALT_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.write(descriptor, salt)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    key = passphrase_key(passphrase, salt)
    _derived[salt] = key
    return key


def forget_passphrase(folder: Path) -> None:
    """Forget the key stretched for ``folder`` (it did not open the data: asked again)."""
    with suppress(OSError):
        _derived.pop((folder / SALT_FILE).read_bytes(), None)


def forget_passphrases() -> None:
    """Drop the keys stretched from passphrases in this process (tests; a new session)."""
    _derived.clear()
