"""Setting up a clinic in two commands against a real PostgreSQL (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptclock.paths import DATABASE_NAME
from tests.clinic.conftest import Clinic
from tests.clinic.workstations import cli, clinic_claims, treat, workstation
from tests.helpers import MORNING


def test_init_then_join_sends_the_workstations_history(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 30), ("97140", 10)])

    status, out, err = cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    assert (status, err) == (0, ""), err
    assert "is ready (schema 3)" in out
    assert clinic_db.owner_url.split("@")[0].split(":")[-1] not in out  # never the password
    status, out, _ = cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    assert status == 0 and "already up to date" in out

    status, out, err = cli(
        capsys, front, "clinic", "join", clinic_db.workstation_url(), "--name", "Front desk"
    )
    assert (status, err) == (0, ""), err
    assert "This computer (Front desk) joined the clinic database" in out
    kinds = dict(clinic_db.sql("SELECT kind, count(*) FROM ptclock.records GROUP BY kind"))
    assert kinds["patient"] == 1
    assert kinds["segment_start"] == kinds["segment_end"] == 2
    assert kinds["visit"] >= 1 and kinds["audit"] >= 3
    (name,) = clinic_db.sql("SELECT name FROM ptclock.workstations")[0]
    assert name == "Front desk"

    status, out, _ = cli(capsys, front, "clinic", "status", "--json")
    shown = json.loads(out)
    assert (
        shown["queued"] == 0 and shown["problem"] is None and shown["workstation"] == "Front desk"
    )

    claims = clinic_claims(capsys, front, "2026-11-27")
    (claim,) = claims["claims"]
    assert claim["patient"] == "Ada Park" and claim["mrn"] == "MRN-1"
    lines = {line["code"]: line["units"] for line in claim["lines"]}
    assert lines == {"97110": 2, "97140": 1}  # 40 minutes: 3 units (CMS 8-minute rule)
    status, out, _ = cli(capsys, front, "claim", "--date", "2026-11-27", "--json")
    (local,) = json.loads(out)["claims"]
    assert claim["lines"] == local["lines"] and claim["warnings"] == local["warnings"]
    assert claim["visits"][0]["provider"] == "Lee"
    assert claim["visits"][0]["workstation"] == "Front desk"


def test_the_password_is_never_kept_in_settings_or_the_store(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], keyring_on: Path
) -> None:
    front = workstation(tmp_path, "front")
    assert cli(capsys, front, "clinic", "init", clinic_db.owner_url)[0] == 0
    login = clinic_db.server.new_login("ptclock_workstation", "Secret-Horse-88")
    url = f"postgresql://{login}:Secret-Horse-88@127.0.0.1:{clinic_db.server.port}/{clinic_db.database}"
    status, out, err = cli(capsys, front, "clinic", "join", url)
    assert (status, err) == (0, ""), err
    assert "Secret-Horse-88" not in out
    for path in front.rglob("*"):
        if path.is_file():
            assert b"Secret-Horse-88" not in path.read_bytes(), path
    clinic_db.pgpass.write_text("")  # the keyring alone signs in from now on
    status, out, err = cli(capsys, front, "sync", "--once")
    assert (status, err) == (0, ""), err


def test_a_workstation_may_insert_and_read_but_never_rewrite(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    url = clinic_db.workstation_url()
    assert cli(capsys, front, "clinic", "join", url)[0] == 0
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT count(*) FROM ptclock.records").fetchone()[0] > 0
    for statement in (
        "UPDATE ptclock.records SET kind = 'x'",
        "DELETE FROM ptclock.records",
        "TRUNCATE ptclock.records",
    ):
        with (
            psycopg.connect(url) as connection,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            connection.execute(statement)
        # Not even the owner: the records are append-only.
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            clinic_db.sql(statement)


def test_a_newer_clinic_schema_is_refused_and_nothing_changes(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    clinic_db.sql("INSERT INTO ptclock.schema_version (version) VALUES (99)")
    before = (front / DATABASE_NAME).read_bytes()
    status, out, err = cli(capsys, front, "clinic", "join", clinic_db.workstation_url())
    assert status == 1 and out == ""
    assert "schema version 99, newer than this ptclock knows (3)" in err
    assert (front / DATABASE_NAME).read_bytes() == before
    status, _, err = cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    assert status == 1 and "newer than this ptclock knows" in err


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://a@b/c", "must start with postgresql://"),
        ("postgresql://a@db.clinic.example/c?sslmode=disable", "must be reached over TLS"),
        ("postgresql://a@db.clinic.example/c?sslmode=prefer", "must be reached over TLS"),
        ("postgresql://@127.0.0.1/c", "names no user"),
        ("postgresql://a@127.0.0.1/", "names no database"),
        ("postgresql://a@127.0.0.1/c?gssencmode=disable", "an option ptclock does not take"),
        ("postgresql://a@127.0.0.1:99999/c", "not a valid URL"),
        ("postgresql://a@/c?host=/tmp,db.clinic.example&sslmode=disable", "several hosts"),
        ("postgresql://a@db1.example,db2.example/c", "several hosts"),
        ("postgresql://a@/c", "names no host"),
    ],
)
def test_a_bad_address_is_one_sentence_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, words: str
) -> None:
    front = workstation(tmp_path, "front")
    status, out, err = cli(capsys, front, "clinic", "join", url)
    assert status == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1
    assert not (front / DATABASE_NAME).exists()


def test_a_password_is_never_quoted_back() -> None:
    from ptclock.clinic.address import AddressProblem, parse

    with pytest.raises(AddressProblem) as refused:
        parse("postgresql://ws:Xy7q/9!ab@db.example.com/ptclock")
    assert "Xy7q" not in str(refused.value) and "9!ab" not in str(refused.value)


def test_another_host_gets_verify_full_tls_by_default() -> None:
    from ptclock.clinic.address import parse

    address = parse("postgresql://ws1:pw@db.clinic.example/ptclock")
    assert dict(address.options)["sslmode"] == "verify-full"
    assert address.shown() == "postgresql://ws1@db.clinic.example:5432/ptclock?sslmode=verify-full"
    assert dict(parse("postgresql://ws1@localhost/ptclock").options) == {}


def test_settings_the_clinic_shares_reach_every_workstation(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    from ptclock.settings import load_settings

    front = workstation(tmp_path, "front")
    shared = ("--clinic-name", "Riverside Physical Therapy", "--address", "12 Mill Street")
    status, _, err = cli(
        capsys, front, "clinic", "init", clinic_db.owner_url, *shared, "--page-size", "a4"
    )
    assert (status, err) == (0, ""), err
    url = clinic_db.workstation_url()
    assert cli(capsys, front, "clinic", "join", url)[0] == 0
    settings = load_settings()
    assert (settings.clinic_name, settings.clinic_address, settings.page_size) == (
        "Riverside Physical Therapy",
        "12 Mill Street",
        "a4",
    )
    # The IT person renames the clinic; the next sync brings it.
    assert (
        cli(capsys, front, "clinic", "init", clinic_db.owner_url, "--clinic-name", "Riverside PT")[
            0
        ]
        == 0
    )
    assert cli(capsys, front, "sync", "--once")[0] == 0
    assert load_settings().clinic_name == "Riverside PT"
    # Only the owner sets them: a workstation's login may not.
    with psycopg.connect(url) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(
            "INSERT INTO ptclock.clinic_settings (key, value) VALUES ('page_size', 'a4')"
        )


def test_an_older_clinic_schema_is_brought_up_to_date_keeping_every_record(
    clinic_db: Clinic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ptclock.clinic import server_schema

    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    migrations, newest = server_schema.MIGRATIONS, server_schema.NEWEST
    monkeypatch.setattr(server_schema, "MIGRATIONS", migrations[:1])  # a ptclock of schema 1
    monkeypatch.setattr(server_schema, "NEWEST", 1)
    assert cli(capsys, front, "clinic", "init", clinic_db.owner_url)[0] == 0
    status, _, err = cli(capsys, front, "clinic", "join", clinic_db.workstation_url())
    assert (status, err) == (0, ""), err
    before = clinic_db.sql("SELECT count(*) FROM ptclock.records")[0][0]
    monkeypatch.setattr(server_schema, "MIGRATIONS", migrations)  # this ptclock
    monkeypatch.setattr(server_schema, "NEWEST", newest)
    status, out, err = cli(capsys, front, "clinic", "init", clinic_db.owner_url)
    assert (status, err) == (0, ""), err
    assert "is ready (schema 3)" in out
    assert [
        row[0] for row in clinic_db.sql("SELECT version FROM ptclock.schema_version ORDER BY 1")
    ] == [1, 2, 3]
    assert clinic_db.sql("SELECT count(*) FROM ptclock.records")[0][0] == before
    assert cli(capsys, front, "sync", "--once")[0] == 0  # and the workstation syncs on


def test_a_login_cannot_write_another_workstations_records(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each workstation signs in with its own login: a record under another's origin is
    refused, so no login can change another provider's claim or block its sync."""
    import psycopg

    gym = workstation(tmp_path, "gym")
    table = workstation(tmp_path, "table")
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 30)])
    assert cli(capsys, gym, "clinic", "init", clinic_db.owner_url)[0] == 0
    assert cli(capsys, gym, "clinic", "join", clinic_db.workstation_url())[0] == 0
    table_url = clinic_db.workstation_url()
    assert cli(capsys, table, "clinic", "join", table_url)[0] == 0
    (gym_origin, visit) = clinic_db.sql(
        "SELECT origin, visit FROM ptclock.records WHERE kind = 'visit' LIMIT 1"
    )[0]
    forged = json.dumps(
        {"segment": "x", "visit": visit, "code": "97110", "zone": "America/New_York",
         "started_at": "2026-11-27T10:00:00+00:00", "performer": "PT"}
    )  # fmt: skip
    with (
        psycopg.connect(table_url) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="sent by its own login only"),
    ):
        connection.execute(
            "INSERT INTO ptclock.records (origin, seq, kind, visit, day, made_at, body) "
            "VALUES (%s, 999999, 'segment_start', %s, '2026-11-27', '', %s)",
            (gym_origin, visit, forged),
        )
    claims = clinic_claims(capsys, gym, "2026-11-27")
    assert [line["units"] for line in claims["claims"][0]["lines"]] == [2]
    treat(gym, "Lee", "Bo Chen", "MRN-2", [("97140", 10)], start=MORNING.replace(hour=17))
    assert cli(capsys, gym, "sync", "--once")[0] == 0  # its own sync goes on


def test_join_can_ask_for_the_password_instead_of_taking_it_on_the_command_line(
    clinic_db: Clinic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    keyring_on: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import getpass
    import sys

    front = workstation(tmp_path, "front")
    assert cli(capsys, front, "clinic", "init", clinic_db.owner_url)[0] == 0
    login = clinic_db.server.new_login("ptclock_workstation", "Typed-Secret-42")
    url = f"postgresql://{login}@127.0.0.1:{clinic_db.server.port}/{clinic_db.database}"
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr(
        getpass, "getpass", lambda prompt: asked.append(prompt) or "Typed-Secret-42"
    )
    status, out, err = cli(capsys, front, "clinic", "join", url, "--ask-password")
    assert (status, err) == (0, ""), err
    assert asked == [f"Password for {login} at 127.0.0.1: "]
    assert "Typed-Secret-42" not in out
    assert cli(capsys, front, "sync", "--once")[0] == 0  # the keyring signs in from now on
