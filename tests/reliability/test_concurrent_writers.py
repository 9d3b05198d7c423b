"""Concurrent writers: two CLI loops and the app writing one store at once.

No "database is locked" may reach the user and nothing may be lost: every command exits 0
and every event is in the audit trail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ptclock.store import open_store
from tests.helpers import keeper

LOOP = """
import sys
from ptclock.cli import main
visit = sys.argv[1]
failures = 0
for i in range(int(sys.argv[2])):
    for argv in (["timer", "start", "97110", "--visit", visit],
                 ["timer", "add", "97140", "1", "--reason", f"loop {i}", "--visit", visit]):
        if main(argv) != 0:
            failures += 1
print("failures", failures)
"""


def test_two_cli_loops_and_the_app_write_together(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = data / "ptclock.sqlite3"
    app = keeper(path=path)
    visits = [app.new_visit(name) for name in ("Ada", "Grace", "Mary")]
    environment = dict(
        os.environ, PTCLOCK_DATA_DIR=str(data), PYTHONPATH=str(Path(__file__).parents[2])
    )
    rounds = 25
    loops = [
        subprocess.Popen(
            [sys.executable, "-c", LOOP, str(visit), str(rounds)],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for visit in visits[:2]
    ]
    for i in range(rounds):  # the app writes meanwhile
        app.add_minutes("97530", 1, f"app {i}", visits[2])
    results = [loop.communicate(timeout=120) for loop in loops]
    for out, err in results:
        assert out.strip().splitlines()[-1] == "failures 0", err
        assert "locked" not in err
    store = open_store(path)
    trail = store.audit_trail()
    corrections = [e for e in trail if e.action == "correction"]
    assert len(corrections) == 3 * rounds
    for visit in visits[:2]:
        assert len([a for a in store.adjustments(visit)]) == rounds
    assert store.integrity() == ["ok"]
    print(
        f"concurrent writers: 2 CLI loops × {rounds * 2} commands + {rounds} app events, "
        "none refused"
    )
