"""The store's record of charges handed to billing (issue 18): each export, what it left
with the billing system, and the visits it locked.

A part of :class:`ptclock.store.Store` (mixed in). ``charge_exports`` is append-only (a
trigger refuses updates and deletes, like the audit trail): each row keeps the whole state
the billing system holds for its date after that export (``sent``, JSON of
``ptclock.charges.batch.sent_to_json``), so the next export compares with the newest row
alone. ``exported_visits`` names the visits an export included: they are locked
(``Timekeeper``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ptclock.formats import wall_date_time
from ptclock.store.clinic_link import same_store
from ptclock.store.driver import sqlite3
from ptclock.store.timestamps import from_text
from ptclock.timing.clock import zone_from_name

SCHEMA = (
    """
    CREATE TABLE charge_exports (
        id INTEGER PRIMARY KEY,
        made_at TEXT NOT NULL,
        zone TEXT NOT NULL,
        day TEXT NOT NULL,
        format TEXT NOT NULL,
        destination TEXT NOT NULL,
        by_whom TEXT NOT NULL,
        sent TEXT NOT NULL
    )
    """,
    "CREATE INDEX charge_exports_day ON charge_exports (day, id)",
    """
    CREATE TABLE exported_visits (
        visit_id INTEGER NOT NULL,
        export_id INTEGER NOT NULL REFERENCES charge_exports (id),
        PRIMARY KEY (visit_id, export_id)
    )
    """,
    """
    CREATE TRIGGER charge_exports_no_update BEFORE UPDATE ON charge_exports
    BEGIN SELECT RAISE(ABORT, 'charge exports are append-only'); END
    """,
    """
    CREATE TRIGGER charge_exports_no_delete BEFORE DELETE ON charge_exports
    BEGIN SELECT RAISE(ABORT, 'charge exports are append-only'); END
    """,
    """
    CREATE TRIGGER exported_visits_no_delete BEFORE DELETE ON exported_visits
    BEGIN SELECT RAISE(ABORT, 'exported visits stay locked'); END
    """,
    # Visits of this store the clinic's exports sent (``export --clinic`` here or on
    # another workstation; the sync brings them): locked like the store's own.
    """
    CREATE TABLE clinic_locks (
        visit_id INTEGER NOT NULL,
        export_id INTEGER NOT NULL,
        made_at TEXT NOT NULL,
        PRIMARY KEY (visit_id, export_id)
    )
    """,
    """
    CREATE TRIGGER clinic_locks_no_delete BEFORE DELETE ON clinic_locks
    BEGIN SELECT RAISE(ABORT, 'exported visits stay locked'); END
    """,
    # The prefix of this store's charge ids. Unlike store_id (new in every backup, so a
    # stray -wal never replays into a copy), it stays with the store's data through
    # backups and restores: the ids the billing system holds must stay the same.
    "ALTER TABLE store_meta ADD COLUMN charge_tag TEXT",
    "UPDATE store_meta SET charge_tag = upper(substr(store_id, 1, 6))",
)


COLUMNS = "id, made_at, zone, day, format, destination, by_whom, sent"
INSERT = f"INSERT INTO charge_exports ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class ChargeExportRow:
    id: int
    made_at: str
    zone: str
    day: str
    format: str
    destination: str
    by_whom: str
    sent: str
    """JSON: what the billing system holds for the day after this export."""

    @property
    def when(self) -> str:
        return _local(self.made_at, self.zone)


@dataclass(frozen=True)
class VisitLock:
    """The export that locked a visit: this store's own, or the clinic's."""

    export: int
    made_at: str
    zone: str

    @property
    def when(self) -> str:
        return _local(self.made_at, self.zone)


def _local(made_at: str, zone: str) -> str:
    """A stored time as the local date and time where it was made: "2026-11-27 17:02"."""
    return wall_date_time(from_text(made_at), zone_from_name(zone))


class ChargeExportData:
    connection: sqlite3.Connection

    def _writing(self) -> None:
        raise NotImplementedError

    def last_charge_export(self, day: str) -> ChargeExportRow | None:
        """The newest export of date ``day`` (a clinic's are in the clinic's ledger)."""
        row = self.connection.execute(
            f"SELECT {COLUMNS} FROM charge_exports WHERE day = ? ORDER BY id DESC LIMIT 1",
            (day,),
        ).fetchone()
        return None if row is None else _row(row)

    def charge_exports(self) -> list[ChargeExportRow]:
        rows = self.connection.execute(f"SELECT {COLUMNS} FROM charge_exports ORDER BY id")
        return [_row(row) for row in rows]

    def next_charge_export(self) -> int:
        (number,) = self.connection.execute(
            "SELECT coalesce(max(id), 0) + 1 FROM charge_exports"
        ).fetchone()
        return int(number)

    def add_charge_export(self, row: ChargeExportRow, visit_ids: list[int]) -> None:
        """Record an export and lock its visits (inside an event)."""
        self._writing()
        self.connection.execute(
            INSERT,
            (
                row.id,
                row.made_at,
                row.zone,
                row.day,
                row.format,
                row.destination,
                row.by_whom,
                row.sent,
            ),
        )
        self.connection.executemany(
            "INSERT OR IGNORE INTO exported_visits (visit_id, export_id) VALUES (?, ?)",
            [(visit_id, row.id) for visit_id in sorted(set(visit_ids))],
        )

    def store_tag(self) -> str:
        """The prefix of this store's charge ids (six characters, kept through backups)."""
        (tag,) = self.connection.execute("SELECT charge_tag FROM store_meta").fetchone()
        return str(tag)

    def clinic_lock_mark(self) -> int:
        """The newest clinic export known to have locked a visit of this store."""
        (mark,) = self.connection.execute(
            "SELECT coalesce(max(export_id), 0) FROM clinic_locks"
        ).fetchone()
        return int(mark)

    def add_clinic_locks(self, locks: list[tuple[int, int, str]]) -> int:
        """Lock visits the clinic's exports sent: (visit id, clinic export, made at). How
        many were new."""
        self._writing()
        before = self.connection.total_changes
        self.connection.executemany(
            "INSERT OR IGNORE INTO clinic_locks (visit_id, export_id, made_at) VALUES (?, ?, ?)",
            locks,
        )
        return int(self.connection.total_changes - before)

    def visits_with_uids(self, uids: list[str]) -> dict[str, int]:
        """This store's visits among the clinic ids ``uids``: uid → visit id."""
        found: dict[str, int] = {}
        for start in range(0, len(uids), 500):
            part = uids[start : start + 500]
            marks = ", ".join("?" * len(part))
            rows = self.connection.execute(
                f"SELECT uid, row_id FROM row_uids WHERE tbl = 'visits' AND uid IN ({marks})",
                part,
            )
            found.update({str(uid): int(row_id) for uid, row_id in rows})
        return found

    def export_of_visit(self, visit_id: int) -> VisitLock | None:
        """The newest export that sent visit ``visit_id`` (None: never sent): this
        store's own, else the clinic's."""
        row = self.connection.execute(
            "SELECT e.id, e.made_at, e.zone FROM exported_visits x JOIN charge_exports e "
            "ON e.id = x.export_id WHERE x.visit_id = ? ORDER BY e.id DESC LIMIT 1",
            (visit_id,),
        ).fetchone()
        if row is None:
            row = self.connection.execute(
                "SELECT l.export_id, l.made_at, v.zone FROM clinic_locks l "
                "JOIN visits v ON v.id = l.visit_id WHERE l.visit_id = ? "
                "ORDER BY l.export_id DESC LIMIT 1",
                (visit_id,),
            ).fetchone()
        return None if row is None else VisitLock(int(row[0]), str(row[1]), str(row[2]))


