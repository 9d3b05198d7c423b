"""Faults of clinic mode, each against a real PostgreSQL (issue 17): the server down for a
whole visit, the connection cut in the middle of a push, the same push sent twice,
clocks minutes apart, two workstations with one patient on one day, and a workstation
killed in the middle of a sync. Nothing lost, nothing doubled, checked record by record."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ptclock.clinic import sync
from ptclock.paths import DATABASE_NAME
from ptclock.store import open_store
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.clinic.conftest import Clinic
from tests.clinic.workstations import cli, clinic_claims, on, treat, workstation
from tests.helpers import MORNING

KILL_ROUNDS = int(os.environ.get("PTCLOCK_KILL_ROUNDS", "4"))


def joined(clinic_db: Clinic, capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    if not clinic_db.sql("SELECT to_regclass('ptclock.records') IS NOT NULL")[0][0]:
        assert cli(capsys, folder, "clinic", "init", clinic_db.owner_url)[0] == 0
    status, _, err = cli(capsys, folder, "clinic", "join", clinic_db.workstation_url())
    assert (status, err) == (0, ""), err


def gym_and_table(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, Path]:
    """Two workstations of one clinic (initialised by the first), each with its own login."""
    gym = workstation(tmp_path, "gym")
    table = workstation(tmp_path, "table")
    joined(clinic_db, capsys, gym)
    joined(clinic_db, capsys, table)
    return gym, table


def same_records(clinic_db: Clinic, folder: Path) -> int:
    """The clinic has exactly the workstation's outbox: every record once, none more, each
    with the same content. Returns how many."""
    store = open_store(folder / DATABASE_NAME)
    try:
        link = store.clinic_link()
        assert link is not None
        local = {row.seq: (row.kind, json.loads(row.body)) for row in store.outbox_after(0, 10**9)}
        assert store.queued() == 0
    finally:
        store.close()
    rows = clinic_db.sql(
        "SELECT seq, kind, body FROM ptclock.records WHERE origin = %s ORDER BY seq", link.origin
    )
    remote = {int(seq): (kind, body) for seq, kind, body in rows}  # type: ignore[call-overload]
    assert len(rows) == len(remote)  # (origin, seq) is the key: never doubled
    assert remote == local
    return len(local)


def count_at_clinic(clinic_db: Clinic) -> int:
    return int(clinic_db.sql("SELECT count(*) FROM ptclock.records")[0][0])  # type: ignore[call-overload]


def test_the_server_down_for_a_whole_visit(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    joined(clinic_db, capsys, front)
    clinic_db.server.stop()
    try:
        # The timer runs and every change is kept locally: nothing waits on the network.
        treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 25), ("97140", 12)])
        status, out, err = cli(capsys, front, "sync", "--once")
        assert status == 1 and out == ""
        assert "the clinic database at postgresql://" in err and "cannot be reached" in err
        status, out, _ = cli(capsys, front, "clinic", "status")
        assert "records waiting to be sent" in out and "Not reaching the clinic since" in out
        queued = json.loads(cli(capsys, front, "clinic", "status", "--json")[1])["queued"]
        assert queued > 8
    finally:
        clinic_db.server.start()
    status, out, err = cli(capsys, front, "sync", "--once")
    assert (status, err) == (0, ""), err
    assert f"Sent {queued}," in out and "0 records waiting" in out
    assert same_records(clinic_db, front) == queued  # joined empty: the visit, all of it
    assert "nothing waiting to be sent" in cli(capsys, front, "clinic", "status")[1]


def test_the_connection_cut_in_the_middle_of_a_push(
    clinic_db: Clinic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    front = workstation(tmp_path, "front")
    joined(clinic_db, capsys, front)
    for number in range(6):
        treat(front, "Lee", f"Patient {number}", f"MRN-{number}", [("97110", 10)])
    monkeypatch.setattr(sync, "BATCH", 7)
    real_insert = sync._insert
    calls = []

    def cut_on_third(connection: Any, origin: str, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 3:  # the server ends this connection, as a network cut would
            clinic_db.sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'ptclock' AND pid <> pg_backend_pid()"
            )
        real_insert(connection, origin, rows)

    monkeypatch.setattr(sync, "_insert", cut_on_third)
    status, _, err = cli(capsys, front, "sync", "--once")
    assert status == 1 and "the clinic database at" in err
    sent = json.loads(cli(capsys, front, "clinic", "status", "--json")[1])
    assert sent["queued"] > 0 and sent["problem"]
    monkeypatch.setattr(sync, "_insert", real_insert)
    assert cli(capsys, front, "sync", "--once")[0] == 0
    same_records(clinic_db, front)


def test_the_same_push_sent_twice(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clinic committed, then the workstation forgot it had (killed before it noted
    the push, or its store put back from a copy): everything is sent again, kept once."""
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    assert cli(capsys, front, "clinic", "init", clinic_db.owner_url)[0] == 0
    url = clinic_db.workstation_url()
    # Joined without its first sync: the copy taken now has everything queued.
    keeper = on(front, "Lee", "1234567893")
    with keeper.store.transaction():
        keeper.store.join_clinic("a" * 32, "front", url, "2026-11-27T15:00:00+00:00")
    keeper.store.close()
    import psycopg

    with psycopg.connect(url) as connection:
        sync.register(connection, "a" * 32, "front")
    copy = tmp_path / "before-sync.sqlite3"
    shutil.copy(front / DATABASE_NAME, copy)
    assert cli(capsys, front, "sync", "--once")[0] == 0
    first = same_records(clinic_db, front)
    shutil.copy(copy, front / DATABASE_NAME)  # the acknowledgement is forgotten
    status, out, err = cli(capsys, front, "sync", "--once")
    assert (status, err) == (0, ""), err
    assert f"Sent {first}," in out  # all of it again …
    assert same_records(clinic_db, front) == first  # … and each kept once


