"""The store's side of clinic mode (issue 17): the link, the outbox, the pulled records.

A part of :class:`ptclock.store.Store` (mixed in). The store stays the workstation's own
source of truth: what the clinic needs is queued in the outbox (``ptclock.store.outbox``)
in the same transaction as the change itself, and the sync (``ptclock.clinic``) reads it
from here, pushes it, and says here how far the clinic has acknowledged it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from ptclock.store import outbox
from ptclock.store.driver import like_prefix, sqlite3
from ptclock.store.errors import StoreError


@dataclass(frozen=True)
class LinkRow:
    """The clinic this store has joined, and how far its sync got."""

    origin: str
    """This workstation's random id in the clinic (every record it sends carries it)."""
    workstation: str
    address: str
    """The clinic database's address without any password (``ptclock.clinic.address``)."""
    joined_at: str
    sent_seq: int
    """The last outbox record the clinic acknowledged."""
    sent_at: str | None
    pulled_at: str | None
    pulled_mark: str | None
    """The clinic's own time of the newest patient record pulled (the next pull asks for
    newer ones, with a margin)."""
    problem: str | None
    """Why the last sync failed, in words (None: it worked)."""
    problem_since: str | None


@dataclass(frozen=True)
class ClinicRecord:
    """One record as the clinic keeps it: this workstation's, from the outbox, or another
    workstation's, pulled from the clinic. Its id is (origin, seq)."""

    origin: str
    seq: int
    kind: str
    patient: str | None
    visit: str | None
    day: str | None
    made_at: str
    body: str
    """JSON text."""


