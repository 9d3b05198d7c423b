"""The store's billing data: imported NCCI edits, the fee schedule, modifier overrides.

A part of :class:`ptclock.store.Store` (mixed in), kept apart because it is user data about
billing rather than the visits themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ptclock.billing.edits import PtpEdit
from ptclock.billing.money import Fee
from ptclock.store.driver import sqlite3
from ptclock.store.timestamps import to_text
from ptclock.timing.records import ModifierOverride


class BillingData:
    connection: sqlite3.Connection

    def _writing(self) -> None:
        raise NotImplementedError

    def imported_edits(self) -> list[PtpEdit]:
        rows = self.connection.execute(
            "SELECT column1, column2, modifier, effective, deletion, source, payer, origin "
            "FROM ptp_edits ORDER BY id"
        )
        return [
            PtpEdit(
                row[0],
                row[1],
                row[2],
                date.fromisoformat(row[3]),
                date.fromisoformat(row[4]) if row[4] else None,
                row[5],
                row[6],
            )
            for row in rows
        ]

    def has_cms_edits(self) -> bool:
        row = self.connection.execute("SELECT 1 FROM ptp_edits WHERE origin = 'cms' LIMIT 1")
        return row.fetchone() is not None

    def replace_edits(self, origin: str, payer: str, edits: list[PtpEdit]) -> None:
        """Swap one origin's edits (CMS's, or one payer's) for a new table, all at once."""
        self._writing()
        self.connection.execute(
            "DELETE FROM ptp_edits WHERE origin = ? AND payer = ?", (origin, payer)
        )
        self.connection.executemany(
            "INSERT INTO ptp_edits (origin, payer, column1, column2, modifier, effective, "
            "deletion, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    origin,
                    payer,
                    e.column1,
                    e.column2,
                    e.modifier,
                    e.effective.isoformat(),
                    e.deletion.isoformat() if e.deletion else None,
                    e.source,
                )
                for e in edits
            ],
        )

    def fees(self) -> list[Fee]:
        rows = self.connection.execute(
            "SELECT code, amount, payer, year, pe_share FROM fees ORDER BY id"
        )
        return [
            Fee(row[0], Decimal(row[1]), row[2], row[3], Decimal(row[4]) if row[4] else None)
            for row in rows
        ]

    def replace_fees(self, fees: list[Fee]) -> None:
        self._writing()
        self.connection.execute("DELETE FROM fees")
        self.connection.executemany(
            "INSERT INTO fees (code, amount, payer, year, pe_share) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    f.code,
                    str(f.amount),
                    f.payer,
                    f.year,
                    None if f.pe_share is None else str(f.pe_share),
                )
                for f in fees
            ],
        )

    def modifier_overrides(self, visit_id: int) -> list[ModifierOverride]:
        rows = self.connection.execute(
            "SELECT code, modifier, action, reason FROM modifier_overrides WHERE visit_id = ? "
            "ORDER BY id",
            (visit_id,),
        )
        return [ModifierOverride(row[0], row[1], row[2] == "add", row[3]) for row in rows]

    def add_modifier_override(
        self, visit_id: int, override: ModifierOverride, made_at: datetime
    ) -> None:
        self._writing()
        self.connection.execute(
            "INSERT INTO modifier_overrides (visit_id, code, modifier, action, reason, made_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                visit_id,
                override.code,
                override.modifier,
                "add" if override.add else "remove",
                override.reason,
                to_text(made_at),
            ),
        )
