"""SIGKILL a real ptclock process mid-visit: nothing it reported as committed is lost."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from ptclock.store import open_store

CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 12


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_kill_while_timing_then_restart(tmp_path: Path) -> None:
    path = tmp_path / "ptclock.sqlite3"
    rng = random.Random(20261127)
    environment = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    exact = 0
    for round_number in range(ROUNDS):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(path), str(round_number)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        assert child.stdout is not None
        wanted = rng.randint(1, 40)
        reported = [child.stdout.readline().split() for _ in range(wanted)]
        child.send_signal(signal.SIGKILL)  # mid-event: the child never stops writing
        child.communicate()
        _, last_id, start = reported[-1]

        store = open_store(path)
        assert store.integrity() == ["ok"]
        trail = store.audit_trail()
        assert trail[-1].id >= int(last_id)
        running = store.running_segments()
        assert len(running) <= 1
        if start != "-":
            reported_start = datetime.fromisoformat(start)
            visit = store.open_visits()[0].id
            # The reported timer is on disk with its original start, whatever came after.
            assert reported_start in [s.started_at for s in store.segments(visit)]
            if trail[-1].id == int(last_id):  # killed before the next commit
                exact += 1
                assert [s.started_at for s in running] == [reported_start]
        store.close()
    print(f"{ROUNDS} kills survived; {exact} between two commits")
