"""The clinic database's schema: versioned migrations and least-privilege roles.

Everything lives in the schema ``ptclock``. ``ptclock.schema_version`` has one row per
migration applied; a database whose newest migration is newer than this ptclock knows is
refused before anything touches it, as the local store refuses a newer file.

Records are append-only: ``records`` takes inserts and reads, never an update or a delete
(a trigger refuses them even for the owner, and the workstations' role is granted neither).
A record's key is (origin, seq): the workstation's id and its outbox number, so a record
sent twice is kept once.

Roles (group roles without login; the clinic's IT person makes one login per workstation
``IN ROLE ptclock_workstation``, ``ptclock clinic init`` prints how):

* ``ptclock_workstation``: insert and read records, register itself in ``workstations``.
* ``ptclock_reader``: read only (the biller's reports, ``claim --clinic``).
"""

from __future__ import annotations

from typing import Any

SCHEMA = "ptclock"
WORKSTATION_ROLE = "ptclock_workstation"
READER_ROLE = "ptclock_reader"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
        f"""CREATE TABLE {SCHEMA}.workstations (
            origin text PRIMARY KEY,
            name text NOT NULL,
            joined_at timestamptz NOT NULL DEFAULT now(),
            joined_by text NOT NULL DEFAULT current_user
        )""",
        f"""CREATE TABLE {SCHEMA}.records (
            origin text NOT NULL,
            seq bigint NOT NULL CHECK (seq > 0),
            kind text NOT NULL,
            patient text,
            visit text,
            day date,
            made_at text NOT NULL,
            body jsonb NOT NULL,
            received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            received_by text NOT NULL DEFAULT current_user,
            PRIMARY KEY (origin, seq)
        )""",
        f"CREATE INDEX records_day ON {SCHEMA}.records (day, kind)",
        f"CREATE INDEX records_patient ON {SCHEMA}.records (patient) WHERE patient IS NOT NULL",
        f"CREATE INDEX records_visit ON {SCHEMA}.records (visit) WHERE visit IS NOT NULL",
        f"CREATE INDEX records_mrn ON {SCHEMA}.records ((body->>'mrn')) WHERE kind = 'patient'",
        # A clock set or a sleep while a timer ran (no visit of its own): the day's bill
        # reads them per workstation.
        f"CREATE INDEX records_clock ON {SCHEMA}.records (origin) WHERE kind = 'audit' "
        "AND visit IS NULL AND body->>'action' IN ('clock_set', 'suspend')",
        f"""CREATE FUNCTION {SCHEMA}.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'clinic records are append-only: % is refused', TG_OP;
            END $$""",
        f"CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.records "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.append_only()",
        f"CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON {SCHEMA}.records "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.append_only()",
        # A workstation's records are sent by the login that registered it, and when and by
        # whom they arrived is the server's to say: a login cannot write, or block, another
        # workstation's records (one login per workstation).
        f"""CREATE FUNCTION {SCHEMA}.own_records() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM {SCHEMA}.records r
                           WHERE r.origin = NEW.origin AND r.seq = NEW.seq) THEN
                    RETURN NEW;  -- sent again: ON CONFLICT keeps the first, untouched
                END IF;
                NEW.received_at := clock_timestamp();
                NEW.received_by := current_user;
                IF current_setting('is_superuser') <> 'on' AND NOT EXISTS (
                    SELECT 1 FROM {SCHEMA}.workstations w
                    WHERE w.origin = NEW.origin AND w.joined_by = current_user
                ) THEN
                    RAISE EXCEPTION 'records of workstation % are sent by its own login only',
                        NEW.origin USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""",
        f"CREATE TRIGGER records_own BEFORE INSERT ON {SCHEMA}.records "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.own_records()",
        f"""CREATE FUNCTION {SCHEMA}.joined_by_self() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.joined_at := now();
                NEW.joined_by := current_user;
                RETURN NEW;
            END $$""",
        f"CREATE TRIGGER workstations_own BEFORE INSERT ON {SCHEMA}.workstations "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.joined_by_self()",
    ),
    (
        # Settings the clinic shares (its name and address on every report, the page size),
        # set by the clinic's IT person (ptclock clinic init … --clinic-name …): each value
        # a new row, the latest one in force, none ever rewritten.
        f"""CREATE TABLE {SCHEMA}.clinic_settings (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            key text NOT NULL CHECK (key IN ('clinic_name', 'clinic_address', 'page_size')),
            value text NOT NULL,
            set_at timestamptz NOT NULL DEFAULT now(),
            set_by text NOT NULL DEFAULT current_user
        )""",
        f"CREATE TRIGGER clinic_settings_append_only BEFORE UPDATE OR DELETE "
        f"ON {SCHEMA}.clinic_settings FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.append_only()",
    ),
    (
        # Charges handed to billing for the whole clinic (issue 18): one ledger, so no
        # workstation sends what another already sent. Each row keeps what the billing
        # system holds for its date after that export and the visits (clinic ids) it locked.
        f"""CREATE TABLE {SCHEMA}.charge_exports (
            id bigint PRIMARY KEY CHECK (id > 0),
            day date NOT NULL,
            made_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            made_by text NOT NULL DEFAULT current_user,
            origin text NOT NULL,
            format text NOT NULL,
            destination text NOT NULL,
            state jsonb NOT NULL,
            visits text[] NOT NULL
        )""",
        f"CREATE INDEX charge_exports_day ON {SCHEMA}.charge_exports (day, id)",
        f"CREATE TRIGGER charge_exports_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        f"ON {SCHEMA}.charge_exports FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SCHEMA}.append_only()",
        f"""CREATE TABLE {SCHEMA}.charge_tag (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            tag text NOT NULL
        )""",
        f"INSERT INTO {SCHEMA}.charge_tag (tag) "
        "VALUES ('C' || upper(substr(md5(random()::text || clock_timestamp()::text), 1, 5)))",
    ),
)
"""Each migration: its statements, run in one transaction with its schema_version row."""

