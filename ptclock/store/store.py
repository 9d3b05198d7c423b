"""The store: the only place in ptclock that speaks SQL.

Each event (start, stop, switch, pause, adjust, note, end) is written by the caller inside
one ``with store.transaction():`` block (the Timekeeper's ``event()``) — one BEGIN IMMEDIATE
… COMMIT with synchronous=FULL — before control goes back to the caller, so whatever the
user saw is on disk.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.billing import Rule
from ptclock.store import backup, conversion, keys, opening
from ptclock.store.billing_data import BillingData
from ptclock.store.charge_exports import ChargeExportData
from ptclock.store.clinic_link import ClinicLinkData
from ptclock.store.driver import is_encrypted, like_prefix, sqlite3
from ptclock.store.errors import DamagedStore, StoreError, UnusableDatabase, restore_advice
from ptclock.store.guarded import GuardedConnection
from ptclock.store.timestamps import from_text, to_text
from ptclock.store.version import SCHEMA_VERSION
from ptclock.timing.clock import ClockStamp
from ptclock.timing.records import (
    Adjustment,
    ClockNote,
    CodeNote,
    Payer,
    Performer,
    Segment,
    Visit,
    VisitRecord,
    VisitStatus,
)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    visit_id: int | None
    code: str | None
    before: Any
    after: Any


@dataclass(frozen=True)
class PatientRow:
    id: int
    name: str
    mrn: str
    dob: str
    """The date of birth, YYYY-MM-DD, or empty when not recorded."""
    last_payer: Payer | None
    """The payer of the patient's last visit (None before the first): the next one's default."""


class Store(BillingData, ClinicLinkData, ChargeExportData):
    """An open ptclock database."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path | None,
        key: bytes | None = None,
        opened: tuple[int, int] | None = None,
    ) -> None:
        self.connection = connection
        self.path = path
        self._key = key
        """The file's SQLCipher key (None: a plain file); its backups are encrypted with it."""
        self._wal_name = None if path is None else f"{path}-wal"
        """The -wal's path as a string: the window stats it every second."""
        self._file = opened or self._identity()
        """The file the connection opened (``opened``: looked at before connecting, so a
        file replaced while the connection opened is caught by the first write)."""
        self._broken: str | None = None
        """Set once the file was found damaged: nothing more is written to it."""
        self._stamp: ClockStamp | None = None
        self._guard(connection)
        self._wal_file = self._wal_identity()

    def close(self) -> None:
        self.connection.close()

    @property
    def encrypted(self) -> bool:
        """Whether the file (and its -wal and daily backups) is encrypted (SQLCipher)."""
        return self._key is not None

    def write_backup(self, target: Path, key: bytes | None = None) -> Path:
        """A consistent snapshot into ``target`` (``backup.write_backup``): encrypted with
        ``key`` (a backup's own, to take elsewhere) or else with this file's key, if any."""
        return backup.write_backup(
            self.connection, target, key if key is not None else self._key, self._key
        )

    def _guard(self, connection: sqlite3.Connection) -> None:
        if isinstance(connection, GuardedConnection):
            connection.translate = weakref.WeakMethod(self._translate)

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self, stamp: ClockStamp | None = None) -> Iterator[None]:
        """One user event, committed durably before the block returns.

        BEGIN IMMEDIATE takes the write lock up front, so a second writer (the CLI while
        the window writes) waits on the busy timeout instead of failing halfway. Every
        event touches the store's identity row, so each commit in the -wal carries it.
        ``stamp`` (the boot id and boot-time clocks) goes beside each audit line's time.
        """
        if self._broken is not None:
            raise DamagedStore(self._broken)
        if self.connection.in_transaction:
            raise StoreError("events do not nest")
        self._check_file()
        self.keep_wal_in_place()
        self._stamp = stamp
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                # Again under the write lock: a file replaced while this waited for the lock
                # (``ptclock encrypt`` swaps the file while it holds it) is not written.
                self._check_file()
                yield
                self.connection.execute("UPDATE store_meta SET events = events + 1 WHERE id = 1")
            except BaseException:
                self._roll_back()
                raise
            self.connection.execute("COMMIT")
        except StoreError:
            self._roll_back()
            raise
        finally:
            self._stamp = None
        if self._wal_file is None:
            self._wal_file = self._wal_identity()

    def _roll_back(self) -> None:
        if self.connection.in_transaction:
            with suppress(sqlite3.Error, StoreError):
                self.connection.execute("ROLLBACK")

    def _translate(self, error: sqlite3.Error) -> StoreError:
        """An SQLite error in words. Damage stops every later write to the file."""
        text = str(error).lower()
        damaged = not isinstance(error, sqlite3.OperationalError) or any(
            word in text for word in ("malformed", "not a database", "corrupt")
        )
        if not damaged:
            return StoreError(self._explain(error))
        where = self.path or "the database"
        self._broken = (
            f"{where} is damaged ({error}); nothing more is written to it. "
            f"{restore_advice(self.path)}"
        )
        return DamagedStore(self._broken)

    def _explain(self, error: sqlite3.Error) -> str:
        """SQLite's error in words: what happened, that nothing before it was lost, and
        what to do."""
        text = str(error).lower()
        where = self.path or "the database"
        if "full" in text:
            problem, advice = "the disk is full", "Free some disk space, then try again."
        elif "readonly" in text or "read-only" in text:
            folder = self.path.parent if self.path is not None else "its folder"
            problem = "the database cannot be written (read-only)"
            advice = f"Check that you may write {where} and {folder}."
        elif "locked" in text or "busy" in text:
            problem = "the database stayed busy with another ptclock"
            advice = "Try again in a moment."
        elif "disk i/o" in text:
            problem = "the disk reported an input/output error"
            advice = "Check the disk (an unplugged drive, a failing disk), then try again."
        else:
            problem, advice = str(error), "Try again."
        return (
            f"{problem}: this change was not saved ({where}); everything saved before it is "
            f"kept. {advice}"
        )

    def keep_wal_in_place(self) -> None:
        """Rescue the commits when the -wal was deleted or replaced under the open connection.

        Committed changes then live only in the -wal this connection still holds open: a
        checkpoint copies them into the database now, and a new connection writes a -wal
        that other processes see again. Called before each event and on the window's tick.
        """
        if self._wal_file is None or self.path is None:
            return
        if self._wal_identity() == self._wal_file:
            return
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()
        self.connection = opening.connect(self.path, self._key)
        self._guard(self.connection)
        self.connection.execute("PRAGMA schema_version").fetchone()  # makes the new -wal
        self._wal_file = self._wal_identity()

    def _wal_identity(self) -> tuple[int, int] | None:
        if self._wal_name is None:
            return None
        try:
            info = os.stat(self._wal_name)  # noqa: PTH116 — every second: no Path objects
        except OSError:
            return None
        return (info.st_dev, info.st_ino)

    def _identity(self) -> tuple[int, int] | None:
        return None if self.path is None else _identity_of(self.path)

    def _check_file(self) -> None:
        """Refuse to write when the file was deleted or replaced under the open connection.

        SQLite would go on writing into the unlinked file, and every change would vanish
        when ptclock closes: a silent loss.
        """
        if self.path is not None and self._identity() != self._file:
            raise StoreError(
                f"{self.path} was deleted or replaced while ptclock was running; nothing more "
                "is written to it. Restart ptclock (the latest backup is in the backups folder)."
            )

    def _writing(self) -> None:
        if not self.connection.in_transaction:
            raise StoreError("writes happen inside store.transaction()")

    # -- patients -----------------------------------------------------------------------

    _PATIENT_COLUMNS = (
        "p.id, p.name, p.mrn, p.dob, (SELECT v.payer FROM visits v WHERE v.patient_id = p.id "
        "ORDER BY v.started_at DESC, v.id DESC LIMIT 1)"
    )

    def _patients(self, where: str, parameters: tuple[Any, ...]) -> list[PatientRow]:
        rows = self.connection.execute(
            f"SELECT {self._PATIENT_COLUMNS} FROM patients p WHERE {where} ORDER BY p.id",
            parameters,
        )
        return [
            PatientRow(row[0], row[1], row[2], row[3], Payer(row[4]) if row[4] else None)
            for row in rows
        ]

    def patients_named(self, name: str) -> list[PatientRow]:
        """Every patient with exactly this name (namesakes are told apart by MRN)."""
        return self._patients("p.name = ?", (name,))

    def patient_with_mrn(self, mrn: str) -> PatientRow | None:
        """The patient an MRN belongs to (None for an empty or unknown MRN)."""
        found = self._patients("p.mrn = ? AND p.mrn != ''", (mrn,))
        return found[0] if found else None

    def add_patient(self, name: str, payer: Payer, mrn: str = "", dob: str = "") -> int:
        """A new patient. ``payer`` is only the first visit's, kept for older files: a
        visit's payer is stored with the visit."""
        self._writing()
        cursor = self.connection.execute(
            "INSERT INTO patients (name, payer, mrn, dob) VALUES (?, ?, ?, ?)",
            (name, payer.value, mrn, dob),
        )
        return int(cursor.lastrowid or 0)

    def complete_patient(self, patient_id: int, mrn: str = "", dob: str = "") -> None:
        """Fill in an MRN or a date of birth the patient did not have yet (never overwrite)."""
        self._writing()
        if mrn:
            self.connection.execute(
                "UPDATE patients SET mrn = ? WHERE id = ? AND mrn = ''", (mrn, patient_id)
            )
        if dob:
            self.connection.execute(
                "UPDATE patients SET dob = ? WHERE id = ? AND dob = ''", (dob, patient_id)
            )

    def patient_names(self, starting: str = "", limit: int = 20) -> list[str]:
        """Earlier patients' names, for picking one as the user types."""
        pattern = like_prefix(starting)
        rows = self.connection.execute(
            "SELECT DISTINCT name FROM patients WHERE name LIKE ? ESCAPE '\\' "
            "ORDER BY name LIMIT ?",
            (pattern, limit),
        )
        return [row[0] for row in rows]

    # -- visits -------------------------------------------------------------------------

    _VISIT_COLUMNS = (
        "v.id, p.name, v.payer, v.provider, v.date_of_service, v.zone, v.rule, v.status, "
        "v.started_at, v.ended_at, v.concurrent, v.paused_codes, v.note, p.mrn, p.id, "
        "v.provider_credentials, v.provider_npi, p.dob"
    )

    def _visits(self, where: str, parameters: tuple[Any, ...] = ()) -> list[Visit]:
        rows = self.connection.execute(
            f"SELECT {self._VISIT_COLUMNS} FROM visits v JOIN patients p ON p.id = v.patient_id "
            f"WHERE {where} ORDER BY v.started_at, v.id",
            parameters,
        )
        return [
            Visit(
                id=row[0],
                patient=row[1],
                payer=Payer(row[2]),
                provider=row[3],
                date_of_service=date.fromisoformat(row[4]),
                zone=row[5],
                rule=Rule(row[6]),
                status=VisitStatus(row[7]),
                started_at=from_text(row[8]),
                ended_at=from_text(row[9]) if row[9] else None,
                concurrent=bool(row[10]),
                paused_codes=tuple(code for code in row[11].split(",") if code),
                note=row[12],
                mrn=row[13],
                patient_id=row[14],
                provider_credentials=row[15],
                provider_npi=row[16],
                dob=date.fromisoformat(row[17]) if row[17] else None,
            )
            for row in rows
        ]

    def add_visit(
        self,
        patient_id: int,
        provider: str,
        date_of_service: date,
        zone: str,
        rule: Rule,
        started_at: datetime,
        concurrent: bool = False,
        payer: Payer = Payer.OTHER,
        provider_credentials: str = "",
        provider_npi: str = "",
    ) -> int:
        """A visit, with its own payer and provider (name, credentials, NPI) as they are
        when it starts: a later change of either never rewrites it."""
        self._writing()
        cursor = self.connection.execute(
            "INSERT INTO visits (patient_id, provider, date_of_service, zone, rule, concurrent, "
            "status, started_at, payer, provider_credentials, provider_npi) "
            "VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
            (
                patient_id,
                provider,
                date_of_service.isoformat(),
                zone,
                rule.value,
                int(concurrent),
                to_text(started_at),
                payer.value,
                provider_credentials,
                provider_npi,
            ),
        )
        return int(cursor.lastrowid or 0)

    def visit(self, visit_id: int) -> Visit | None:
        found = self._visits("v.id = ?", (visit_id,))
        return found[0] if found else None

    def open_visits(self) -> list[Visit]:
        """Visits not yet ended, oldest first (uses the partial index on status)."""
        return self._visits("v.status != 'ended'")

    def visits_on(self, day: date) -> list[Visit]:
        return self._visits("v.date_of_service = ?", (day.isoformat(),))

    def visits_of_patient(self, patient_id: int, first: date, last: date) -> list[Visit]:
        """The patient's visits with a date of service from ``first`` to ``last``."""
        return self._visits(
            "v.patient_id = ? AND v.date_of_service BETWEEN ? AND ?",
            (patient_id, first.isoformat(), last.isoformat()),
        )

    def update_visit(self, visit_id: int, **changes: Any) -> None:
        """Change a visit's status, rule, end, pause state, concurrency or note."""
        self._writing()
        allowed = {"status", "rule", "ended_at", "paused_codes", "concurrent", "note"}
        if not changes or set(changes) - allowed:
            raise StoreError(f"cannot change {sorted(set(changes) - allowed)} of a visit")
        values = [_column_value(value) for value in changes.values()]
        assignments = ", ".join(f"{name} = ?" for name in changes)
        self.connection.execute(
            f"UPDATE visits SET {assignments} WHERE id = ?", (*values, visit_id)
        )

    # -- segments, corrections, notes ----------------------------------------------------

    def segments(self, visit_id: int) -> list[Segment]:
        rows = self.connection.execute(
            "SELECT id, visit_id, code, started_at, ended_at, performer FROM segments "
            "WHERE visit_id = ? ORDER BY started_at, id",
            (visit_id,),
        )
        return [_segment(row) for row in rows]

    def running_segments(self) -> list[Segment]:
        """Every running segment of every open visit (partial index: no history scan)."""
        rows = self.connection.execute(
            "SELECT s.id, s.visit_id, s.code, s.started_at, s.ended_at, s.performer "
            "FROM visits v JOIN segments s ON s.visit_id = v.id AND s.ended_at IS NULL "
            "WHERE v.status != 'ended' ORDER BY s.started_at, s.id"
        )
        return [_segment(row) for row in rows]

    def add_segment(
        self, visit_id: int, code: str, started_at: datetime, zone: str, performer: Performer
    ) -> int:
        self._writing()
        cursor = self.connection.execute(
            "INSERT INTO segments (visit_id, code, started_at, zone, performer) "
            "VALUES (?, ?, ?, ?, ?)",
            (visit_id, code, to_text(started_at), zone, performer.value),
        )
        return int(cursor.lastrowid or 0)

    def close_segment(self, segment_id: int, ended_at: datetime) -> None:
        self._writing()
        self.connection.execute(
            "UPDATE segments SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
            (to_text(ended_at), segment_id),
        )

    def adjustments(self, visit_id: int) -> list[Adjustment]:
        rows = self.connection.execute(
            "SELECT id, visit_id, code, seconds, reason, made_at, transfer_id FROM adjustments "
            "WHERE visit_id = ? ORDER BY made_at, id",
            (visit_id,),
        )
        return [
            Adjustment(row[0], row[1], row[2], row[3], row[4], from_text(row[5]), row[6])
            for row in rows
        ]

    def add_adjustment(
        self,
        visit_id: int,
        code: str,
        seconds: int,
        reason: str,
        made_at: datetime,
        zone: str,
        transfer_id: int | None = None,
    ) -> int:
        self._writing()
        cursor = self.connection.execute(
            "INSERT INTO adjustments (visit_id, code, seconds, reason, made_at, zone, transfer_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (visit_id, code, seconds, reason, to_text(made_at), zone, transfer_id),
        )
        return int(cursor.lastrowid or 0)

    def code_notes(self, visit_id: int) -> list[CodeNote]:
        rows = self.connection.execute(
            "SELECT code, body_part, exercises, goal FROM code_notes WHERE visit_id = ? "
            "ORDER BY code",
            (visit_id,),
        )
        return [CodeNote(*row) for row in rows]

    def set_code_note(self, visit_id: int, note: CodeNote) -> None:
        self._writing()
        self.connection.execute(
            "INSERT INTO code_notes (visit_id, code, body_part, exercises, goal) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id, code) DO UPDATE SET "
            "body_part = excluded.body_part, exercises = excluded.exercises, "
            "goal = excluded.goal",
            (visit_id, note.code, note.body_part, note.exercises, note.goal),
        )

    def record(self, visit_id: int) -> VisitRecord | None:
        """A visit with its segments, corrections and notes."""
        visit = self.visit(visit_id)
        if visit is None:
            return None
        return VisitRecord(
            visit,
            tuple(self.segments(visit_id)),
            tuple(self.adjustments(visit_id)),
            tuple(self.code_notes(visit_id)),
            tuple(self.clock_notes(visit)),
        )

    def records(self, visit_ids: Sequence[int]) -> dict[int, VisitRecord]:
        """The records of many visits at once (``record`` for each, in a few queries per
        500 visits rather than five per visit): what a day's or a year's claims read."""
        found: dict[int, VisitRecord] = {}
        clock_rows = self.connection.execute(
            "SELECT id, at, action, after FROM audit WHERE action IN ('clock_set', 'suspend') "
            "ORDER BY id"
        ).fetchall()
        for start in range(0, len(visit_ids), 500):
            chunk = tuple(visit_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            segments: dict[int, list[Segment]] = {visit_id: [] for visit_id in chunk}
            for row in self.connection.execute(
                "SELECT id, visit_id, code, started_at, ended_at, performer FROM segments "
                f"WHERE visit_id IN ({marks}) ORDER BY started_at, id",
                chunk,
            ):
                segments[row[1]].append(_segment(row))
            adjustments: dict[int, list[Adjustment]] = {visit_id: [] for visit_id in chunk}
            for row in self.connection.execute(
                "SELECT id, visit_id, code, seconds, reason, made_at, transfer_id "
                f"FROM adjustments WHERE visit_id IN ({marks}) ORDER BY made_at, id",
                chunk,
            ):
                adjustments[row[1]].append(
                    Adjustment(row[0], row[1], row[2], row[3], row[4], from_text(row[5]), row[6])
                )
            notes: dict[int, list[CodeNote]] = {visit_id: [] for visit_id in chunk}
            for row in self.connection.execute(
                "SELECT visit_id, code, body_part, exercises, goal FROM code_notes "
                f"WHERE visit_id IN ({marks}) ORDER BY code",
                chunk,
            ):
                notes[row[0]].append(CodeNote(*row[1:]))
            first_audit = dict(
                self.connection.execute(
                    f"SELECT visit_id, min(id) FROM audit WHERE visit_id IN ({marks}) "
                    "GROUP BY visit_id",
                    chunk,
                ).fetchall()
            )
            for visit in self._visits(f"v.id IN ({marks})", chunk):
                after = first_audit.get(visit.id, 0)
                found[visit.id] = VisitRecord(
                    visit,
                    tuple(segments[visit.id]),
                    tuple(adjustments[visit.id]),
                    tuple(notes[visit.id]),
                    tuple(_clock_notes(visit.id, (r[1:] for r in clock_rows if r[0] > after))),
                )
        return found

    def clock_notes(self, visit: Visit) -> list[ClockNote]:
        """Sleeps and clock changes recorded while one of the visit's timers ran."""
        # By the order of the audit trail, not by time: a clock set back writes a time
        # earlier than the visit's start.
        rows = self.connection.execute(
            "SELECT at, action, after FROM audit WHERE action IN ('clock_set', 'suspend') "
            "AND id > (SELECT coalesce(min(id), 0) FROM audit WHERE visit_id = ?) ORDER BY id",
            (visit.id,),
        )
        return _clock_notes(visit.id, rows)

    # -- audit --------------------------------------------------------------------------

    def audit(
        self,
        at: datetime,
        zone: str,
        action: str,
        *,
        visit_id: int | None = None,
        code: str | None = None,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
    ) -> None:
        """Append one line to the audit trail (append-only: triggers refuse the rest).

        Everything after ``action`` is named: ``before`` and ``after`` are stored as JSON."""
        self._writing()
        stamp = self._stamp or ClockStamp(None, None, None)
        self.connection.execute(
            "INSERT INTO audit (at, zone, action, visit_id, code, before, after, boot_id, "
            "monotonic, since_boot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                to_text(at),
                zone,
                action,
                visit_id,
                code,
                _json(before),
                _json(after),
                stamp.boot_id,
                stamp.monotonic,
                stamp.since_boot,
            ),
        )

    def audit_trail(self, visit_id: int | None = None) -> list[AuditEntry]:
        """Every audit line (of ``visit_id``: its own, and the sleeps and clock changes
        recorded while one of its timers ran, which belong to no one visit), oldest first."""
        where, parameters = (
            (
                "WHERE visit_id = ? OR (visit_id IS NULL AND action IN ('clock_set', 'suspend') "
                "AND id > (SELECT coalesce(min(id), 0) FROM audit WHERE visit_id = ?))",
                (visit_id, visit_id),
            )
            if visit_id is not None
            else ("", ())
        )
        rows = self.connection.execute(
            f"SELECT id, at, action, visit_id, code, before, after FROM audit {where} ORDER BY id",
            parameters,
        )
        entries = [
            AuditEntry(
                row[0],
                from_text(row[1]),
                row[2],
                row[3],
                row[4],
                json.loads(row[5]) if row[5] is not None else None,
                json.loads(row[6]) if row[6] is not None else None,
            )
            for row in rows
        ]
        return [
            entry
            for entry in entries
            if visit_id is None
            or entry.visit_id == visit_id
            or any(ran[0] == visit_id for ran in (entry.after or {}).get("running", []))
        ]

    def last_stamp(self) -> tuple[datetime, ClockStamp] | None:
        """The newest audit line's wall time and boot clocks (None before the first)."""
        row = self.connection.execute(
            "SELECT at, boot_id, monotonic, since_boot FROM audit ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return (from_text(row[0]), ClockStamp(row[1], row[2], row[3])) if row else None

    def last_event_at(self) -> datetime | None:
        """When the newest audit line was written: a wall clock earlier than this went back."""
        row = self.connection.execute("SELECT at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return from_text(row[0]) if row else None

    def data_version(self) -> int:
        """Changes when another connection (the CLI, another process) commits."""
        return int(self.connection.execute("PRAGMA data_version").fetchone()[0])

    def integrity(self) -> list[str]:
        return [row[0] for row in self.connection.execute("PRAGMA integrity_check")]


def _clock_notes(visit_id: int, rows: Iterable[tuple[str, str, str | None]]) -> list[ClockNote]:
    """The clock-change audit lines (at, action, after) that touched ``visit_id``'s timers."""
    found = []
    for at, action, after in rows:
        data = json.loads(after) if after else {}
        codes = tuple(str(code) for running, code in data.get("running", []) if running == visit_id)
        if codes:
            found.append(ClockNote(from_text(at), action, int(data.get("seconds", 0)), codes))
    return found


def _segment(row: tuple[Any, ...]) -> Segment:
    return Segment(
        row[0],
        row[1],
        row[2],
        from_text(row[3]),
        from_text(row[4]) if row[4] else None,
        Performer(row[5]),
    )


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _column_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_text(value)
    if isinstance(value, Rule | VisitStatus):
        return value.value
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return int(value)
    return value


def open_store(
    path: Path | None = None, *, today: date | None = None, encrypt_new: bool | None = None
) -> Store:
    """Open (or create) the database at ``path`` (default: the data folder's ptclock.sqlite3).

    A new database is created complete or not at all, encrypted with the installation's key
    (made and kept in the system keyring on the first run) when ``encrypt_new`` is true or,
    by default, when the computer has a keyring; plain otherwise. An existing file is
    checked before anything is written to it (an encrypted one with the keyring's key); a
    daily backup is made through SQLite's backup API (never a file copy, which would miss
    the -wal file), encrypted like the file, then pending migrations are applied.
    """
    path = path or paths.database_file()
    backups = path.parent / "backups"
    first_today = today is None or not backup.made_on(backups, today)
    try:
        paths.private_data_dir(path.parent)
    except OSError as error:
        raise StoreError(
            f"cannot create the database {path}: its folder cannot be made ({error.strerror})"
        ) from error
    fresh = not path.exists()
    key: bytes | None = None
    folder = path.parent
    if not fresh:
        if is_encrypted(path):
            key = keys.key_for(folder)  # KeyProblem: a locked keyring, no passphrase
        # The full integrity scan grows with the history: it runs on the day's first open
        # (before the day's backup, so a damaged file never becomes a backup); later opens
        # check the header, the owner, the schema version and that a -wal belongs here.
        try:
            opening.check_existing(path, backups, integrity=first_today, key=key)
        except opening.UnfinishedCreation:
            path.unlink()  # empty: a first run killed before it wrote anything
            fresh = True
        except UnusableDatabase:
            if (
                key is not None
                and keys.uses_passphrase(folder)
                and not opening.readable_with(path, key, immutable=True)
            ):
                keys.forget_passphrase(folder)  # asked again next time
                raise keys.WrongPassphrase(
                    f"the passphrase is not the one the patient data in {folder} was "
                    "encrypted with; nothing was changed"
                ) from None
            raise
    if fresh:
        if encrypt_new is None:
            encrypt_new = keys.keyring_available() or keys.uses_passphrase(folder)
        key = keys.key_for(folder, create=True) if encrypt_new else None
        opening.create_complete(path, key)
    opened = _identity_of(path)
    try:
        connection = opening.connect(path, key)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open the database {path}: {error}") from error
    store = Store(connection, path, key, opened)
    if key is not None:
        conversion.finish_interrupted(folder)  # a plain copy a killed encrypt left
    try:
        if not fresh and today is not None:
            backup.daily_backup(connection, backups, today, key)
        migrate_if_needed(connection)
    except (sqlite3.Error, StoreError) as error:
        connection.close()
        raise StoreError(f"cannot prepare the database {path}: {error}") from error
    return store


def _identity_of(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def open_memory_store() -> Store:
    """A throw-away store in memory, for tests and previews."""
    connection = sqlite3.connect(":memory:", isolation_level=None, factory=GuardedConnection)
    connection.execute("PRAGMA foreign_keys = ON")
    store = Store(connection, None)
    migrate_if_needed(connection)
    return store


def migrate_if_needed(connection: sqlite3.Connection) -> None:
    """Apply pending migrations; an up-to-date file costs one PRAGMA, not an import."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        from sqlite_utils import Database

        from ptclock.store.schema import migrate

        migrate(Database(connection))
