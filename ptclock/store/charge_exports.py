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
        clinic INTEGER NOT NULL DEFAULT 0,
        format TEXT NOT NULL,
        destination TEXT NOT NULL,
        by_whom TEXT NOT NULL,
        audit_id INTEGER NOT NULL,
        sent TEXT NOT NULL
    )
    """,
    "CREATE INDEX charge_exports_day ON charge_exports (day, clinic, id)",
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
)


@dataclass(frozen=True)
class ChargeExportRow:
    id: int
    made_at: str
    zone: str
    day: str
    clinic: bool
    format: str
    destination: str
    by_whom: str
    audit_id: int
    sent: str
    """JSON: what the billing system holds for the day after this export."""

    @property
    def when(self) -> str:
        """Its local date and time where it was made: "2026-11-27 17:02"."""
        return wall_date_time(from_text(self.made_at), zone_from_name(self.zone))


class ChargeExportData:
    connection: sqlite3.Connection

    def _writing(self) -> None:
        raise NotImplementedError

    def last_charge_export(self, day: str, clinic: bool) -> ChargeExportRow | None:
        """The newest export of date ``day`` (the clinic's, or this workstation's own)."""
        row = self.connection.execute(
            "SELECT id, made_at, zone, day, clinic, format, destination, by_whom, audit_id, "
            "sent FROM charge_exports WHERE day = ? AND clinic = ? ORDER BY id DESC LIMIT 1",
            (day, int(clinic)),
        ).fetchone()
        return None if row is None else _row(row)

    def charge_exports(self) -> list[ChargeExportRow]:
        rows = self.connection.execute(
            "SELECT id, made_at, zone, day, clinic, format, destination, by_whom, audit_id, "
            "sent FROM charge_exports ORDER BY id"
        )
        return [_row(row) for row in rows]

    def next_charge_export(self) -> int:
        (number,) = self.connection.execute(
            "SELECT coalesce(max(id), 0) + 1 FROM charge_exports"
        ).fetchone()
        return int(number)

    def last_audit_id(self) -> int:
        (number,) = self.connection.execute("SELECT coalesce(max(id), 0) FROM audit").fetchone()
        return int(number)

    def add_charge_export(self, row: ChargeExportRow, visit_ids: list[int]) -> None:
        """Record an export and lock its visits (inside an event)."""
        self._writing()
        self.connection.execute(
            "INSERT INTO charge_exports (id, made_at, zone, day, clinic, format, destination, "
            "by_whom, audit_id, sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.id,
                row.made_at,
                row.zone,
                row.day,
                int(row.clinic),
                row.format,
                row.destination,
                row.by_whom,
                row.audit_id,
                row.sent,
            ),
        )
        self.connection.executemany(
            "INSERT OR IGNORE INTO exported_visits (visit_id, export_id) VALUES (?, ?)",
            [(visit_id, row.id) for visit_id in sorted(set(visit_ids))],
        )

    def store_tag(self) -> str:
        """Six characters of the store's random id: the prefix of its charges' ids."""
        (store_id,) = self.connection.execute("SELECT store_id FROM store_meta").fetchone()
        return str(store_id)[:6].upper()

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

    def export_of_visit(self, visit_id: int) -> ChargeExportRow | None:
        """The newest export that included visit ``visit_id`` (None: never exported)."""
        row = self.connection.execute(
            "SELECT e.id, e.made_at, e.zone, e.day, e.clinic, e.format, e.destination, "
            "e.by_whom, e.audit_id, e.sent FROM exported_visits x JOIN charge_exports e "
            "ON e.id = x.export_id WHERE x.visit_id = ? ORDER BY e.id DESC LIMIT 1",
            (visit_id,),
        ).fetchone()
        return None if row is None else _row(row)


def _row(row: tuple[object, ...]) -> ChargeExportRow:
    (id_, made_at, zone, day, clinic, fmt, destination, by_whom, audit_id, sent) = row
    return ChargeExportRow(
        int(id_),  # type: ignore[call-overload]
        str(made_at),
        str(zone),
        str(day),
        bool(clinic),
        str(fmt),
        str(destination),
        str(by_whom),
        int(audit_id),  # type: ignore[call-overload]
        str(sent),
    )