def _row(row: tuple[object, ...]) -> ChargeExportRow:
    number, *texts = row
    return ChargeExportRow(int(number), *(str(text) for text in texts))  # type: ignore[call-overload]


def carry_over(copy: sqlite3.Connection, current: sqlite3.Connection | None) -> None:
    """A backup of this store being restored (``copy``, migrated) in place of ``current``
    (None: not readable) keeps the record of every export the replaced file made: the
    billing system still holds those charges, and a restored store that forgot them would
    send them again under new ids. Another store's backup keeps its own record (its visits
    are not these), and so does any backup when the replaced file cannot be read whole (the
    damaged file a restore replaces)."""
    if current is None:
        return
    try:
        if not _has_exports(current) or not same_store(copy, current):
            return
        exports = current.execute(f"SELECT {COLUMNS} FROM charge_exports ORDER BY id").fetchall()
        exported = current.execute("SELECT visit_id, export_id FROM exported_visits").fetchall()
        locks = current.execute("SELECT visit_id, export_id, made_at FROM clinic_locks").fetchall()
        (tag,) = current.execute("SELECT charge_tag FROM store_meta").fetchone()
    except sqlite3.DatabaseError:
        return
    known = {row[0] for row in copy.execute("SELECT id FROM charge_exports")}
    copy.executemany(
        INSERT,
        [row for row in exports if row[0] not in known],
    )
    copy.executemany(
        "INSERT OR IGNORE INTO exported_visits (visit_id, export_id) VALUES (?, ?)", exported
    )
    copy.executemany(
        "INSERT OR IGNORE INTO clinic_locks (visit_id, export_id, made_at) VALUES (?, ?, ?)",
        locks,
    )
    copy.execute("UPDATE store_meta SET charge_tag = ?", (tag,))


def _has_exports(connection: sqlite3.Connection) -> bool:
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'clinic_locks'"
    ).fetchone()
    return found is not None