def test_a_copied_data_folder_is_stopped_not_merged(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two computers with one identity (a data folder copied after joining) would send
    different records under the same numbers: the second is refused, in words."""
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    joined(clinic_db, capsys, front)
    twin = workstation(tmp_path, "twin")
    shutil.copy(front / DATABASE_NAME, twin / DATABASE_NAME)
    treat(front, "Lee", "Ada Park", "MRN-1", [("97140", 10)], start=MORNING.replace(hour=17))
    treat(twin, "Kim", "Bo Chen", "MRN-2", [("97530", 10)], start=MORNING.replace(hour=17))
    assert cli(capsys, front, "sync", "--once")[0] == 0
    status, _, err = cli(capsys, twin, "sync", "--once")
    assert status == 1 and "another computer uses this workstation's identity" in err
    assert same_records(clinic_db, front) > 0  # the first one's records are intact
    names = {
        row[0]
        for row in clinic_db.sql("SELECT body->>'name' FROM ptclock.records WHERE kind = 'patient'")
    }
    assert names == {"Ada Park"}


def test_two_workstations_one_patient_one_day(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each adds the patient on its own (same MRN); the clinic's claim pools the day."""
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    # 97110 for 6 minutes in the gym, then 97140 for 5 at the table: 11 timed minutes,
    # pooled under the 8-minute rule → 1 unit. Alone each would be 0 units.
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 6)])
    treat(
        table,
        "Kim",
        "Ada Park",
        "MRN-1",
        [("97140", 5)],
        start=MORNING.replace(minute=20),
        npi="1245319599",
    )
    for folder in (gym, table):
        assert cli(capsys, folder, "sync", "--once")[0] == 0
    claims = clinic_claims(capsys, gym, "2026-11-27")
    (claim,) = claims["claims"]
    assert {v["provider"] for v in claim["visits"]} == {"Lee", "Kim"}
    assert [(line["code"], line["units"], line["minutes"]) for line in claim["lines"]] == [
        ("97110", 1, 6)
    ]
    for folder in (gym, table):  # each workstation alone bills nothing
        _, out, _ = cli(capsys, folder, "claim", "--date", "2026-11-27", "--json")
        assert [line["units"] for c in json.loads(out)["claims"] for line in c["lines"]] in (
            [],
            [0],
        )
    assert claims == clinic_claims(capsys, table, "2026-11-27")  # the same from either
    same_records(clinic_db, gym)
    same_records(clinic_db, table)


