"""Issue 13, defects 2 and 13: a version-3 file upgrades to payers and providers per visit.

Old visits take the payer their patient had (the only record there was) and keep their
provider's name; credentials and NPI were never recorded with a visit and stay empty. After
the upgrade a patient's new payer never rewrites an old visit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from ptclock.report.model import Provider
from ptclock.settings import Settings
from ptclock.store import open_store
from ptclock.store.schema import migrations
from ptclock.store.version import APPLICATION_ID
from ptclock.timing.records import Payer
from tests.helpers import keeper

STARTED = "2026-11-27T15:00:00.000000+00:00"


def version_3_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    migrations.apply(Database(connection), stop_before="m004_identity_payer_and_provider_per_visit")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute("PRAGMA user_version = 3")
    connection.executescript(
        f"""
        INSERT INTO patients (name, mrn, payer) VALUES ('Ada', 'MRN-1', 'medicare');
        INSERT INTO patients (name, mrn, payer) VALUES ('Bob', '', 'commercial');
        INSERT INTO visits (patient_id, provider, date_of_service, zone, rule, status,
                            started_at, ended_at)
        VALUES (1, 'Jordan Lee', '2026-11-27', 'America/New_York', 'cms', 'ended',
                '{STARTED}', '{STARTED}'),
               (2, '', '2026-11-27', 'America/New_York', 'ama', 'ended',
                '{STARTED}', '{STARTED}');
        """
    )
    connection.commit()
    connection.close()


def test_old_visits_keep_their_patients_payer_and_their_providers_name(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    version_3_database(path)
    settings = Settings(provider="Jordan Lee", credentials="PT", npi="1234567893")
    tk = keeper(store=open_store(path), settings=settings)
    ada, bob = tk.visit(1), tk.visit(2)
    assert (ada.payer, bob.payer) == (Payer.MEDICARE, Payer.COMMERCIAL)
    assert (ada.provider, ada.provider_credentials, ada.provider_npi) == ("Jordan Lee", "", "")
    assert (bob.provider, bob.mrn, bob.dob) == ("", "", None)
    # Reports fill in what an old visit never recorded, from the same provider's settings.
    configured = Provider.from_settings(settings)
    assert configured.for_visit(ada).npi == "1234567893"
    assert configured.for_visit(bob).signature_name == "Jordan Lee, PT"
    assert configured.treated(ada) and configured.treated(bob)

    tk.new_visit("Bob", Payer.MEDICARE)  # defect 2: the new payer is this visit's only
    assert tk.visit(2).payer is Payer.COMMERCIAL
    assert tk.visit(3).payer is Payer.MEDICARE
    (visit,) = [v for v in tk.store.open_visits() if v.patient == "Bob"]
    assert (visit.provider, visit.provider_credentials, visit.provider_npi) == (
        "Jordan Lee",
        "PT",
        "1234567893",
    )
    assert tk.store.integrity() == ["ok"]
