"""The sync: push the outbox to the clinic database, pull what this workstation needs.

* **Push.** Outbox records go in order, 500 at a time, each batch in one statement and
  one transaction on the server: ``INSERT … ON CONFLICT (origin, seq) DO NOTHING``. Only
  after the server committed does the store note the last one sent. A push cut off
  anywhere (the network, the server, the workstation killed) is sent again whole by the
  next sync, and a record the server already has is kept once: nothing lost, nothing
  doubled. A record the server has *with other content* under the same (origin, seq)
  means two stores share one identity (a copied data folder): the sync stops and says so.
* **Pull.** The clinic's patient list (what arrived since the last pull, with a margin),
  every record of the visits other workstations made for this workstation's patients on
  the dates it has visits not yet ended (same-day pooling, edits and CQ need the patient's
  whole day), and the settings the clinic shares. Records are kept in the store's
  ``clinic_records``, each once; nothing is written when nothing is new.

Records never change once written, and each visit is written only by the workstation that
made it, so two workstations can never write the same record differently: there is
nothing to reconcile. Time inside a record is the workstation's own clock; the order of a
visit's records is the order the clinic received them (for one workstation, its outbox
order), never a clock, so clocks minutes apart do not reorder anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from ptclock.clinic import address as addresses
from ptclock.clinic import server_schema
from ptclock.clinic.charges_ledger import locks_for
from ptclock.clinic.errors import ClinicError
from ptclock.clinic.server import connected
from ptclock.clinic.server_schema import SCHEMA
from ptclock.formats import wall_date_time, wall_time
from ptclock.settings import PAGE_SIZES, Settings
from ptclock.store.clinic_link import ClinicRecord, LinkRow
from ptclock.timekeeper import Timekeeper

BATCH = 500


@dataclass(frozen=True)
class SyncResult:
    sent: int
    """Records the clinic acknowledged in this sync."""
    pulled: int
    """New records kept from the clinic."""
    queued: int
    """Records still waiting (0 after a sync that worked)."""
    shared: dict[str, str] = field(default_factory=dict)
    """The settings the clinic shares (``server_schema.shared``), to apply here."""


def link_of(keeper: Timekeeper) -> LinkRow:
    link = keeper.store.clinic_link()
    if link is None:
        raise ClinicError(
            "this computer has not joined a clinic: run ptclock clinic join URL first"
        )
    return link


def stamp(keeper: Timekeeper) -> str:
    return keeper.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")


def sync_once(keeper: Timekeeper, *, pull: bool = True) -> SyncResult:
    """Push everything queued, then pull; a failure is noted in the store (the window
    and ``ptclock clinic status`` show it) and raised as a ClinicError."""
    return sync_and_look(keeper, lambda _connection: None, pull=pull)[0]


Seen = TypeVar("Seen")


def sync_and_look(
    keeper: Timekeeper, look: Callable[[Any], Seen], *, pull: bool = True
) -> tuple[SyncResult, Seen]:
    """``sync_once``, then ``look`` at the clinic on the same connection (the window's
    "Clinic today")."""
    link = link_of(keeper)
    address = addresses.parse(link.address)
    try:
        with connected(address) as connection:
            sent = push(keeper, connection)
            pulled = pull_records(keeper, connection) if pull else 0
            shared = server_schema.shared(connection) if pull else {}
            seen = look(connection)
    except ClinicError as error:
        if link_of(keeper).problem != str(error):  # a write only when the words change
            with keeper.store.transaction():
                keeper.store.note_sync_problem(str(error), stamp(keeper))
        raise
    return SyncResult(sent, pulled, keeper.store.queued(), shared), seen


def push(keeper: Timekeeper, connection: Any) -> int:
    """Send the outbox in order; returns how many records the clinic acknowledged."""
    store = keeper.store
    sent = 0
    while True:
        link = link_of(keeper)
        rows = store.outbox_after(link.sent_seq, BATCH)
        if not rows:
            return sent
        _insert(connection, link.workstation, rows)
        with store.transaction():
            store.mark_sent(rows[-1].seq, stamp(keeper))
        sent += len(rows)


_REGISTER = f"""
    INSERT INTO {SCHEMA}.workstations (origin, name)
    SELECT DISTINCT o, %s FROM unnest(%s::text[]) AS o
    ON CONFLICT (origin) DO NOTHING
