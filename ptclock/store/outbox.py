"""The clinic outbox: every record that matters, queued for the clinic's database (issue 17).

When the store has joined a clinic (a ``clinic_link`` row), SQLite triggers write one
outbox row in the same transaction as every change a clinic needs: a patient added or
completed, a visit begun or changed, a segment opened, a segment closed (its own record),
a correction, a code's note, a modifier override, an audit line. The outbox is append-only
and numbered (``seq``); the sync pushes rows in that order and remembers the last one the
clinic acknowledged. With no clinic the triggers write nothing: the single-machine app is
unchanged.

Every record carries globally unique ids without changing the local tables: a thing's id
is given when its row is written (or when the store joins, for the rows it had) and kept
in ``row_uids``: the workstation's origin (a random 128-bit id) with the thing's kind and
local row id, "<origin>/v/17". A restored backup gets a new origin (``clinic_link.
carry_over``), so a row id that the restore makes free again never takes the id of a
thing the clinic already has, while the restored rows keep theirs. A patient who came
from the clinic's list keeps the clinic's id (``patients.clinic_uid``). A record's own id
is (origin, seq), the origin it was written under.

The bodies are built by SQL written once here, for both the triggers (``NEW``) and the
seeding of a store's history when it joins (``FROM table``).
"""

from __future__ import annotations

from dataclasses import dataclass

ORIGIN = "(SELECT origin FROM clinic_link WHERE id = 1)"

TABLES = {
    "p": "patients",
    "v": "visits",
    "s": "segments",
    "a": "adjustments",
    "m": "modifier_overrides",
    "l": "audit",
}
"""The tables whose rows have their own id in the clinic, by the letter in that id."""


def _new_uid(letter: str, row_id: str) -> str:
    return f"{ORIGIN} || '/{letter}/' || {row_id}"


def _uid(letter: str, row_id: str) -> str:
    """The id a row was given (``row_uids``), else the one it would be given now."""
    return (
        f"coalesce((SELECT u.uid FROM row_uids u WHERE u.tbl = '{TABLES[letter]}' "
        f"AND u.row_id = {row_id}), {_new_uid(letter, row_id)})"
    )


def _patient_uid(patient_id: str) -> str:
    return (
        f"(SELECT coalesce(p.clinic_uid, {_uid('p', 'p.id')}) FROM patients p "
        f"WHERE p.id = {patient_id})"
    )


def _maybe(column: str, letter: str) -> str:
    """The uid of the row a nullable column points to (NULL stays NULL)."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE {_uid(letter, column)} END"


def _visit_day(visit_id: str) -> str:
    return f"(SELECT v.date_of_service FROM visits v WHERE v.id = {visit_id})"


@dataclass(frozen=True)
class Kind:
    """One kind of outbox record: its table, its body's fields (SQL over the row ``{r}``),
    and the columns the clinic indexes it by."""

    name: str
    table: str
    fields: tuple[tuple[str, str], ...]
    patient: str
    visit: str
    day: str

    def select(self, row: str) -> str:
        """The outbox row's values for table row ``row`` (``NEW`` or a table alias)."""
        body = ", ".join(f"'{key}', {sql}" for key, sql in self.fields).replace("{r}", row)
        columns = [
            ORIGIN,
            f"'{self.name}'",
            self.patient,
            self.visit,
            self.day,
            f"json_object({body})",
        ]
        return ", ".join(columns).replace("{r}", row)


