"""Issue 13, defects 1, 2 and 9: one claim per patient, payer and date; minutes pooled under
the CMS rule, never across payers or rules.

Sources: CMS Pub. 100-04 ch. 5 §20.2 (the 8-minute rule counts the timed minutes of the date
of service); docs/billing.md, "NCCI edits" (same-day pooling is a Medicare rule: the
timed minutes of one patient's Medicare visits on one date, never minutes billed to another
payer); the issue: First Coast rejects timed codes split across lines, so a code is billed on
one line per modifier set with the pooled units, and the payment follows the pool. Under the
AMA per-code rule a code is counted on its own minutes of the day (CPT's time rule is per
code and date of the encounter; codes are never pooled with each other).
"""

from __future__ import annotations

from pathlib import Path

from ptclock.timing.clock import FakeClock
from tests.claims.conftest import Cli, claim, claims, day, fees, line, timed


def morning_and_afternoon(
    cli: Cli, clock: FakeClock, first: list[str], second: list[str], code: str = "97110"
) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", *first)
    timed(cli, clock, code, 10)
    cli("visit", "end")
    clock.advance(minutes=4 * 60)
    cli("visit", "new", "--patient", "Ada Lovelace", *second)
    timed(cli, clock, code, 10)
    cli("visit", "end")


def test_medicare_visits_of_one_date_are_pooled_on_one_line(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    # 10 + 10 minutes of 97110: one line of 1 unit (20 minutes), paid once; billed per visit
    # it was two lines of 1 unit.
    cli("fees", "import", fees(tmp_path, "code,amount\n97110,30.00\n"))
    morning_and_afternoon(cli, clock, ["--payer", "medicare"], ["--payer", "medicare"])
    assert claims(cli) == day(
        claim(
            [1, 2],
            [line("97110", ["GP"], 1, 20, "30.00")],
            [
                "Same-day pooling (CMS): the visits of 10:00 and 14:10 are billed as one: 20 "
                "timed minutes make 1 unit (billed apart they would make 2 units), because the "
                "8-minute rule counts a date's timed minutes together — nothing to change."
            ],
        )
    )


def test_pooling_never_mixes_payers(cli: Cli, clock: FakeClock) -> None:
    morning_and_afternoon(cli, clock, ["--payer", "medicare"], ["--payer", "commercial"])
    assert claims(cli) == day(
        claim([1], [line("97110", ["GP"], 1, 10)]),
        claim([2], [line("97110", [], 1, 10)], payer="commercial", rule="ama"),
    )


def test_pooling_never_mixes_rules(cli: Cli, clock: FakeClock) -> None:
    morning_and_afternoon(
        cli, clock, ["--payer", "medicare"], ["--payer", "medicare", "--rule", "ama"]
    )
    mixed = (
        "This patient's Medicare visits of 2026-11-27 use the CMS 8-minute rule and the AMA "
        "per-code rule, so they are billed as 2 claims, but a payer bills a date under one "
        "rule: switch them to one rule (Visit → Switch billing rule)."
    )
    assert claims(cli) == day(
        claim([1], [line("97110", ["GP"], 1, 10)], [mixed]),
        claim([2], [line("97110", ["GP"], 1, 10)], [mixed], rule="ama"),
    )


def test_ama_visits_of_one_date_bill_each_code_on_its_days_minutes(
    cli: Cli, clock: FakeClock
) -> None:
    # Per code on the day's total: 97110 10 + 10 = 20 minutes, 1 unit (per visit: 1 + 1).
    morning_and_afternoon(cli, clock, ["--payer", "commercial"], ["--payer", "commercial"])
    assert claims(cli) == day(
        claim([1, 2], [line("97110", [], 1, 20)], payer="commercial", rule="ama")
    )


def test_patients_of_one_name_with_two_mrns_are_two_claims(cli: Cli, clock: FakeClock) -> None:
    # Defect 1: two "John Smith" with MRN 111 and 222 were one patient and pooled (40
    # minutes, 3 units instead of 1 + 1).
    for mrn in ("111", "222"):
        cli("visit", "new", "--patient", "John Smith", "--mrn", mrn, "--payer", "medicare")
        timed(cli, clock, "97110", 20)
        cli("visit", "end")
    assert claims(cli) == day(
        claim([1], [line("97110", ["GP"], 1, 20)], patient="John Smith", mrn="111"),
        claim([2], [line("97110", ["GP"], 1, 20)], patient="John Smith", mrn="222"),
    )


def test_claims_of_another_date_are_asked_for_by_date(cli: Cli, clock: FakeClock) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97110", 15)
    cli("visit", "end")
    clock.advance(minutes=24 * 60)
    assert claims(cli) == day(date="2026-11-28")
    assert claims(cli, "--date", "2026-11-27") == day(claim([1], [line("97110", ["GP"], 1, 15)]))
