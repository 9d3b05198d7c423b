"""Issue 13, defects 10 and 11, and KX: what the claim is estimated to be paid.

Sources: CMS Pub. 100-04 ch. 5 §10.7 and NGS Medicare / Novitas Solutions, "Multiple
Procedure Payment Reduction" (MPPR): for "always therapy" services the unit with the highest
practice-expense (PE) payment is paid in full, and every other unit and procedure of the day
gets full work and malpractice and 50% of its PE; equal PE ranks by the total fee (Novitas).
CQ units at 85% (Social Security Act §1834(v)). Medicare and 97010 / 97014: the catalog's
``medicare`` column via ``billing.payer_rules`` (Palmetto GBA on 97010; MAC LCD notes on
G0283). KX: the patient's Medicare Part B therapy spending this year against the year's
threshold (docs/billing.md, "KX"; $2,480 in 2026).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ptclock.billing import medicare_note
from ptclock.billing.money import Fee, FeeFileError, FeeSchedule, parse_fees
from ptclock.claims import build_claims
from ptclock.claims.payment import Priced, estimate
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Performer
from tests.claims.conftest import (
    RULES,
    Cli,
    claim,
    claims,
    day,
    fees,
    line,
    record,
    tally_of,
    timed,
)
from tests.helpers import CATALOG

MPPR_MISSING = (
    "The estimated payment is too high: Medicare's multiple procedure payment reduction (50% "
    "of the practice-expense part of the day's second and later units) is left out because "
    "the fee schedule has no practice-expense share (pe_share) for {}: add pe_share to the "
    "fee file and import it again."
)


def priced(code: str, units: int, amount: str, pe: str | None, cq: bool = False) -> Priced:
    share = None if pe is None else Decimal(pe)
    return Priced(code, units, cq, Fee(code, Decimal(amount), pe_share=share), True)


def test_mppr_pays_the_highest_pe_unit_in_full_and_half_the_pe_of_the_others() -> None:
    # 97110 × 2 at $30.00 (PE 40%: $12.00) and 97140 × 1 at $28.00 (PE 50%: $14.00): 97140's
    # unit has the highest PE and is paid in full; each 97110 unit loses half its PE ($6.00).
    found = estimate(
        [priced("97110", 2, "30.00", "0.40"), priced("97140", 1, "28.00", "0.50")], True
    )
    assert found.payments == (Decimal("48.00"), Decimal("28.00"))
    assert found.mppr and found.missing_pe_share == ()


def test_mppr_reduces_the_second_unit_of_one_code() -> None:
    found = estimate([priced("97110", 3, "30.00", "0.40")], True)
    assert found.payments == (Decimal("78.00"),)  # 30 + 24 + 24


def test_equal_pe_ranks_by_the_total_fee_and_cq_is_taken_after_the_mppr() -> None:
    # Novitas: equal PE RVUs are ranked by the total fee schedule amount. 97112 ($32, PE
    # $12) is paid in full over 97110 ($30, PE $12); the CQ unit of 97110 is 85% of
    # (30 − 6).
    found = estimate(
        [
            priced("97110", 1, "30.00", "0.40", cq=True),
            priced("97112", 1, "32.00", "0.375"),
        ],
        True,
    )
    assert found.payments == (Decimal("20.40"), Decimal("32.00"))


def test_no_mppr_for_other_payers_or_a_single_unit() -> None:
    assert estimate([priced("97110", 2, "30.00", "0.40")], False).payments == (Decimal("60.00"),)
    assert estimate([priced("97110", 1, "30.00", None)], True) == estimate(
        [priced("97110", 1, "30.00", None)], True
    )
    assert estimate([priced("97110", 1, "30.00", None)], True).missing_pe_share == ()


def test_the_claim_applies_the_mppr_when_the_fee_schedule_has_pe_shares() -> None:
    visit = record(1, [(1, "97110", 0, 30), (2, "97140", 30, 45)])
    schedule = FeeSchedule(
        [
            Fee("97110", Decimal("30.00"), pe_share=Decimal("0.40")),
            Fee("97140", Decimal("28.00"), pe_share=Decimal("0.50")),
        ]
    )
    (found,) = build_claims([tally_of(visit)], replace(RULES, fees=schedule))
    assert [(x.code, x.units, x.estimated_payment) for x in found.lines] == [
        ("97110", 2, Decimal("48.00")),
        ("97140", 1, Decimal("28.00")),
    ]
    assert found.warnings == ()
    assert found.total_payment == Decimal("76.00")


def test_the_claim_says_when_the_estimate_has_no_mppr(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    cli("fees", "import", fees(tmp_path, "code,amount\n97110,30.00\n97140,28.00\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97140", 15)
    assert claims(cli) == day(
        claim(
            [1],
            [line("97110", ["GP"], 2, 30, "60.00"), line("97140", ["GP"], 1, 15, "28.00")],
            [MPPR_MISSING.format("97110 and 97140")],
        )
    )


def test_an_imported_pe_share_reaches_the_claim(cli: Cli, clock: FakeClock, tmp_path: Path) -> None:
    cli("fees", "import", fees(tmp_path, "code,amount,pe_share\n97110,30.00,0.40\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97110", 30)
    assert claims(cli) == day(claim([1], [line("97110", ["GP"], 2, 30, "54.00")]))


@pytest.mark.parametrize(
    ("cell", "share"),
    [("0.45", Decimal("0.45")), ("45%", Decimal("0.45")), ("", None), ("1", Decimal(1))],
)
def test_fee_files_may_give_the_pe_share(cell: str, share: Decimal | None) -> None:
    (fee,) = parse_fees(f"code,amount,pe_share\n97110,30.00,{cell}\n", CATALOG, "fees.csv")
    assert fee.pe_share == share
    (old,) = parse_fees("code,amount\n97110,30.00\n", CATALOG, "fees.csv")
    assert old.pe_share is None


@pytest.mark.parametrize("cell", ["1.5", "-0.1", "lots", "120%", "nan"])
def test_a_pe_share_must_be_a_fraction_or_a_percentage(cell: str) -> None:
    with pytest.raises(FeeFileError, match=r"fees\.csv, line 2: pe_share"):
        parse_fees(f"code,amount,pe_share\n97110,30.00,{cell}\n", CATALOG, "fees.csv")


def note(code: str) -> str:
    """billing.payer_rules' sentence (written once, there): e.g. "97010 is bundled by
    Medicare: not paid separately." / "97014 is not payable by Medicare: bill G0283 …"."""
    found = medicare_note(code, CATALOG)
    assert found is not None
    return found.message


