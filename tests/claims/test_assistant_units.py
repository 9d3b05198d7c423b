"""Issue 13, defect 7: CQ is judged per 15-minute unit, not per line.

Sources: CY 2020 PFS final rule (84 FR 62702–62707) and CMS Pub. 100-04 ch. 5 §20.1 — CQ when
a PTA furnishes more than 10% of a service, judged for each 15-minute unit of a timed code;
CMS, "Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In Part by
PTAs and OTAs" (after the CY 2022 PFS final rule) — count the units with the 8-minute rule,
give each clinician's full 15 minutes their own unit (the PTA's with CQ), and the left-over
unit to the one who furnished more of its minutes (the PT's without CQ when the PT furnished
8 minutes or more of it). Medicare pays CQ units at 85% (Social Security Act §1834(v)).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ptclock.claims.assistant import UnitSplit, split_units
from ptclock.timing.clock import FakeClock
from tests.claims.conftest import Cli, claim, claims, day, fees, line, timed

MPPR_MISSING = (
    "The estimated payment is too high: Medicare's multiple procedure payment reduction (50% "
    "of the practice-expense part of the day's second and later units) is left out because "
    "the fee schedule has no practice-expense share (pe_share) for {}: add pe_share to the "
    "fee file and import it again."
)


@pytest.mark.parametrize(
    ("units", "pt", "pta", "split"),
    [
        # CMS's worked example: PTA 23 and PT 13 minutes of 97110 (2 units of the day's 4): the
        # PTA's full 15 minutes are a CQ unit, the PT's 13 minutes the other (8 or more).
        (2, 13, 23, UnitSplit(1, 1, 13, 23)),
        # The example: PT 30 + PTA 10 = 40 minutes, 3 units: 2 without CQ, 1 with.
        (3, 30, 10, UnitSplit(2, 1, 30, 10)),
        # The PTA's 1 minute of a 12-minute unit is under 10%: no CQ.
        (1, 11, 1, UnitSplit(1, 0, 12, 0)),
        # PT 6 + PTA 2 = 8 minutes: the PT furnished more but not 8, and 2 is 25%: CQ.
        (1, 6, 2, UnitSplit(0, 1, 0, 8)),
        # The PTA furnished more of the left-over unit: CQ.
        (1, 3, 9, UnitSplit(0, 1, 0, 12)),
        # Two left-over units (12 + 12 = 24 minutes): one each.
        (2, 12, 12, UnitSplit(1, 1, 12, 12)),
        # The code lost its left-over unit to another code (CMS allocation): full units only.
        (2, 30, 5, UnitSplit(2, 0, 35, 0)),
        # The PTA alone: every unit with CQ, one line.
        (2, 0, 30, UnitSplit(0, 2, 0, 30)),
    ],
)
def test_units_are_split_per_15_minutes(units: int, pt: int, pta: int, split: UnitSplit) -> None:
    assert split_units(units, pt, pta) == split


def start_visit(cli: Cli, tmp_path: Path) -> None:
    cli("fees", "import", fees(tmp_path, "code,amount\n97110,30.00\n97140,28.00\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")


def test_pt_30_and_pta_10_minutes_are_two_units_without_cq_and_one_with(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    start_visit(cli, tmp_path)
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97110", 10, "--performer", "PTA")
    assert claims(cli) == day(
        claim(
            [1],
            [
                line("97110", ["GP"], 2, 30, "60.00"),
                line("97110", ["GP", "CQ"], 1, 10, "25.50"),  # 85% of 30.00
            ],
            [MPPR_MISSING.format("97110")],
        )
    )


def test_cms_worked_example_pta_23_pt_13_of_97110_and_pt_30_of_97140(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    # CMS billing examples (CQ/CO): 66 timed minutes, 4 units — 97140 × 2; 97110 × 1 with
    # CQ (the PTA's 15 minutes) and 97110 × 1 without (the PT's 13 minutes).
    start_visit(cli, tmp_path)
    timed(cli, clock, "97110", 23, "--performer", "PTA")
    timed(cli, clock, "97110", 13)
    timed(cli, clock, "97140", 30)
    assert claims(cli) == day(
        claim(
            [1],
            [
                line("97110", ["GP"], 1, 13, "30.00"),
                line("97110", ["GP", "CQ"], 1, 23, "25.50"),
                line("97140", ["GP"], 2, 30, "56.00"),
            ],
            [MPPR_MISSING.format("97110 and 97140")],
        )
    )


@pytest.mark.parametrize(
    ("action", "lines"),
    [
        ("--remove", [line("97110", ["GP"], 3, 40, "90.00")]),
        ("--add", [line("97110", ["GP", "CQ"], 3, 40, "76.50")]),
    ],
)
def test_an_override_of_cq_changes_the_estimate(
    cli: Cli, clock: FakeClock, tmp_path: Path, action: str, lines: list[dict[str, object]]
) -> None:
    start_visit(cli, tmp_path)
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97110", 10, "--performer", "PTA")
    cli("visit", "modifier", "97110", "CQ", action, "--reason", "checked with the PTA's note")
    assert claims(cli)["claims"][0]["lines"] == lines


def test_cq_is_medicares_the_other_payers_lines_have_none(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "commercial")
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97110", 10, "--performer", "PTA")
    assert claims(cli)["claims"][0]["lines"] == [line("97110", [], 3, 40)]