PATIENT = Kind(
    "patient",
    "patients",
    (
        ("patient", f"coalesce({{r}}.clinic_uid, {_uid('p', '{r}.id')})"),
        ("name", "{r}.name"),
        ("mrn", "{r}.mrn"),
        ("dob", "{r}.dob"),
        ("payer", "{r}.payer"),
    ),
    patient=f"coalesce({{r}}.clinic_uid, {_uid('p', '{r}.id')})",
    visit="NULL",
    day="NULL",
)
VISIT = Kind(
    "visit",
    "visits",
    (
        ("visit", _uid("v", "{r}.id")),
        ("patient", _patient_uid("{r}.patient_id")),
        ("provider", "{r}.provider"),
        ("provider_credentials", "{r}.provider_credentials"),
        ("provider_npi", "{r}.provider_npi"),
        ("date_of_service", "{r}.date_of_service"),
        ("zone", "{r}.zone"),
        ("rule", "{r}.rule"),
        ("concurrent", "{r}.concurrent"),
        ("status", "{r}.status"),
        ("started_at", "{r}.started_at"),
        ("ended_at", "{r}.ended_at"),
        ("paused_codes", "{r}.paused_codes"),
        ("note", "{r}.note"),
        ("payer", "{r}.payer"),
    ),
    patient=_patient_uid("{r}.patient_id"),
    visit=_uid("v", "{r}.id"),
    day="{r}.date_of_service",
)
SEGMENT_START = Kind(
    "segment_start",
    "segments",
    (
        ("segment", _uid("s", "{r}.id")),
        ("visit", _uid("v", "{r}.visit_id")),
        ("code", "{r}.code"),
        ("started_at", "{r}.started_at"),
        ("zone", "{r}.zone"),
        ("performer", "{r}.performer"),
    ),
    patient="NULL",
    visit=_uid("v", "{r}.visit_id"),
    day=_visit_day("{r}.visit_id"),
)
SEGMENT_END = Kind(
    "segment_end",
    "segments",
    (("segment", _uid("s", "{r}.id")), ("ended_at", "{r}.ended_at")),
    patient="NULL",
    visit=_uid("v", "{r}.visit_id"),
    day=_visit_day("{r}.visit_id"),
)
ADJUSTMENT = Kind(
    "adjustment",
    "adjustments",
    (
        ("adjustment", _uid("a", "{r}.id")),
        ("visit", _uid("v", "{r}.visit_id")),
        ("code", "{r}.code"),
        ("seconds", "{r}.seconds"),
        ("reason", "{r}.reason"),
        ("made_at", "{r}.made_at"),
        ("zone", "{r}.zone"),
        ("transfer", _maybe("{r}.transfer_id", "a")),
    ),
    patient="NULL",
    visit=_uid("v", "{r}.visit_id"),
    day=_visit_day("{r}.visit_id"),
)
CODE_NOTE = Kind(
    "code_note",
    "code_notes",
    (
        ("visit", _uid("v", "{r}.visit_id")),
        ("code", "{r}.code"),
        ("body_part", "{r}.body_part"),
        ("exercises", "{r}.exercises"),
        ("goal", "{r}.goal"),
    ),
    patient="NULL",
    visit=_uid("v", "{r}.visit_id"),
    day=_visit_day("{r}.visit_id"),
)
MODIFIER_OVERRIDE = Kind(
    "modifier_override",
    "modifier_overrides",
    (
        ("override", _uid("m", "{r}.id")),
        ("visit", _uid("v", "{r}.visit_id")),
        ("code", "{r}.code"),
        ("modifier", "{r}.modifier"),
        ("action", "{r}.action"),
        ("reason", "{r}.reason"),
        ("made_at", "{r}.made_at"),
    ),
    patient="NULL",
    visit=_uid("v", "{r}.visit_id"),
    day=_visit_day("{r}.visit_id"),
)
_RUNNING_VISIT = _uid("v", "json_extract(j.value, '$[0]')")
_RUNNING = (
    "CASE WHEN {r}.action IN ('clock_set', 'suspend') THEN json((SELECT "
    f"json_group_array(json_array({_RUNNING_VISIT}, json_extract(j.value, '$[1]'))) "
    "FROM json_each({r}.after, '$.running') j)) END"
)
AUDIT = Kind(
    "audit",
    "audit",
    (
        ("audit", _uid("l", "{r}.id")),
        ("at", "{r}.at"),
        ("zone", "{r}.zone"),
        ("action", "{r}.action"),
        ("visit", _maybe("{r}.visit_id", "v")),
        ("code", "{r}.code"),
        ("before", "{r}.before"),
        ("after", "{r}.after"),
        # A clock set or a sleep names the visits whose timers ran by their row ids: their
        # clinic ids too, which a restore does not change.
        ("running", _RUNNING),
    ),
    patient="NULL",
    visit=_maybe("{r}.visit_id", "v"),
    day=f"CASE WHEN {{r}}.visit_id IS NULL THEN NULL ELSE {_visit_day('{r}.visit_id')} END",
)


_INSERT = "INSERT INTO outbox (origin, kind, patient, visit, day, body) SELECT "
_JOINED = "EXISTS (SELECT 1 FROM clinic_link WHERE id = 1)"

_TRIGGERS = (
    # (trigger name, event, kind, extra condition, letter of a new row's id to give)
    ("outbox_patient_added", "AFTER INSERT ON patients", PATIENT, "", "p"),
    ("outbox_patient_changed", "AFTER UPDATE ON patients", PATIENT, "", ""),
    ("outbox_visit_begun", "AFTER INSERT ON visits", VISIT, "", "v"),
    ("outbox_visit_changed", "AFTER UPDATE ON visits", VISIT, "", ""),
    ("outbox_segment_opened", "AFTER INSERT ON segments", SEGMENT_START, "", "s"),
    (
        "outbox_segment_closed",
        "AFTER UPDATE OF ended_at ON segments",
        SEGMENT_END,
        " AND NEW.ended_at IS NOT NULL AND OLD.ended_at IS NULL",
        "",
    ),
    ("outbox_adjustment", "AFTER INSERT ON adjustments", ADJUSTMENT, "", "a"),
    ("outbox_note_added", "AFTER INSERT ON code_notes", CODE_NOTE, "", ""),
    ("outbox_note_changed", "AFTER UPDATE ON code_notes", CODE_NOTE, "", ""),
    ("outbox_override", "AFTER INSERT ON modifier_overrides", MODIFIER_OVERRIDE, "", "m"),
    ("outbox_audit", "AFTER INSERT ON audit", AUDIT, "", "l"),
)

