"""``ptclock claim``: the command around the claims, and the room they live in."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ptclock.claims
from ptclock.timing.clock import FakeClock
from tests.claims.conftest import Cli, claims, timed
from tests.helpers import run
from tests.test_pure_packages import BLOCKER


def test_a_day_without_visits(cli: Cli) -> None:
    assert claims(cli) == {"date_of_service": "2026-11-27", "claims": []}
    assert cli("claim").strip() == "No visits on 2026-11-27."


def test_the_claim_in_words(cli: Cli, clock: FakeClock) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--mrn", "111")
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97110", 10, "--performer", "PTA")
    assert cli("claim").splitlines() == [
        "Claims for 2026-11-27",
        "",
        "Ada Lovelace (MRN 111) — medicare, CMS 8-minute rule (timed minutes pooled) — visit 1",
        "  97110  GP             2 units   30 min",
        "  97110  GP CQ          1 unit    10 min",
        "  Next unit:             13 more timed minutes",
        "  Unit lost below:       38 timed minutes (2 to spare)",
    ]


@pytest.mark.parametrize("value", ["27/11/2026", "2026-02-30", "today"])
def test_a_bad_date_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    status, out, err = run(capsys, "claim", "--date", value)
    assert (status, out) == (2, "")
    assert len(err.splitlines()) == 1 and "is not a date like 2026-11-27" in err


def test_a_new_data_folder_stays_untouched(capsys: pytest.CaptureFixture[str]) -> None:
    from ptclock import paths

    status, out, _ = run(capsys, "claim", "--json", "--date", "2026-01-05")
    assert status == 0 and '"claims": []' in out
    assert not paths.database_file().exists()


def test_the_claims_room_imports_without_qt_or_sql() -> None:
    import pkgutil

    names = ["ptclock.claims"] + [
        info.name for info in pkgutil.walk_packages(ptclock.claims.__path__, "ptclock.claims.")
    ]
    done = subprocess.run([sys.executable, "-c", BLOCKER, *names], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"imported {len(names)}"
