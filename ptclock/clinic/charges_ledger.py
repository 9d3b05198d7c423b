"""The clinic's one ledger of charges handed to billing (issue 18).

``export --clinic`` from any workstation reads and writes ``ptclock.charge_exports`` in
the clinic database, in one transaction holding an advisory lock on the date: a second
workstation sending the same date waits, then sees what the first sent. Each row keeps what
the billing system holds for its date after that export (the JSON of
``charges.batch.sent_to_json``) and the clinic ids of the visits it sent, which every
workstation's sync turns into locks on its own visits (``locks_for``). Export numbers are
the ledger's, and charge ids carry the clinic's tag (``charge_tag``), so they are unique in
the clinic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ptclock.clinic import address as addresses
from ptclock.clinic import server_schema
from ptclock.clinic.errors import ClinicError
from ptclock.clinic.server import connected
from ptclock.clinic.server_schema import SCHEMA
from ptclock.timekeeper import Timekeeper

LEDGER_VERSION = 3
"""The clinic schema migration that made the ledger."""
LOCK_CLASS = 7151
"""The advisory lock's first key (``server_schema.migrate`` holds 7150); the second is
the date."""


@dataclass(frozen=True)
class LedgerEntry:
    number: int
    made_at: datetime
    state: Any
    """JSON: what the billing system holds for the date after this export."""


@dataclass
class Ledger:
    connection: Any
    day: date
    origin: str
    tag: str
    last: LedgerEntry | None
    number: int
    """This export's number: the next in the clinic."""

    def record(self, fmt: str, destination: str, state: Any, visits: list[str]) -> None:
        """This export, in the ledger (committed when the ``clinic_ledger`` block ends)."""
        self.connection.execute(
            f"INSERT INTO {SCHEMA}.charge_exports (id, day, origin, format, destination, "
            "state, visits) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s)",
            (
                self.number,
                self.day,
                self.origin,
                fmt,
                destination,
                json.dumps(state, ensure_ascii=False),
                sorted(set(visits)),
            ),
        )


@contextmanager
def clinic_ledger(keeper: Timekeeper, day: date) -> Iterator[Ledger]:
    """The ledger of ``day``, locked for this export; committed when the block ends
    without an error, rolled back otherwise."""
    link = keeper.store.clinic_link()
    if link is None:
        raise ClinicError(
            "this computer has not joined a clinic: run ptclock clinic join URL first"
        )
    with connected(addresses.parse(link.address)) as connection:
        if server_schema.version(connection) < LEDGER_VERSION:
            raise ClinicError(
                "the clinic database has no ledger of charges yet: the clinic's IT person "
                "runs ptclock clinic init URL again to bring it up to date"
            )
        with connection.transaction():
            connection.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, day.toordinal())
            )
            (tag,) = connection.execute(f"SELECT tag FROM {SCHEMA}.charge_tag").fetchone()
            row = connection.execute(
                f"SELECT id, made_at, state FROM {SCHEMA}.charge_exports WHERE day = %s "
                "ORDER BY id DESC LIMIT 1",
                (day,),
            ).fetchone()
            (number,) = connection.execute(
                f"SELECT coalesce(max(id), 0) + 1 FROM {SCHEMA}.charge_exports"
            ).fetchone()
            last = None if row is None else LedgerEntry(int(row[0]), row[1], row[2])
            yield Ledger(connection, day, link.origin, str(tag), last, int(number))


def locks_for(connection: Any, own: list[str], after: int) -> list[tuple[str, int, str]]:
    """The clinic exports after number ``after`` that sent visits of these origins: (visit
    uid, export number, made at ISO-8601). Nothing before the ledger existed."""
    exists = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.charge_exports",)
    ).fetchone()
    if not exists[0] or not own:
        return []
    rows = connection.execute(
        f"SELECT v, e.id, e.made_at FROM {SCHEMA}.charge_exports e, unnest(e.visits) v "
        "WHERE e.id > %s AND split_part(v, '/', 1) = ANY(%s) ORDER BY e.id",
        (after, own),
    ).fetchall()
    return [(str(uid), int(number), made_at.isoformat()) for uid, number, made_at in rows]