_SEEDS = (
    # (kind, condition, order; {fresh}: only rows that had no clinic id yet)
    (PATIENT, "{fresh}", "r.id"),
    (VISIT, "{fresh}", "r.id"),
    (SEGMENT_START, "{fresh}", "r.id"),
    (SEGMENT_END, "r.ended_at IS NOT NULL AND {fresh}", "r.id"),
    (ADJUSTMENT, "{fresh}", "r.id"),
    (CODE_NOTE, "{fresh_visit}", "r.visit_id, r.code"),
    (MODIFIER_OVERRIDE, "{fresh}", "r.id"),
    (AUDIT, "{fresh}", "r.id"),
)


def schema_statements() -> list[str]:
    """The outbox, the clinic link, the records pulled from the clinic, and the triggers
    (migration 5)."""
    statements = [
        """CREATE TABLE clinic_link (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            origin TEXT NOT NULL,
            workstation TEXT NOT NULL,
            address TEXT NOT NULL,
            joined_at TEXT NOT NULL,
            sent_seq INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            pulled_at TEXT,
            pulled_mark TEXT,
            problem TEXT,
            problem_since TEXT
        )""",
        """CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            origin TEXT NOT NULL,
            kind TEXT NOT NULL,
            patient TEXT,
            visit TEXT,
            day TEXT,
            made_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            body TEXT NOT NULL
        )""",
        "CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox "
        "BEGIN SELECT RAISE(ABORT, 'the clinic outbox is append-only'); END",
        "CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox "
        "BEGIN SELECT RAISE(ABORT, 'the clinic outbox is append-only'); END",
        """CREATE TABLE clinic_records (
            origin TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            patient TEXT,
            visit TEXT,
            day TEXT,
            made_at TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (origin, seq)
        )""",
        "CREATE INDEX clinic_records_patient ON clinic_records (patient) WHERE patient IS NOT NULL",
        "CREATE INDEX clinic_records_day ON clinic_records (day)",
        # Origins this store wrote under before a restore gave it a new one: its own
        # records, never another workstation's.
        "CREATE TABLE former_origins (origin TEXT PRIMARY KEY)",
        """CREATE TABLE row_uids (
            tbl TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            uid TEXT NOT NULL,
            PRIMARY KEY (tbl, row_id)
        )""",
        "ALTER TABLE patients ADD COLUMN clinic_uid TEXT",
        "CREATE UNIQUE INDEX patients_clinic_uid ON patients (clinic_uid) "
        "WHERE clinic_uid IS NOT NULL",
    ]
    for name, event, kind, condition, letter in _TRIGGERS:
        # A new row's id first (replacing one a restore left for a row id now free again),
        # then the record, in the same trigger: SQLite does not promise an order between
        # two triggers on one event.
        given = (
            f"INSERT OR REPLACE INTO row_uids (tbl, row_id, uid) VALUES "
            f"('{TABLES[letter]}', NEW.id, {_new_uid(letter, 'NEW.id')}); "
            if letter
            else ""
        )
        statements.append(
            f"CREATE TRIGGER {name} {event} WHEN {_JOINED}{condition} "
            f"BEGIN {given}{_INSERT}{kind.select('NEW')}; END"
        )
    return statements


def seed_statements() -> list[str]:
    """Give every row that has no clinic id one, and queue those rows' history, in order:
    all of it when a store joins a clinic, and after a restore what the clinic cannot know
    (a backup of another store, or one whose rows no link ever gave ids). Runs after the
    ``clinic_link`` row exists, inside the same transaction; rows with an id keep it."""
    fresh = [
        "DROP TABLE IF EXISTS temp.fresh_rows",
        "CREATE TEMP TABLE fresh_rows (tbl TEXT NOT NULL, row_id INTEGER NOT NULL, "
        "PRIMARY KEY (tbl, row_id))",
    ]
    for letter, table in TABLES.items():
        fresh.append(
            f"INSERT INTO temp.fresh_rows SELECT '{table}', r.id FROM {table} r "
            f"WHERE NOT EXISTS (SELECT 1 FROM row_uids u WHERE u.tbl = '{table}' "
            "AND u.row_id = r.id)"
        )
        fresh.append(
            f"INSERT INTO row_uids (tbl, row_id, uid) SELECT f.tbl, f.row_id, "
            f"{_new_uid(letter, 'f.row_id')} FROM temp.fresh_rows f WHERE f.tbl = '{table}'"
        )
    queued = []
    for kind, condition, order in _SEEDS:
        table = kind.table
        where = condition.format(
            fresh=f"r.id IN (SELECT row_id FROM temp.fresh_rows WHERE tbl = '{table}')",
            fresh_visit="r.visit_id IN (SELECT row_id FROM temp.fresh_rows WHERE tbl = 'visits')",
        )
        queued.append(f"{_INSERT}{kind.select('r')} FROM {table} r WHERE {where} ORDER BY {order}")
    return [*fresh, *queued, "DROP TABLE temp.fresh_rows"]
