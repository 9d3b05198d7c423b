"""The one SQLite driver every connection to a ptclock file goes through.

SQLCipher's binding (``sqlcipher3``, SQLCipher 4 with SQLite statically linked): an SQLite
that encrypts every page of a database opened with a key (AES-256 with an HMAC per page)
and reads plain SQLite files exactly as SQLite does when no key is given. One driver for
plain and encrypted stores alike, so every error the store translates is this driver's
(``sqlite3.Error`` of the standard library is another class), and a backup between two
connections is possible at all (SQLite's backup API works within one library).

Imported as ``sqlite3`` (``from ptclock.store.driver import sqlite3``): it has the standard
module's interface, which is what mypy checks against (sqlcipher3 ships no type hints).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
else:
    from sqlcipher3 import dbapi2 as sqlite3

__all__ = ["SQLITE_HEADER", "is_encrypted", "is_plain", "read_header", "sqlite3"]

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of every plain SQLite file; SQLCipher leaves no readable header."""


def read_header(path: Path) -> bytes:
    """The file's first 100 bytes (OSError when it cannot be read)."""
    with path.open("rb") as file:
        return file.read(100)


def is_plain(path: Path) -> bool:
    """Whether ``path`` is a readable, plain SQLite file."""
    try:
        return read_header(path).startswith(SQLITE_HEADER)
    except OSError:
        return False


def is_encrypted(path: Path) -> bool:
    """Whether ``path`` holds something that is not a plain SQLite file: an encrypted store,
    or a foreign file the key check then refuses (empty or unreadable: neither)."""
    try:
        header = read_header(path)
    except OSError:
        return False
    return bool(header) and not header.startswith(SQLITE_HEADER)


def like_prefix(starting: str) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern for text that starts with ``starting`` (its own
    ``%``, ``_`` and ``\\`` taken literally)."""
    return starting.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