def test_a_workstation_pulls_the_patients_other_visits_of_the_day(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    treat(gym, "Lee", "Bo Chen", "MRN-2", [("97110", 10)], start=MORNING.replace(hour=16))
    assert cli(capsys, gym, "sync", "--once")[0] == 0
    # At the table, Ada's visit is still going (not ended): its day is pulled.
    treat(
        table,
        "Kim",
        "Ada Park",
        "MRN-1",
        [("97140", 7)],
        start=MORNING.replace(minute=20),
        end=False,
    )
    status, _, err = cli(capsys, table, "sync", "--once")
    assert (status, err) == (0, ""), err
    store = open_store(table / DATABASE_NAME)
    try:
        patients = {json.loads(r.body)["name"] for r in store.pulled("patient")}
        visits = store.pulled("visit")
        segments = store.pulled("segment_start")
    finally:
        store.close()
    assert patients == {"Ada Park", "Bo Chen"}  # the clinic's patient list
    assert {json.loads(v.body)["provider"] for v in visits} == {"Lee"}
    assert {json.loads(s.body)["code"] for s in segments} == {"97110"}  # Ada's, not Bo's
    before = len(visits)
    assert cli(capsys, table, "sync", "--once")[0] == 0  # pulled again: kept once
    store = open_store(table / DATABASE_NAME)
    try:
        assert len(store.pulled("visit")) == before
        link = store.clinic_link()
        assert link is not None and link.pulled_mark is not None  # the next pull: newer only
    finally:
        store.close()
    treat(gym, "Lee", "Di Eve", "MRN-4", [("97110", 10)], start=MORNING.replace(hour=17))
    assert cli(capsys, gym, "sync", "--once")[0] == 0
    assert cli(capsys, table, "sync", "--once")[0] == 0
    store = open_store(table / DATABASE_NAME)
    try:
        kept = [json.loads(r.body) for r in store.pulled("patient")]
        records = [(r.origin, r.seq) for r in store.pulled("patient")]
    finally:
        store.close()
    assert len(records) == len(set(records))  # each record kept once
    # One entry per patient record: the gym's Ada and the table's own (one MRN), Bo, Di.
    by_patient = {data["patient"]: data["name"] for data in kept}
    assert sorted(by_patient.values()) == ["Ada Park", "Ada Park", "Bo Chen", "Di Eve"]


def test_clocks_minutes_apart_reorder_nothing(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table's clock is 6 minutes slow, and is set back mid-visit: its records keep
    its own times; a visit's state follows its outbox order, never a clock."""
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 15)])
    clock = FakeClock(MORNING.replace(minute=18))  # really 10:24 in New York, 6 min slow
    tk = on(table, "Kim", "1245319599", clock)
    tk.new_visit("Ada Park", payer=Payer.MEDICARE, mrn="MRN-1")
    tk.start("97140")
    clock.advance(minutes=4)
    clock.jump_wall(minutes=-3)  # someone sets the clock back while the timer runs
    clock.advance(minutes=4)
    tk.stop("97140")
    tk.end()
    tk.store.close()
    for folder in (gym, table):
        assert cli(capsys, folder, "sync", "--once")[0] == 0
    (claim,) = clinic_claims(capsys, gym, "2026-11-27")["claims"]
    minutes = {line["code"]: line["minutes"] for line in claim["lines"]}
    assert minutes == {"97110": 15, "97140": 8}  # the time that really passed, once
    assert claim["warnings"] == [
        "10:23: the computer's clock was set back 3 min while 97140 ran; the time that really "
        "passed was kept."
    ]  # as the table's own claim says it, and no overlap from the slow clock
    statuses = clinic_db.sql(
        "SELECT body->>'status' FROM ptclock.records "
        "WHERE kind = 'visit' AND body->>'provider' = 'Kim' ORDER BY seq"
    )
    assert statuses[-1] == ("ended",)
    same_records(clinic_db, gym)
    same_records(clinic_db, table)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_workstation_killed_in_the_middle_of_a_sync(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    joined(clinic_db, capsys, front)
    rng = random.Random(20261127)
    environment = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    kills = midway = 0
    last_sent = None
    for round_number in range(KILL_ROUNDS):
        for number in range(80):  # ~1,100 records a round: several batches in flight
            treat(
                front,
                "Lee",
                f"P{round_number}-{number}",
                f"M{round_number}-{number}",
                [("97110", 8), ("97140", 8)],
                start=MORNING.replace(hour=14 + number % 8, minute=number % 50),
            )
        before = count_at_clinic(clinic_db)
        child = subprocess.Popen(
            [sys.executable, "-m", "ptclock", "--data-dir", str(front), "sync", "--every", "1"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill it once the clinic has begun to receive this round's records (the first of
        # several batches committed), a random moment later: mid-push, mid-acknowledgement.
        deadline = time.monotonic() + 20
        while count_at_clinic(clinic_db) == before and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.random() * 0.05)
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        shown = json.loads(cli(capsys, front, "clinic", "status", "--json")[1])
        if shown["queued"] and shown["last_sent"] != last_sent:
            midway += 1  # killed with part of the queue sent and part not
        last_sent = shown["last_sent"]
    status, _, err = cli(capsys, front, "sync", "--once")
    assert (status, err) == (0, ""), err
    count = same_records(clinic_db, front)
    print(
        f"clinic sync killed {kills} times ({midway} in the middle of sending); {count} "
        "records checked one by one, each once"
    )


def backup_of(capsys: pytest.CaptureFixture[str], folder: Path) -> str:
    status, out, err = cli(capsys, folder, "backup")
    assert (status, err) == (0, ""), err
    return out.strip().splitlines()[-1].split()[-1]


def clinic_visits(capsys: pytest.CaptureFixture[str], folder: Path) -> list[str]:
    """The patients of the clinic's visits of the day, one entry per visit."""
    claims = clinic_claims(capsys, folder, "2026-11-27")["claims"]
    return sorted(claim["patient"] for claim in claims for _ in claim["visits"])


def every_local_record_at_the_clinic(clinic_db: Clinic, folder: Path) -> None:
    store = open_store(folder / DATABASE_NAME)
    try:
        local = store.outbox_after(0, 10**9)
        assert store.queued() == 0
    finally:
        store.close()
    remote = {
        (origin, int(seq)): (kind, body)  # type: ignore[call-overload]
        for origin, seq, kind, body in clinic_db.sql(
            "SELECT origin, seq, kind, body FROM ptclock.records"
        )
    }
    for row in local:
        assert remote[row.origin, row.seq] == (row.kind, json.loads(row.body))


def test_a_backup_restored_on_a_joined_workstation_keeps_it_in_the_clinic(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The PC's disk failed at 11:00; last night's backup goes back on. What the clinic got
    in between stays there; what is recorded after the restore joins it, and nothing is
    taken for something else (row ids the restore makes free again are used anew)."""
    front = workstation(tmp_path, "front")
    joined(clinic_db, capsys, front)
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    assert cli(capsys, front, "sync", "--once")[0] == 0
    backup = backup_of(capsys, front)
    treat(front, "Lee", "Bo Chan", "MRN-2", [("97140", 10)], start=MORNING.replace(hour=16))
    assert cli(capsys, front, "sync", "--once")[0] == 0
    status, _, err = cli(capsys, front, "restore", backup)
    assert (status, err) == (0, ""), err
    treat(front, "Lee", "Cy Doe", "MRN-3", [("97530", 10)], start=MORNING.replace(hour=17))
    status, _, err = cli(capsys, front, "sync", "--once")
    assert (status, err) == (0, ""), err
    every_local_record_at_the_clinic(clinic_db, front)
    assert clinic_visits(capsys, front) == ["Ada Park", "Bo Chan", "Cy Doe"]
    status, out, _ = cli(capsys, front, "clinic", "status")
    assert "nothing waiting to be sent" in out


def test_a_backup_from_before_joining_restored_stays_in_the_clinic(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    backup = backup_of(capsys, front)
    joined(clinic_db, capsys, front)
    status, _, err = cli(capsys, front, "restore", backup)
    assert (status, err) == (0, ""), err
    shown = json.loads(cli(capsys, front, "clinic", "status", "--json")[1])
    assert shown["joined"] is True
    treat(front, "Lee", "Bo Chan", "MRN-2", [("97140", 10)], start=MORNING.replace(hour=16))
    assert cli(capsys, front, "sync", "--once")[0] == 0
    every_local_record_at_the_clinic(clinic_db, front)
    assert clinic_visits(capsys, front) == ["Ada Park", "Bo Chan"]  # Ada once, not twice


def test_joining_again_sends_the_whole_history_to_a_new_database(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    joined(clinic_db, capsys, front)
    rebuilt = clinic_db.server.new_database()  # the IT person moved the clinic's database
    owner = clinic_db.server.admin_url(rebuilt)
    assert cli(capsys, front, "clinic", "init", owner)[0] == 0
    password = "ws-password-2"
    login = clinic_db.server.new_login("ptclock_workstation", password)
    with clinic_db.pgpass.open("a") as lines:
        lines.write(f"127.0.0.1:{clinic_db.server.port}:{rebuilt}:{login}:{password}\n")
    status, out, err = cli(capsys, front, "clinic", "join", clinic_db.server.url(login, rebuilt))
    assert (status, err) == (0, ""), err
    assert "Sent 0" not in out
    claims = clinic_claims(capsys, front, "2026-11-27")["claims"]
    assert [claim["patient"] for claim in claims] == ["Ada Park"]


def test_encrypting_a_joined_store_keeps_it_in_the_clinic(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str], keyring_on: Path
) -> None:
    from ptclock.store.driver import is_encrypted

    front = workstation(tmp_path, "front")
    store = open_store(front / DATABASE_NAME, encrypt_new=False)  # made before encryption
    store.close()
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    joined(clinic_db, capsys, front)
    status, _, err = cli(capsys, front, "encrypt")
    assert (status, err) == (0, ""), err
    assert is_encrypted(front / DATABASE_NAME)
    treat(front, "Lee", "Bo Chan", "MRN-2", [("97140", 10)], start=MORNING.replace(hour=16))
    assert cli(capsys, front, "sync", "--once")[0] == 0
    same_records(clinic_db, front)
    assert clinic_visits(capsys, front) == ["Ada Park", "Bo Chan"]


def test_a_join_that_cannot_reach_the_clinic_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    status, out, err = cli(capsys, front, "clinic", "join", "postgresql://ws@127.0.0.1:9/clinic")
    assert status == 1 and out == ""
    assert "cannot be reached" in err and len(err.strip().splitlines()) == 1
    assert list(front.iterdir()) == []  # no database made in a new data folder


def test_cq_across_providers_on_the_clinics_claim(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PT in the gym and a PT assistant at the table treat one Medicare patient on one
    day: the clinic's claim pools them and marks the assistant's unit CQ (Medicare pays
    85%), as one workstation recording both would."""
    from ptclock.timing.records import Performer

    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 15)])
    tk = on(table, "Ana Ruiz", "1245319599", FakeClock(MORNING.replace(minute=30)))
    tk.new_visit("Ada Park", payer=Payer.MEDICARE, mrn="MRN-1")
    tk.start("97530", performer=Performer.PTA)
    tk.clock.advance(minutes=15)
    tk.stop()
    tk.end()
    tk.store.close()
    for folder in (gym, table):
        assert cli(capsys, folder, "sync", "--once")[0] == 0
    (claim,) = clinic_claims(capsys, gym, "2026-11-27")["claims"]
    lines = {line["code"]: (line["units"], line["modifiers"]) for line in claim["lines"]}
    assert lines == {"97110": (1, ["GP"]), "97530": (1, ["GP", "CQ"])}