SHARED_SETTINGS = ("clinic_name", "clinic_address", "page_size")

NEWEST = len(MIGRATIONS)


def version(connection: Any) -> int:
    """The newest migration the clinic database has (0: none; a database without the
    schema)."""
    row = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.schema_version",)
    ).fetchone()
    if not row[0]:
        return 0
    found = connection.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()
    return int(found[0] or 0)


def migrate(connection: Any) -> int:
    """Bring the clinic database up to date; returns how many migrations ran. Each runs in
    its own transaction; ``TooNew`` when the database is newer than this ptclock."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(7150)")  # one init at a time
        current = version(connection)
        if current > NEWEST:
            raise TooNew(current)
        if current == 0:
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {SCHEMA}.schema_version ("
                "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), "
                "applied_by text NOT NULL DEFAULT current_user)"
            )
        ran = 0
        for number, statements in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            with connection.transaction():
                for statement in statements:
                    connection.execute(statement)
                connection.execute(
                    f"INSERT INTO {SCHEMA}.schema_version (version) VALUES (%s)", (number,)
                )
            ran += 1
        _grant(connection)
    return ran


def _grant(connection: Any) -> None:
    """The two group roles and what each may do (again on every init: idempotent)."""
    for role in (WORKSTATION_ROLE, READER_ROLE):
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if exists.fetchone() is None:
            connection.execute(f"CREATE ROLE {role} NOLOGIN")
    for role in (WORKSTATION_ROLE, READER_ROLE):
        connection.execute(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}")
        connection.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {role}")
    connection.execute(
        f"GRANT INSERT ON {SCHEMA}.records, {SCHEMA}.workstations TO {WORKSTATION_ROLE}"
    )
    if version(connection) >= 3:
        connection.execute(f"GRANT INSERT ON {SCHEMA}.charge_exports TO {WORKSTATION_ROLE}")
    connection.execute(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC")


def share(connection: Any, values: dict[str, str]) -> None:
    """Set settings the clinic shares (the owner's connection: workstations may not)."""
    for key, value in values.items():
        connection.execute(
            f"INSERT INTO {SCHEMA}.clinic_settings (key, value) VALUES (%s, %s)", (key, value)
        )


def shared(connection: Any) -> dict[str, str]:
    """The settings the clinic shares: each key's latest value (none before schema 2)."""
    exists = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.clinic_settings",)
    )
    if not exists.fetchone()[0]:
        return {}
    rows = connection.execute(
        f"SELECT DISTINCT ON (key) key, value FROM {SCHEMA}.clinic_settings ORDER BY key, id DESC"
    )
    return {str(key): str(value) for key, value in rows}


class TooNew(Exception):
    def __init__(self, found: int) -> None:
        super().__init__(
            f"the clinic database has schema version {found}, newer than this ptclock "
            f"knows ({NEWEST}): update ptclock on this computer; nothing was changed"
        )
