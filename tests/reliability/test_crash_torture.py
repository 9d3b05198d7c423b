"""Crash torture: SIGKILL a ptclock process at random moments, many rounds.

After each kill the store passes PRAGMA integrity_check, every event the child reported as
committed is there (same id, same action), and no running timer lost its start. Bounded in
time (PTCLOCK_TORTURE_SECONDS: 2 s by default, so the suite stays quick on a laptop; CI
runs it for 30 s), and at least 5 rounds however short; it prints what it tried.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from ptclock.store import open_store

CHILD = Path(__file__).with_name("crash_child.py")
SECONDS = float(os.environ.get("PTCLOCK_TORTURE_SECONDS", "2"))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_kill_at_random_moments_then_reopen(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    rng = random.Random(20261127)
    environment = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    deadline = time.monotonic() + SECONDS
    rounds = exact = events = 0
    while time.monotonic() < deadline or rounds < 5:
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), str(rounds)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        assert child.stdout is not None
        reported = [child.stdout.readline().split() for _ in range(rng.randint(1, 60))]
        time.sleep(rng.random() * 0.02)  # land the kill anywhere, mid-transaction included
        child.send_signal(signal.SIGKILL)
        child.communicate()
        rounds += 1
        events += len(reported)

        store = open_store(path)
        assert store.integrity() == ["ok"], f"round {rounds}"
        trail = {entry.id: entry.action for entry in store.audit_trail()}
        for _, audit_id, action, _ in reported:
            assert trail.get(int(audit_id)) == action, f"round {rounds}: lost event {audit_id}"
        _, last_id, _, start = reported[-1]
        running = store.running_segments()
        assert len(running) <= 1
        if start != "-":
            reported_start = datetime.fromisoformat(start)
            starts = {
                datetime.fromisoformat(row[0])
                for row in store.connection.execute("SELECT started_at FROM segments")
            }
            assert reported_start in starts, f"round {rounds}: the running timer lost its start"
            if max(trail) == int(last_id):  # killed before the next commit
                exact += 1
                assert [s.started_at for s in running] == [reported_start]
        store.close()
    print(
        f"crash torture: {rounds} kills, {events} committed events checked, "
        f"{exact} kills landed between commits, in {SECONDS:.0f} s budget"
    )