class ClinicLinkData:
    connection: sqlite3.Connection

    def _writing(self) -> None:
        raise NotImplementedError

    def clinic_link(self) -> LinkRow | None:
        row = self.connection.execute(
            "SELECT origin, workstation, address, joined_at, sent_seq, sent_at, pulled_at, "
            "pulled_mark, problem, problem_since FROM clinic_link WHERE id = 1"
        ).fetchone()
        return None if row is None else LinkRow(*row)

    def join_clinic(self, origin: str, workstation: str, address: str, at: str) -> bool:
        """Link this store to a clinic and queue its whole history (inside a transaction).
        Joining again keeps the origin and the queue and only changes the address and
        name; returns whether this was the first join."""
        self._writing()
        if self.clinic_link() is not None:
            # Everything is sent again: kept once where the clinic has it already, and the
            # whole history where it is another database (a moved or rebuilt server).
            self.connection.execute(
                "UPDATE clinic_link SET address = ?, workstation = ?, sent_seq = 0 WHERE id = 1",
                (address, workstation),
            )
            return False
        self.connection.execute(
            "INSERT INTO clinic_link (id, origin, workstation, address, joined_at) "
            "VALUES (1, ?, ?, ?, ?)",
            (origin, workstation, address, at),
        )
        for statement in outbox.seed_statements():
            self.connection.execute(statement)
        return True

    def outbox_after(self, seq: int, limit: int) -> list[ClinicRecord]:
        rows = self.connection.execute(
            "SELECT origin, seq, kind, patient, visit, day, made_at, body FROM outbox "
            "WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit),
        )
        return [ClinicRecord(*row) for row in rows]

    def queued(self) -> int:
        """Outbox records the clinic has not acknowledged yet."""
        row = self.connection.execute(
            "SELECT count(*) FROM outbox WHERE seq > "
            "coalesce((SELECT sent_seq FROM clinic_link WHERE id = 1), 0)"
        ).fetchone()
        return int(row[0])

    def mark_sent(self, seq: int, at: str) -> None:
        """The clinic has every record up to ``seq`` (it never goes back)."""
        self._writing()
        self.connection.execute(
            "UPDATE clinic_link SET sent_seq = max(sent_seq, ?), sent_at = ?, problem = NULL, "
            "problem_since = NULL WHERE id = 1",
            (seq, at),
        )

    def mark_pulled(self, at: str, mark: str | None) -> None:
        self._writing()
        self.connection.execute(
            "UPDATE clinic_link SET pulled_at = ?, pulled_mark = coalesce(?, pulled_mark), "
            "problem = NULL, problem_since = NULL WHERE id = 1",
            (at, mark),
        )

    def note_sync_problem(self, problem: str, at: str) -> None:
        """The last sync failed: why, and since when (the first failure in a row)."""
        self._writing()
        self.connection.execute(
            "UPDATE clinic_link SET problem = ?, problem_since = coalesce(problem_since, ?) "
            "WHERE id = 1",
            (problem, at),
        )

    def keep_pulled(self, rows: Iterable[ClinicRecord]) -> int:
        """Keep records from the clinic (each once); returns how many were new."""
        self._writing()
        if self.clinic_link() is None:
            raise StoreError("this store has not joined a clinic")
        before = self.connection.total_changes
        self.connection.executemany(
            "INSERT OR IGNORE INTO clinic_records "
            "(origin, seq, kind, patient, visit, day, made_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.origin, r.seq, r.kind, r.patient, r.visit, r.day, r.made_at, r.body) for r in rows],
        )
        return self.connection.total_changes - before

    def pulled_already(self, keys: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
        """Which of these (origin, seq) were kept from the clinic before."""
        wanted = list(keys)
        found: set[tuple[str, int]] = set()
        for start in range(0, len(wanted), 400):
            chunk = wanted[start : start + 400]
            marks = ",".join("(?, ?)" for _ in chunk)
            rows = self.connection.execute(
                f"SELECT origin, seq FROM clinic_records WHERE (origin, seq) IN ({marks})",
                [value for key in chunk for value in key],
            )
            found |= {(row[0], int(row[1])) for row in rows}
        return found

    def pulled(self, kind: str | None = None) -> list[ClinicRecord]:
        """The records kept from the clinic (of one kind), in the clinic's order."""
        query = "SELECT origin, seq, kind, patient, visit, day, made_at, body FROM clinic_records"
        rows = (
            self.connection.execute(f"{query} WHERE kind = ? ORDER BY rowid", (kind,))
            if kind is not None
            else self.connection.execute(f"{query} ORDER BY rowid")
        )
        return [ClinicRecord(*row) for row in rows]

    def clinic_patient_names(self, starting: str = "", limit: int = 20) -> list[str]:
        """Names on the clinic's patient list (pulled), for picking one as the user types."""
        pattern = like_prefix(starting)
        rows = self.connection.execute(
            "SELECT DISTINCT json_extract(body, '$.name') AS name FROM clinic_records "
            "WHERE kind = 'patient' AND name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?",
            (pattern, limit),
        )
        return [row[0] for row in rows]

    def clinic_patients_named(self, name: str) -> list[tuple[str, str, str, str]]:
        """(clinic id, MRN, date of birth, payer) of each patient on the clinic's list with
        exactly this name: each one's latest details as the clinic had them."""
        latest: dict[str, tuple[str, str, str, str]] = {}
        for (body,) in self.connection.execute(
            "SELECT body FROM clinic_records WHERE kind = 'patient' "
            "AND json_extract(body, '$.name') = ? ORDER BY rowid",
            (name,),
        ):
            data = json.loads(body)
            latest[data["patient"]] = (data["patient"], data["mrn"], data["dob"], data["payer"])
        return list(latest.values())

    def own_origins(self) -> list[str]:
        """Every origin this store has written under (a restore gives a new one)."""
        rows = self.connection.execute(
            "SELECT origin FROM clinic_link WHERE id = 1 UNION SELECT DISTINCT origin FROM outbox "
            "UNION SELECT origin FROM former_origins"
        )
        return sorted(row[0] for row in rows)

    def pulled_day(self, day: str) -> list[ClinicRecord]:
        """What other workstations recorded on date of service ``day`` (kept by the pull),
        with their patients' details: the rest of this workstation's patients' day."""
        own = self.own_origins()
        marks = ",".join("?" * len(own)) or "''"
        rows = self.connection.execute(
            "SELECT origin, seq, kind, patient, visit, day, made_at, body FROM clinic_records "
            f"WHERE origin NOT IN ({marks}) AND (day = ? OR (kind = 'patient' AND patient IN "
            "(SELECT patient FROM clinic_records WHERE kind = 'visit' AND day = ?))) "
            "ORDER BY rowid",
            (*own, day, day),
        )
        return [ClinicRecord(*row) for row in rows]

    def patient_days(self) -> list[tuple[str, str, str]]:
        """(patient uid, MRN, date of service) of this workstation's visits that are not
        ended: the days it needs the clinic's other visits of."""
        rows = self.connection.execute(
            "SELECT DISTINCT coalesce(p.clinic_uid, (SELECT u.uid FROM row_uids u "
            "WHERE u.tbl = 'patients' AND u.row_id = p.id), "
            "(SELECT origin FROM clinic_link WHERE id = 1) || '/p/' || p.id), p.mrn, "
            "v.date_of_service FROM visits v JOIN patients p ON p.id = v.patient_id "
            "WHERE v.status != 'ended'"
        )
        return [(row[0], row[1], row[2]) for row in rows]


def carry_over(copy: sqlite3.Connection, current: sqlite3.Connection | None) -> None:
    """A backup being restored (``copy``, migrated) in place of ``current`` (None: not
    readable): it stays in the clinic, under a new origin.

    The clinic may hold records written after the backup was made: with the old origin,
    the restored store would number its next records and its next rows as those were,
    and the clinic would take them for the same things. So the link (the replaced store's,
    else the copy's) gets a new origin and everything queued is sent again. The restored
    rows keep their ids: the copy's own, and — when the backup is this store's (its audit
    trail is the start of the replaced one's) — the replaced store's for rows the backup
    has. Rows that still have none (another store's backup) get new ones, and their
    history is queued. The origins written under before stay this store's own."""
    current_link = None
    if current is not None:
        current_link = current.execute(
            "SELECT origin, workstation, address, joined_at FROM clinic_link WHERE id = 1"
        ).fetchone()
    own = copy.execute(
        "SELECT origin, workstation, address, joined_at FROM clinic_link WHERE id = 1"
    ).fetchone()
    link = current_link or own
    if link is None:
        return
    former = {own[0]} if own else set()
    if current is not None and current_link is not None:
        former |= {
            row[0]
            for row in current.execute(
                "SELECT origin FROM clinic_link UNION SELECT origin FROM outbox "
                "UNION SELECT origin FROM former_origins"
            )
        }
        if same_store(copy, current):
            for table in outbox.TABLES.values():
                (newest,) = copy.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()
                rows = current.execute(
                    "SELECT tbl, row_id, uid FROM row_uids WHERE tbl = ? AND row_id <= ?",
                    (table, newest),
                ).fetchall()
                copy.executemany(
                    "INSERT OR IGNORE INTO row_uids (tbl, row_id, uid) VALUES (?, ?, ?)", rows
                )
    copy.executemany(
        "INSERT OR IGNORE INTO former_origins (origin) VALUES (?)", [(o,) for o in former]
    )
    copy.execute(
        "INSERT OR REPLACE INTO clinic_link (id, origin, workstation, address, joined_at, "
        "sent_seq) VALUES (1, lower(hex(randomblob(16))), ?, ?, ?, 0)",
        (link[1], link[2], link[3]),
    )
    if current is not None and current_link is not None:
        # What the replaced store had queued and not yet sent is the only copy of it:
        # queued again here, under the new origin, so the clinic still gets it.
        (sent,) = current.execute("SELECT sent_seq FROM clinic_link WHERE id = 1").fetchone()
        unsent = current.execute(
            "SELECT kind, patient, visit, day, made_at, body FROM outbox WHERE seq > ? "
            "ORDER BY seq",
            (sent,),
        ).fetchall()
        copy.executemany(
            "INSERT INTO outbox (origin, kind, patient, visit, day, made_at, body) "
            f"VALUES ({outbox.ORIGIN}, ?, ?, ?, ?, ?, ?)",
            unsent,
        )
    for statement in outbox.seed_statements():
        copy.execute(statement)


def same_store(copy: sqlite3.Connection, current: sqlite3.Connection) -> bool:
    """Whether ``copy`` is a backup of ``current``'s own store: the audit trail is
    append-only, so the backup's is the start of the current one's, line for line."""
    last = copy.execute(
        "SELECT id, at, action, visit_id FROM audit ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if last is None:
        return True  # nothing recorded: no row to mistake for another
    first = copy.execute(
        "SELECT id, at, action, visit_id FROM audit ORDER BY id LIMIT 1"
    ).fetchone()
    for row in (first, last):
        there = current.execute(
            "SELECT id, at, action, visit_id FROM audit WHERE id = ?", (row[0],)
        ).fetchone()
        if there != row:
            return False
    return True
