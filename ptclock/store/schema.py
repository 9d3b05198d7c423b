"""The database schema, as a list of small named migrations (sqlite_utils.Migrations).

Each migration runs in its own transaction and is recorded in ``_sqlite_migrations``;
``PRAGMA user_version`` holds the number of the newest one, so a database written by a
newer ptclock is recognised and refused before anything touches it.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from ptclock.store import charge_exports, outbox
from ptclock.store.driver import sqlite3
from ptclock.store.version import APPLICATION_ID, SCHEMA_VERSION

migrations = Migrations("ptclock")


@migrations()
def m001_initial(db: Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            mrn TEXT NOT NULL DEFAULT '',
            payer TEXT NOT NULL
        );
        CREATE INDEX patients_name ON patients (name);

        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES patients (id),
            provider TEXT NOT NULL DEFAULT '',
            date_of_service TEXT NOT NULL,
            zone TEXT NOT NULL,
            rule TEXT NOT NULL CHECK (rule IN ('cms', 'ama')),
            concurrent INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL CHECK (status IN ('open', 'paused', 'ended')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            paused_codes TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX visits_date ON visits (date_of_service);
        CREATE INDEX visits_open ON visits (status) WHERE status != 'ended';

        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits (id),
            code TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            zone TEXT NOT NULL,
            performer TEXT NOT NULL DEFAULT 'PT'
        );
        CREATE INDEX segments_visit ON segments (visit_id);
        CREATE INDEX segments_running ON segments (visit_id) WHERE ended_at IS NULL;

        -- A segment is only ever closed, once: its start and code are never rewritten.
        CREATE TRIGGER segments_close_only BEFORE UPDATE ON segments
        WHEN OLD.ended_at IS NOT NULL OR NEW.started_at IS NOT OLD.started_at
             OR NEW.code IS NOT OLD.code OR NEW.visit_id IS NOT OLD.visit_id
        BEGIN SELECT RAISE(ABORT, 'segments are closed once and never rewritten'); END;
        CREATE TRIGGER segments_keep BEFORE DELETE ON segments
        BEGIN SELECT RAISE(ABORT, 'segments are never deleted'); END;

        CREATE TABLE adjustments (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits (id),
            code TEXT NOT NULL,
            seconds INTEGER NOT NULL,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            made_at TEXT NOT NULL,
            zone TEXT NOT NULL,
            transfer_id INTEGER
        );
        CREATE INDEX adjustments_visit ON adjustments (visit_id);
        CREATE TRIGGER adjustments_no_update BEFORE UPDATE ON adjustments
        BEGIN SELECT RAISE(ABORT, 'corrections are new records, never rewrites'); END;
        CREATE TRIGGER adjustments_no_delete BEFORE DELETE ON adjustments
        BEGIN SELECT RAISE(ABORT, 'corrections are new records, never rewrites'); END;

        CREATE TABLE code_notes (
            visit_id INTEGER NOT NULL REFERENCES visits (id),
            code TEXT NOT NULL,
            body_part TEXT NOT NULL DEFAULT '',
            exercises TEXT NOT NULL DEFAULT '',
            goal TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (visit_id, code)
        );

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            zone TEXT NOT NULL,
            action TEXT NOT NULL,
            visit_id INTEGER,
            code TEXT,
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_visit ON audit (visit_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """,
    )


@migrations()
def m002_billing_data(db: Database) -> None:
    """Imported NCCI edits, fee schedules and the therapist's modifier overrides."""
    run_script(
        db,
        """
        CREATE TABLE ptp_edits (
            id INTEGER PRIMARY KEY,
            origin TEXT NOT NULL CHECK (origin IN ('cms', 'payer')),
            payer TEXT NOT NULL DEFAULT '',
            column1 TEXT NOT NULL,
            column2 TEXT NOT NULL,
            modifier INTEGER NOT NULL CHECK (modifier IN (0, 1, 9)),
            effective TEXT NOT NULL,
            deletion TEXT,
            source TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX ptp_edits_pair ON ptp_edits (column1, column2);

        CREATE TABLE fees (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            amount TEXT NOT NULL,
            payer TEXT NOT NULL DEFAULT '',
            year INTEGER
        );

        CREATE TABLE modifier_overrides (
            id INTEGER PRIMARY KEY,
            visit_id INTEGER NOT NULL REFERENCES visits (id),
            code TEXT NOT NULL,
            modifier TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            made_at TEXT NOT NULL
        );
        CREATE INDEX modifier_overrides_visit ON modifier_overrides (visit_id);
        CREATE INDEX visits_patient_date ON visits (patient_id, date_of_service);
        """,
    )