"""

_INSERT = f"""
    INSERT INTO {SCHEMA}.records (origin, seq, kind, patient, visit, day, made_at, body)
    SELECT t.origin, t.seq, t.kind, t.patient, t.visit, t.day, t.made_at, t.body
    FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::date[],
                %s::text[], %s::jsonb[])
         AS t(origin, seq, kind, patient, visit, day, made_at, body)
    ON CONFLICT (origin, seq) DO NOTHING
    RETURNING origin, seq
"""

_DIFFERENT = f"""
    SELECT r.seq FROM {SCHEMA}.records r
    JOIN unnest(%s::text[], %s::bigint[], %s::text[], %s::jsonb[]) AS t(origin, seq, kind, body)
      ON r.origin = t.origin AND r.seq = t.seq
    WHERE r.kind <> t.kind OR r.body <> t.body
    LIMIT 1
"""


def _insert(connection: Any, workstation: str, rows: list[ClinicRecord]) -> None:
    columns = (
        [r.origin for r in rows],
        [r.seq for r in rows],
        [r.kind for r in rows],
        [r.patient for r in rows],
        [r.visit for r in rows],
        [r.day for r in rows],
        [r.made_at for r in rows],
        [r.body for r in rows],
    )
    with connection.transaction():
        # The origins these records were written under: the current one, and an earlier
        # one for records queued before a restore. Each belongs to this login.
        connection.execute(_REGISTER, (workstation, sorted({r.origin for r in rows})))
        inserted = {(row[0], row[1]) for row in connection.execute(_INSERT, columns)}
        if len(inserted) < len(rows):  # sent before: the server must have the same record
            again = [r for r in rows if (r.origin, r.seq) not in inserted]
            different = connection.execute(
                _DIFFERENT,
                (
                    [r.origin for r in again],
                    [r.seq for r in again],
                    [r.kind for r in again],
                    [r.body for r in again],
                ),
            ).fetchone()
            if different is not None:
                raise ClinicError(
                    f"the clinic database already has record {different[0]} of this "
                    "workstation with other content: another computer uses this "
                    "workstation's identity (a copied data folder?). Nothing more is sent "
                    "until the clinic's IT person has looked (ptclock clinic status)"
                )


_PATIENTS = f"""
    SELECT origin, seq, kind, patient, visit, day::text, made_at, body::text,
           received_at::text
    FROM {SCHEMA}.records
    WHERE kind = 'patient'
      AND (%(mark)s::timestamptz IS NULL
           OR received_at > %(mark)s::timestamptz - %(margin)s::interval)
    ORDER BY received_at, origin, seq
"""
PULL_MARGIN = "10 minutes"
"""Patient records a pull asks for again: a push commits its records a moment after the
clinic's clock stamped them, so a pull may not have seen one stamped just before its mark."""

_SAME_DAY = f"""
    WITH same AS (
        SELECT %(patient)s AS patient
        UNION
        SELECT DISTINCT patient FROM {SCHEMA}.records
        WHERE kind = 'patient' AND %(mrn)s <> '' AND body->>'mrn' = %(mrn)s
    ), their_visits AS (
        SELECT DISTINCT visit FROM {SCHEMA}.records
        WHERE kind = 'visit' AND day = %(day)s::date
          AND patient IN (SELECT patient FROM same) AND origin <> ALL(%(own)s)
    )
    SELECT origin, seq, kind, patient, visit, day::text, made_at, body::text
    FROM {SCHEMA}.records
    WHERE visit IN (SELECT visit FROM their_visits) AND kind <> 'audit'
    ORDER BY origin, seq
"""


