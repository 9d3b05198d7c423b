"""Fixtures of the clinic tests: a real PostgreSQL server per test worker, a database per
test, and workstations (each its own data folder) that join it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clinic.postgres_server import Server, server_programs, start_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    if server_programs() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server (.ci/run installs postgresql)")
        pytest.skip("PostgreSQL's server programs are not installed (apt install postgresql)")
    server = start_server()
    try:
        yield server
    finally:
        server.remove()


@dataclass
class Clinic:
    server: Server
    database: str
    owner_url: str
    pgpass: Path

    def workstation_url(self, role: str = "ptclock_workstation") -> str:
        """A new login in ``role`` (its password in the pgpass file), as its address."""
        password = "ws-password-1"
        user = self.server.new_login(role, password)
        with self.pgpass.open("a") as lines:
            lines.write(f"127.0.0.1:{self.server.port}:{self.database}:{user}:{password}\n")
        return self.server.url(user, self.database)

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        return self.server.sql(self.database, statement, *params)


@pytest.fixture
def clinic_db(
    postgres: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Clinic]:
    """A fresh clinic database (not yet initialised) and a pgpass file for its logins."""
    if not postgres.running():
        postgres.start()  # a test that stopped it and failed before starting it again
    database = postgres.new_database()
    pgpass = tmp_path / "pgpass"
    pgpass.touch(mode=0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    yield Clinic(postgres, database, postgres.admin_url(database), pgpass)
