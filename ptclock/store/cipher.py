"""Copying a whole database from one key to another: plain to encrypted, encrypted to a
backup's own key, a backup's key to this installation's.

Between two files of the same kind (both plain, or both encrypted, with any keys) SQLite's
backup API copies the pages, each re-encrypted on its way; between a plain and an encrypted
file SQLCipher refuses that, and ``sqlcipher_export`` writes the schema and every row into
the attached copy instead (SQLCipher's documented way to encrypt or decrypt a database).
``sqlcipher_export`` leaves the header's user_version (the schema version) and
application_id (ptclock's mark) behind, so they are copied by hand. Then the copy is read
back and compared with its source, table by table (``content_digest``).
"""

from __future__ import annotations

from pathlib import Path

from ptclock.store import keys
from ptclock.store.driver import sqlite3
from ptclock.store.opening import keyed


def copy_database(
    source: sqlite3.Connection,
    source_key: bytes | None,
    target: Path,
    target_key: bytes | None,
) -> None:
    """Write everything ``source`` holds into the new, empty file ``target`` (made
    owner-only by the caller), encrypted with ``target_key`` (None: plain); its journal is
    DELETE, so the copy is one file."""
    if (source_key is None) == (target_key is None):
        destination = keyed(sqlite3.connect(target, isolation_level=None), target_key)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        return
    # On a connection of its own: the export's errors are about the copy, not about a
    # change to the store (whose connection would report them as an unsaved change).
    exporter = _reader_like(source, source_key)
    try:
        key_sql = keys.sql_key(target_key) if target_key is not None else ""
        version = exporter.execute("PRAGMA user_version").fetchone()[0]
        application_id = exporter.execute("PRAGMA application_id").fetchone()[0]
        exporter.execute("ATTACH DATABASE ? AS copy KEY ?", (str(target), key_sql))
        try:
            exporter.execute("SELECT sqlcipher_export('copy')").fetchall()
            exporter.execute(f"PRAGMA copy.user_version = {int(version)}")
            exporter.execute(f"PRAGMA copy.application_id = {int(application_id)}")
            exporter.execute("PRAGMA copy.journal_mode = DELETE")
        finally:
            exporter.execute("DETACH DATABASE copy")
    finally:
        exporter.close()


def _reader_like(source: sqlite3.Connection, key: bytes | None) -> sqlite3.Connection:
    """A new connection on the data ``source`` holds: its file, or (a store in memory) a
    copy of it in memory."""
    file = next(row[2] for row in source.execute("PRAGMA database_list") if row[1] == "main")
    if file:
        return keyed(sqlite3.connect(file, isolation_level=None), key)
    reader = keyed(sqlite3.connect(":memory:", isolation_level=None), None)
    source.backup(reader)
    return reader


def content_digest(connection: sqlite3.Connection) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a SHA-256 of every row in rowid order, with the
    header's schema version and owner mark: two files with the same digest hold the same."""
    digest: dict[str, tuple[int, str]] = {}
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    import hashlib  # only a conversion checks digests; start-up need not load it

    for table in tables:
        hashed = hashlib.sha256()
        count = 0
        quoted = '"' + table.replace('"', '""') + '"'
        for row in connection.execute(f"SELECT * FROM {quoted} ORDER BY rowid"):
            hashed.update(repr(row).encode("utf-8"))
            count += 1
        digest[table] = (count, hashed.hexdigest())
    for pragma in ("user_version", "application_id"):
        value = connection.execute(f"PRAGMA {pragma}").fetchone()[0]
        digest[f"PRAGMA {pragma}"] = (int(value), "")
    return digest