def test_another_stores_backup_restored_on_a_workstation_gets_ids_of_its_own(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The therapist's old laptop (never joined) is restored on the clinic's workstation,
    as the README's move to a new computer does: its rows are not the replaced store's
    rows, so they get clinic ids of their own and their history is sent."""
    front = workstation(tmp_path, "front")
    laptop = workstation(tmp_path, "laptop")
    joined(clinic_db, capsys, front)
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    assert cli(capsys, front, "sync", "--once")[0] == 0
    treat(
        laptop,
        "Lee",
        "Bo Chen",
        "MRN-2",
        [("97140", 25)],
        start=MORNING.replace(hour=11),
        end=False,
    )
    backup = backup_of(capsys, laptop)
    status, _, err = cli(capsys, front, "restore", backup)
    assert (status, err) == (0, ""), err
    tk = on(front, "Lee", "1234567893", FakeClock(MORNING.replace(hour=11, minute=40)))
    tk.end()  # Bo's visit ends on the workstation
    tk.store.close()
    assert cli(capsys, front, "sync", "--once")[0] == 0
    every_local_record_at_the_clinic(clinic_db, front)
    claims = clinic_claims(capsys, front, "2026-11-27")["claims"]
    shown = {c["patient"]: [(line["code"], line["minutes"]) for line in c["lines"]] for c in claims}
    assert shown == {"Ada Park": [("97110", 10)], "Bo Chen": [("97140", 25)]}


def test_after_a_pre_join_restore_the_window_does_not_pool_its_own_visits(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ptclock.claim_desk import claim_for_visit_id, claim_with_the_clinic

    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97161", 30), ("97110", 10)])
    backup = backup_of(capsys, front)
    joined(clinic_db, capsys, front)
    assert cli(capsys, front, "restore", backup)[0] == 0
    second = treat(
        front,
        "Lee",
        "Ada Park",
        "MRN-1",
        [("97110", 10)],
        start=MORNING.replace(hour=11),
        end=False,
    )
    assert cli(capsys, front, "sync", "--once")[0] == 0
    tk = on(front, "Lee", "1234567893", FakeClock(MORNING.replace(hour=11, minute=20)))
    try:
        local = claim_for_visit_id(tk, second)
        window = claim_with_the_clinic(tk, second)
        assert window.visit_ids == local.visit_ids  # its own earlier visit is not "elsewhere"
        assert [(line.code, line.units) for line in window.lines] == [
            (line.code, line.units) for line in local.lines
        ]
    finally:
        tk.store.close()


def test_a_login_cannot_write_into_another_workstations_visit(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table's login writes records under its own origin naming the gym's visit (a
    new provider, an extra segment): the clinic's claim leaves them out."""
    import psycopg

    gym = workstation(tmp_path, "gym")
    table = workstation(tmp_path, "table")
    joined(clinic_db, capsys, gym)
    url = clinic_db.workstation_url()
    assert cli(capsys, table, "clinic", "join", url)[0] == 0
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    assert cli(capsys, gym, "sync", "--once")[0] == 0
    before = clinic_claims(capsys, gym, "2026-11-27")["claims"]
    store = open_store(table / DATABASE_NAME)
    link = store.clinic_link()
    store.close()
    assert link is not None
    mine = link.origin
    with psycopg.connect(url, autocommit=True) as connection:  # the table's own login
        (body,) = connection.execute(
            "SELECT body FROM ptclock.records WHERE kind = 'visit' ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        uid = body["visit"]
        segment = {
            "segment": mine + "/s/999",
            "visit": uid,
            "code": "97530",
            "started_at": body["started_at"],
            "zone": body["zone"],
            "performer": "PT",
        }
        forged = [
            (9000, "visit", dict(body, provider="Mallory", provider_npi="1245319599")),
            (9001, "segment_start", segment),
            (9002, "segment_end", {"segment": mine + "/s/999", "ended_at": body["ended_at"]}),
        ]  # fmt: skip
        for seq, kind, data in forged:
            connection.execute(
                "INSERT INTO ptclock.records (origin, seq, kind, patient, visit, day, made_at, "
                "body) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (mine, seq, kind, body["patient"], uid, "2026-11-27", "", json.dumps(data)),
            )
    assert clinic_claims(capsys, gym, "2026-11-27")["claims"] == before


def test_a_malformed_record_from_the_clinic_never_stops_the_window(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import psycopg

    from ptclock.ui.controller import SessionController

    gym = workstation(tmp_path, "gym")
    table = workstation(tmp_path, "table")
    joined(clinic_db, capsys, gym)
    url = clinic_db.workstation_url()
    assert cli(capsys, table, "clinic", "join", url)[0] == 0
    visit = treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 10)], end=False)
    store = open_store(table / DATABASE_NAME)
    link = store.clinic_link()
    store.close()
    assert link is not None
    mine, patient = link.origin, link.origin + "/p/1"
    with psycopg.connect(url, autocommit=True) as connection:
        insert = (
            "INSERT INTO ptclock.records (origin, seq, kind, patient, visit, day, made_at, body) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )
        details = {"patient": patient, "name": "X", "mrn": "MRN-1", "dob": "", "payer": "medicare"}
        connection.execute(
            insert, (mine, 1, "patient", patient, None, None, "", json.dumps(details))
        )
        half = {"visit": mine + "/v/1", "patient": patient}  # a visit with most fields missing
        connection.execute(
            insert, (mine, 2, "visit", patient, mine + "/v/1", "2026-11-27", "", json.dumps(half))
        )
    assert cli(capsys, gym, "sync", "--once")[0] == 0
    tk = on(gym, "Lee", "1234567893", FakeClock(MORNING.replace(minute=20)))
    try:
        controller = SessionController(tk)
        controller.visit_id = visit
        claim = controller.review()  # what the window's redraw asks first
        assert claim is not None and [line.code for line in claim.lines] == ["97110"]
    finally:
        tk.store.close()
    assert clinic_claims(capsys, gym, "2026-11-27")["claims"][0]["patient"] == "Ada Park"


def test_joining_with_another_login_is_refused_in_words(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    front = workstation(tmp_path, "front")
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    joined(clinic_db, capsys, front)
    before = clinic_db.sql("SELECT count(*) FROM ptclock.records")[0][0]
    status, out, err = cli(capsys, front, "clinic", "join", clinic_db.workstation_url())
    assert status == 1 and out == ""
    assert "were sent to the clinic by the login ws_" in err and "join with that login" in err
    assert clinic_db.sql("SELECT count(*) FROM ptclock.records")[0][0] == before
    assert cli(capsys, front, "sync", "--once")[0] == 0  # the first login goes on


def test_a_restore_keeps_what_the_replaced_store_had_not_sent_yet(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clinic was out of reach when Bo was treated; then last night's backup went back
    on. Bo's visit is only in the replaced file's queue: the restore queues it again."""
    front = workstation(tmp_path, "front")
    joined(clinic_db, capsys, front)
    treat(front, "Lee", "Ada Park", "MRN-1", [("97110", 10)])
    assert cli(capsys, front, "sync", "--once")[0] == 0
    backup = backup_of(capsys, front)
    clinic_db.server.stop()
    try:
        treat(front, "Lee", "Bo Chan", "MRN-2", [("97140", 10)], start=MORNING.replace(hour=16))
        status, _, err = cli(capsys, front, "restore", backup)
        assert (status, err) == (0, ""), err
    finally:
        clinic_db.server.start()
    assert cli(capsys, front, "sync", "--once")[0] == 0
    assert clinic_visits(capsys, front) == ["Ada Park", "Bo Chan"]
