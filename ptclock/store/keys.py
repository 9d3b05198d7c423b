"""The database key: random, made on the first run, kept in the operating system's keyring.

One key per installation (per user account on a computer): 32 random bytes, given to
SQLCipher as a raw key (no passphrase stretching to pay on every open), kept by the
``keyring`` package in Windows Credential Manager, the macOS Keychain or the Secret Service
of a Linux desktop (GNOME Keyring, KWallet), which the user's login unlocks. The key never
goes into a file next to the data, into settings, a log or an error message.

The daily backups are encrypted with the same key; a backup made to take elsewhere
(``ptclock backup --out``) gets a key of its own, printed for the user to keep
(``export_key``).

``keyring`` is imported only when a key is needed (about 50 ms, most of it finding its
backends), so a plain store and the command line's quick answers do not pay for it.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ptclock.store.errors import StoreError

SERVICE = "ptclock"
ACCOUNT = "database key"
KEY_BYTES = 32


class KeyProblem(StoreError):
    """The key could not be read or kept: the keyring is locked, missing or refused."""


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
        priority = float(getattr(backend, "priority", 0))
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
    key = secrets.token_bytes(KEY_BYTES)
    with _keyring_errors("keep"):
        keyring.set_password(SERVICE, ACCOUNT, key.hex())
        kept = keyring.get_password(SERVICE, ACCOUNT)
    if kept != key.hex():
        raise KeyProblem(
            "the system keyring did not keep ptclock's database key; nothing was changed"
        )
    return key


@contextmanager
def _keyring_errors(doing: str) -> Iterator[None]:
    """The keyring's errors as one sentence that says what to do (never the key)."""
    from keyring import errors

    try:
        yield
    except errors.KeyringLocked as error:
        raise KeyProblem(
            "the system keyring that holds ptclock's database key is locked: unlock it (log in "
            "to the desktop, or unlock the keyring) and try again"
        ) from error
    except errors.KeyringError as error:
        raise KeyProblem(
            f"the system keyring would not let ptclock {doing} its database key "
            f"({type(error).__name__})"
        ) from error


EXPORT_GROUPS = 8


def new_export_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


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