def test_medicare_bundles_97010_and_pays_g0283_for_97014(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    # 97010 is never paid separately by Medicare (left off); 97014 is not payable: the
    # service is billed as G0283 (Palmetto GBA; Coding Ahead — see codes.csv's sources).
    fee_rows = "code,amount\n97010,5.00\n97014,12.00\nG0283,11.50\n"
    cli("fees", "import", fees(tmp_path, fee_rows))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97010")
    cli("timer", "start", "97014")
    clock.advance(minutes=15)
    cli("timer", "stop")
    assert claims(cli) == day(
        claim(
            [1],
            [line("G0283", ["GP"], 1, 15, "11.50")],
            [note("97014"), note("97010")],
        )
    )


def test_other_payers_bill_97010_and_97014(cli: Cli, clock: FakeClock) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "commercial", "--concurrent")
    cli("timer", "start", "97010")
    cli("timer", "start", "97014")
    clock.advance(minutes=15)
    cli("timer", "stop")
    assert claims(cli)["claims"][0]["lines"] == [
        line("97010", [], 1, 15),
        line("97014", [], 1, 15),
    ]


def test_kx_counts_only_the_patients_medicare_spending_this_year(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    # Day one: a Medicare visit ($1,000) and a commercial one ($2,000, not Medicare Part B).
    cli(
        "fees",
        "import",
        fees(tmp_path, "code,amount,payer\n97110,1000.00,medicare\n97110,2000.00,commercial\n"),
    )
    for payer in ("medicare", "commercial"):
        cli("visit", "new", "--patient", "Ada Lovelace", "--payer", payer)
        timed(cli, clock, "97110", 15)
        cli("visit", "end")
    clock.advance(minutes=24 * 60)
    # Day two: $1,000 more — $2,000 of $2,480 this year: no KX (with the commercial visit
    # counted it would be $4,000).
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97110", 15)
    assert claims(cli) == day(
        claim([3], [line("97110", ["GP"], 1, 15, "1000.00")]), date="2026-11-28"
    )
    # 15 more minutes: 2 units, $3,000 this year with this claim: past the threshold.
    timed(cli, clock, "97110", 15)
    assert claims(cli) == day(
        claim(
            [3],
            [line("97110", ["GP", "KX"], 2, 30, "2000.00")],
            [
                MPPR_MISSING.format("97110"),
                "KX threshold passed: $3,000.00 of $2,480.00 this year; add KX with "
                "documented necessity.",
            ],
        ),
        date="2026-11-28",
    )


def test_a_student_s_minutes_are_left_out_and_said_so() -> None:
    visit = record(1, [(1, "97110", 0, 20), (2, "97110", 20, 30, Performer.STUDENT)])
    (found,) = build_claims([tally_of(visit)], RULES)
    assert [(x.code, x.units, x.minutes) for x in found.lines] == [("97110", 1, 20)]
    assert found.warnings == ("97110: 10 student minutes are not billable and are left out.",)


def test_97014_and_g0283_in_one_medicare_visit_are_one_g0283_line(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    # The same unattended e-stim recorded under both codes: one service, one line (a second
    # G0283 line would be a duplicate the MAC denies).
    cli("fees", "import", fees(tmp_path, "code,amount\nG0283,11.50\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97014")
    cli("timer", "start", "G0283")
    clock.advance(minutes=15)
    cli("timer", "stop")
    assert claims(cli)["claims"][0]["lines"] == [line("G0283", ["GP"], 1, 30, "11.50")]


def test_corrected_minutes_beside_assistant_time_are_pointed_out(
    cli: Cli, clock: FakeClock
) -> None:
    # A correction records no performer: its minutes count as the therapist's, so the CQ
    # split of a line with PTA time and corrections needs a look.
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    cli("timer", "start", "97110", "--performer", "PTA")
    clock.advance(minutes=2)
    cli("timer", "stop")
    cli("timer", "add", "97110", "20", "--reason", "the assistant forgot the timer")
    (warning,) = [w for w in claims(cli)["claims"][0]["warnings"] if "PT assistant" in w]
    assert warning == (
        "97110: some of its minutes were a PT assistant's and some were added by a correction, "
        "which counts as the therapist's time: if the corrected minutes were the assistant's, "
        "add CQ with a reason (Visit → Change modifiers…)."
    )
