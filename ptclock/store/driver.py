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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
else:
    from sqlcipher3 import dbapi2 as sqlite3

__all__ = ["sqlite3"]
