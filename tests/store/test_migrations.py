"""A database from every earlier schema version, holding rows, opens and upgrades whole."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from ptclock.store import open_store
from ptclock.store.schema import migrations
from ptclock.store.version import APPLICATION_ID, SCHEMA_VERSION
from tests.helpers import keeper

# The migration each earlier version stopped before; the last entry is the newest before now.
EARLIER = {
    1: "m002_billing_data",
    2: "m003_store_identity_and_boot_clocks",
    3: "m004_identity_payer_and_provider_per_visit",
    4: "m005_clinic_outbox",
    5: "m006_charge_exports",
}


def older_database(path: Path, version: int) -> None:
    """A file as the ptclock of schema ``version`` left it, with a visit being timed."""
    connection = sqlite3.connect(path)
    migrations.apply(Database(connection), stop_before=EARLIER[version])
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {version}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.executescript(
        """
        INSERT INTO patients (name, mrn, payer) VALUES ('Ada', 'MRN-1', 'medicare');
        INSERT INTO visits (patient_id, date_of_service, zone, rule, status, started_at)
        VALUES (1, '2026-11-27', 'America/New_York', 'cms', 'open',
                '2026-11-27T15:00:00.000000+00:00');
        INSERT INTO segments (visit_id, code, started_at, zone)
        VALUES (1, '97110', '2026-11-27T15:00:00.000000+00:00', 'America/New_York');
        INSERT INTO audit (at, zone, action, visit_id) VALUES
        ('2026-11-27T15:00:00.000000+00:00', 'America/New_York', 'visit_new', 1);
        """
    )
    connection.commit()
    connection.close()


@pytest.mark.parametrize("version", sorted(EARLIER))
def test_an_older_database_with_rows_upgrades(tmp_path: Path, version: int) -> None:
    assert max(EARLIER) == SCHEMA_VERSION - 1  # a new migration needs a row here
    path = tmp_path / "ptclock.sqlite3"
    older_database(path, version)
    tk = keeper(store=open_store(path))
    store = tk.store
    assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.integrity() == ["ok"]
    (running,) = store.running_segments()
    assert (running.visit_id, running.code) == (1, "97110")
    assert tk.visit(1).patient == "Ada"
    (store_id,) = store.connection.execute("SELECT store_id FROM store_meta").fetchone()
    assert len(store_id) == 32
    tk.stop("97110", 1)  # the upgraded file takes new events, with their boot clocks
    assert store.last_stamp() is not None
    assert [e.action for e in store.audit_trail()] == ["visit_new", "timer_stop"]