@migrations()
def m003_store_identity_and_boot_clocks(db: Database) -> None:
    """A random id for this store, touched by every event, so a -wal file can be told to
    belong to it (a stray -wal from another store or another copy is refused, not replayed);
    and the boot id and boot-time clocks beside each audit line's wall time, so a later
    process can tell elapsed time from a clock that was set."""
    run_script(
        db,
        """
        CREATE TABLE store_meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            store_id TEXT NOT NULL,
            events INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO store_meta (id, store_id) VALUES (1, lower(hex(randomblob(16))));
        ALTER TABLE audit ADD COLUMN boot_id TEXT;
        ALTER TABLE audit ADD COLUMN monotonic REAL;
        ALTER TABLE audit ADD COLUMN since_boot REAL;
        """,
    )


@migrations()
def m004_identity_payer_and_provider_per_visit(db: Database) -> None:
    """The payer and the provider (name, credentials, NPI) belong to each visit, so a later
    visit never rewrites an earlier one; a patient's date of birth; patients found by MRN;
    a fee's practice-expense share (for Medicare's multiple procedure payment reduction).

    Existing visits take their payer from their patient's payer as it stood (the only record
    there was) and keep their provider's name; credentials and NPI were never recorded
    with a visit, so they stay empty. ``patients.payer`` stays, written once when a patient
    is added, and is no longer read for a visit.
    """
    run_script(
        db,
        """
        ALTER TABLE patients ADD COLUMN dob TEXT NOT NULL DEFAULT '';
        ALTER TABLE visits ADD COLUMN payer TEXT NOT NULL DEFAULT 'other'
            CHECK (payer IN ('medicare', 'commercial', 'other'));
        ALTER TABLE visits ADD COLUMN provider_credentials TEXT NOT NULL DEFAULT '';
        ALTER TABLE visits ADD COLUMN provider_npi TEXT NOT NULL DEFAULT '';
        UPDATE visits SET payer = coalesce(
            (SELECT p.payer FROM patients p WHERE p.id = visits.patient_id
             AND p.payer IN ('medicare', 'commercial', 'other')),
            'other');
        CREATE INDEX patients_mrn ON patients (mrn) WHERE mrn != '';
        CREATE INDEX visits_patient_started ON visits (patient_id, started_at);
        ALTER TABLE fees ADD COLUMN pe_share TEXT;
        CREATE INDEX audit_clock ON audit (id) WHERE action IN ('clock_set', 'suspend');
        """,
    )


@migrations()
def m005_clinic_outbox(db: Database) -> None:
    """The clinic outbox and its triggers, the clinic link and the records pulled from the
    clinic (``ptclock.store.outbox``; issue 17). Dormant until the store joins a clinic."""
    for statement in outbox.schema_statements():
        db.execute(statement)


@migrations()
def m006_charge_exports(db: Database) -> None:
    """Charges handed to billing, what each export left with the billing system, and the
    visits it locked (``ptclock.store.charge_exports``; issue 18)."""
    for statement in charge_exports.SCHEMA:
        db.execute(statement)


def run_script(db: Database, script: str) -> None:
    """Run SQL statements one by one, inside the migration's transaction.

    ``executescript`` would commit first and so break the one-transaction-per-migration
    promise; a half-applied migration must roll back whole.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:60]}")


def migrate(db: Database) -> None:
    """Bring the schema up to date and record its version in the file's header."""
    migrations.apply(db)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
