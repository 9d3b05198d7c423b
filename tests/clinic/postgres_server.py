"""A real PostgreSQL server for the clinic tests, started by the tests themselves.

Debian's ``postgresql`` package (``.ci/run`` installs it) gives ``initdb`` and ``pg_ctl``;
each test worker starts its own throw-away cluster on a free loopback port, with a random
password for its owner, and each test gets a database of its own. PostgreSQL refuses to
run as root, so under root (CI) the cluster runs as the ``postgres`` system user the
package makes. Never a mock: the faults (a server down, a cut connection) are real.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def server_programs() -> Path | None:
    """The folder with initdb and pg_ctl (the newest installed), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    programs: Path
    folder: Path
    port: int
    password: str
    as_user: list[str]
    """The command prefix that runs a server program as its owner (``runuser`` for root)."""

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            str(self.programs / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def remove(self) -> None:
        if self.running():
            subprocess.run(
                [
                    *self.as_user,
                    str(self.programs / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop(self) -> None:
        self._run(str(self.programs / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://owner:{self.password}@127.0.0.1:{self.port}/{database}"

    def url(self, user: str, database: str) -> str:
        """An address without a password (the pgpass file has it)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def sql(self, database: str, statement: str, *params: object) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.admin_url(database), autocommit=True) as connection:
            cursor = connection.execute(statement, params or None)
            return list(cursor.fetchall()) if cursor.description else []

    def new_database(self) -> str:
        name = f"clinic_{uuid.uuid4().hex[:12]}"
        self.sql("postgres", f"CREATE DATABASE {name}")
        return name

    def new_login(self, role: str, password: str) -> str:
        name = f"ws_{uuid.uuid4().hex[:10]}"
        self.sql("postgres", f"CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {role}")
        return name


def start_server() -> Server:
    programs = server_programs()
    if programs is None:
        raise FileNotFoundError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL will not run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        # Outside the tests' own (root-only) temporary folders, where its owner can reach.
        folder = Path(tempfile.mkdtemp(prefix="ptclock-postgres-", dir="/tmp"))
        shutil.chown(folder, "postgres")
    else:
        folder = Path(tempfile.mkdtemp(prefix="ptclock-postgres-"))
    password = secrets.token_hex(16)
    secret = folder / "owner-password"
    secret.write_text(password)
    if as_user:
        shutil.chown(secret, "postgres")
    server = Server(programs, folder, _free_port(), password, as_user)
    server._run(
        str(programs / "initdb"),
        "-D",
        str(server.data),
        "-U",
        "owner",
        "-A",
        "scram-sha-256",
        f"--pwfile={secret}",
        "--no-sync",
        "--no-instructions",
    )
    secret.unlink()
    server.start()
    return server