def pull_records(keeper: Timekeeper, connection: Any) -> int:
    """Keep the clinic's patient list (what is new since the last pull) and the same-day
    visits of this workstation's patients made elsewhere; returns how many records were
    new here."""
    link = link_of(keeper)
    found = connection.execute(
        _PATIENTS, {"mark": link.pulled_mark, "margin": PULL_MARGIN}
    ).fetchall()
    mark = found[-1][8] if found else None
    rows = [ClinicRecord(*row[:8]) for row in found]
    own = keeper.store.own_origins()
    for patient, mrn, day in keeper.store.patient_days():
        found = connection.execute(
            _SAME_DAY, {"patient": patient, "mrn": mrn, "day": day, "own": own}
        )
        rows += [ClinicRecord(*row) for row in found]
    known = keeper.store.pulled_already((row.origin, row.seq) for row in rows)
    rows = [row for row in rows if (row.origin, row.seq) not in known]
    # The clinic's exports of charges that sent this store's visits: locked here too.
    sent = locks_for(connection, own, keeper.store.clinic_lock_mark())
    ids = keeper.store.visits_with_uids([uid for uid, _number, _at in sent])
    locks = [(ids[uid], number, at) for uid, number, at in sent if uid in ids]
    if not rows and not locks and link.pulled_at is not None and not link.problem:
        return 0  # nothing new: no write (the window redraws on every write)
    with keeper.store.transaction():
        new = keeper.store.keep_pulled(rows)
        new += keeper.store.add_clinic_locks(locks)
        keeper.store.mark_pulled(stamp(keeper), mark)
    return new


def register(connection: Any, origin: str, name: str) -> None:
    """The workstation in the clinic's list (once; a later join keeps the first name)."""
    connection.execute(
        f"INSERT INTO {SCHEMA}.workstations (origin, name) VALUES (%s, %s) "
        "ON CONFLICT (origin) DO NOTHING",
        (origin, name),
    )


def run(
    keeper: Timekeeper,
    every: float,
    stop: threading.Event,
    report: Callable[[SyncResult | ClinicError], None],
) -> None:
    """Sync every ``every`` seconds until ``stop`` is set (``ptclock sync``, and the
    window's background sync); each result or failure goes to ``report``."""
    while not stop.is_set():
        try:
            report(sync_once(keeper))
        except ClinicError as error:
            report(error)
        stop.wait(every)


def with_shared(settings: Settings, shared: dict[str, str]) -> Settings:
    """``settings`` with the values the clinic shares (unknown or invalid ones are left)."""
    changes: dict[str, str] = {}
    for key, value in shared.items():
        if key == "page_size" and value not in PAGE_SIZES:
            continue
        if key in server_schema.SHARED_SETTINGS and getattr(settings, key) != value:
            changes[key] = value
    return settings.changed(**changes) if changes else settings


def status_words(link: LinkRow | None, queued: int, now: datetime) -> str:
    """The sync's state in plain words, for the window's status and ``clinic status``."""
    if link is None:
        return "Not part of a clinic: this computer keeps its records to itself."
    waiting = (
        "nothing waiting to be sent"
        if queued == 0
        else f"{queued} record{'' if queued == 1 else 's'} waiting to be sent"
    )
    last = f"last sent {_when(link.sent_at, now)}" if link.sent_at else "nothing sent yet"
    if link.problem:
        since = _when(link.problem_since, now) if link.problem_since else "now"
        return f"Clinic: {waiting}; {last}. Not reaching the clinic since {since}: {link.problem}"
    return f"Clinic: {waiting}; {last}."


def short_status(link: LinkRow | None, queued: int, now: datetime) -> str:
    """The sync's state in a few words, for the window's status bar."""
    if link is None:
        return ""
    if link.problem:
        since = _when(link.problem_since, now) if link.problem_since else "now"
        return f"Clinic ⚠ not reachable since {since.removeprefix('at ')} · {queued} waiting"
    if queued:
        return f"Clinic: {queued} waiting to be sent"
    sent = f" (sent {_when(link.sent_at, now)})" if link.sent_at else ""
    return f"Clinic ✓ up to date{sent}"


def _when(text: str | None, now: datetime) -> str:
    """A stored moment as the status says it: "at 10:20" today, else with its date."""
    if not text:
        return "never"
    moment, zone = datetime.fromisoformat(text), now.tzinfo
    if zone is None or moment.astimezone(zone).date() == now.date():
        return f"at {wall_time(moment, zone or moment.tzinfo or timezone.utc)}"
    day, _, time = wall_date_time(moment, zone).partition(" ")
    return f"on {day} at {time}"
