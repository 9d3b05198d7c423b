"""Every output is the claim (issue 13): ``ptclock claim --json``, ``visit show --json``, the day
CSV and the text of the visit and day PDFs agree line for line — code, modifiers, units,
minutes and estimated payment — on one day with several patients, visits and payers.

The day (sources are in the tests of each rule, cited in ``ptclock/claims``):

* Ada (Medicare): two visits of 20 minutes of 97110 pool into one line of 3 units, not 1 + 1
  (defect 9; CMS Pub. 100-04 ch. 5 §20.2, the units are counted per date of service);
* Grace (Medicare): PT 30 minutes and PTA 10 minutes of 97110 are 97110 GP × 2 and
  97110 GP CQ × 1, CQ judged per unit (defect 7; CY 2020 PFS final rule, 84 FR 62702);
* Edsger (Medicare): 97140 then 97530 in distinct blocks — the NCCI edit leaves 97530 unpaid
  unless it carries XU, which the blocks support (defect 4; CMS "Proper Use of Modifier 59",
  Example 9);
* Alan (commercial): billed under the AMA rule, no GP, 59 instead of XU.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from ptclock.timing.clock import FakeClock
from tests.claims.conftest import Cli, claims, fees, timed
from tests.helpers import PROVIDER_SETUP
from tests.report.conftest import pdf_text

DAY = "2026-11-27"
FEES = "code,amount\n97110,28.82\n97140,27.50\n97530,30.10\n"


def visit(cli: Cli, patient: str, mrn: str, payer: str) -> str:
    return cli("visit", "new", "--patient", patient, "--mrn", mrn, "--payer", payer).strip()


@pytest.fixture
def day(cli: Cli, clock: FakeClock, tmp_path: Path) -> list[str]:
    """The day above through the command line; the visit ids."""
    cli(*PROVIDER_SETUP)
    cli("fees", "import", fees(tmp_path, FEES))
    ids = []
    for _ in range(2):
        ids.append(visit(cli, "Ada Lovelace", "111", "medicare"))
        timed(cli, clock, "97110", 20)
        cli("visit", "end")
        clock.advance(minutes=5)
    ids.append(visit(cli, "Grace Hopper", "222", "medicare"))
    timed(cli, clock, "97110", 30)
    timed(cli, clock, "97110", 10, "--performer", "PTA")
    cli("visit", "end")
    ids.append(visit(cli, "Edsger Dijkstra", "333", "medicare"))
    timed(cli, clock, "97140", 15)
    timed(cli, clock, "97530", 15)
    cli("visit", "end")
    ids.append(visit(cli, "Alan Turing", "444", "commercial"))
    timed(cli, clock, "97140", 15)
    timed(cli, clock, "97530", 25)
    cli("visit", "end")
    return ids


Row = tuple[str, tuple[str, ...], int, int, str | None]
"""(code, modifiers, units, minutes, estimated payment) of one claim line."""


def rows(claim: dict[str, Any]) -> list[Row]:
    return [
        (x["code"], tuple(x["modifiers"]), x["units"], x["minutes"], x["estimated_payment"])
        for x in claim["lines"]
    ]


def pdf_row(row: Row) -> str:
    """A claim line as the PDFs' claim tables read once extracted."""
    code, modifiers, units, minutes, payment = row
    return f"{code} {' '.join(modifiers) or '—'} {units} {minutes} ${payment}"


def test_claim_visit_show_csv_and_pdfs_agree(day: list[str], cli: Cli, tmp_path: Path) -> None:
    found = claims(cli, "--date", DAY)["claims"]
    assert [(c["patient"], c["payer"], c["rule"], c["visits"]) for c in found] == [
        ("Ada Lovelace", "medicare", "cms", [1, 2]),
        ("Grace Hopper", "medicare", "cms", [3]),
        ("Edsger Dijkstra", "medicare", "cms", [4]),
        ("Alan Turing", "commercial", "ama", [5]),
    ]
    # No MPPR: this fee file has no practice-expense share (the claim says so).
    assert [rows(c) for c in found] == [
        [("97110", ("GP",), 3, 40, "86.46")],
        [("97110", ("GP",), 2, 30, "57.64"), ("97110", ("GP", "CQ"), 1, 10, "24.50")],
        [("97140", ("GP",), 1, 15, "27.50"), ("97530", ("GP", "XU"), 1, 15, "30.10")],
        [("97140", (), 1, 15, "27.50"), ("97530", ("59",), 2, 25, "60.20")],
    ]
    claim_of = {visit: claim for claim in found for visit in claim["visits"]}

    # visit show --json: its claim is the claim, key for key; its lines show the claim's units.
    for visit_id in day:
        shown = json.loads(cli("visit", "show", visit_id, "--json"))
        claim = claim_of[int(visit_id)]
        assert {key: shown["claim"][key] for key in claim} == claim
        assert shown["total_units"] == sum(line["units"] for line in claim["lines"])
        for line in shown["lines"]:
            on_claim = [x for x in claim["lines"] if x["code"] == line["code"]]
            assert line["units"] == sum(x["units"] for x in on_claim)
    ada = json.loads(cli("visit", "show", "2", "--json"))
    assert [line["units"] for line in ada["lines"]] == [3]  # pooled, not 1 (defect 9)
    assert (ada["claim"]["day"]["visits_units"], ada["claim"]["day"]["total_units"]) == (2, 3)
    assert "Claim for 2026-11-27 (with visit 1):" in cli("visit", "show", "2")

    # The day CSV: one row per claim line, nothing else.
    out = tmp_path / "day.csv"
    cli("report", "--date", DAY, "--out", str(out))
    table = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert [
        (r["patient"], r["mrn"], r["payer"], r["visits"].split(), r["provider"], r["npi"])
        for r in table
    ] == [
        (c["patient"], c["mrn"], c["payer"], [str(v) for v in c["visits"]], "Lee", "1234567893")
        for c in found
        for _ in c["lines"]
    ]
    assert [
        (
            r["code"],
            tuple(r["modifiers"].split()),
            int(r["units"]),
            int(r["minutes"]),
            r["estimated_payment"] or None,
        )
        for r in table
    ] == [row for c in found for row in rows(c)]

    # The day PDF: the claims table has every line, and the day's totals are theirs.
    out = tmp_path / "day.pdf"
    cli("report", "--date", DAY, "--out", str(out))
    text = pdf_text(out)
    summary = text[: text.index("Visit summary")]
    for claim in found:
        for row in rows(claim):
            assert pdf_row(row) in summary, pdf_row(row)
    assert "Ada Lovelace MRN 111 Medicare 1, 2 97110 GP 3 40 $86.46" in summary
    assert "4 claims, 5 visits 11 150 $313.90" in summary
    assert summary.count("97110 GP 1") == 0  # no per-visit 97110 lines of 1 unit

    # Each visit PDF: the claim it is on, line for line, and its totals.
    for visit_id in day:
        out = tmp_path / f"visit-{visit_id}.pdf"
        cli("report", "--visit", visit_id, "--out", str(out))
        text = pdf_text(out)
        claim = claim_of[int(visit_id)]
        section = text[text.index("Claim for 2026-11-27") : text.index("Total timed code")]
        assert [line for line in map(pdf_row, rows(claim)) if line in section] == [
            pdf_row(row) for row in rows(claim)
        ]
        assert f"Total units {sum(x['units'] for x in claim['lines'])}" in text
        for warning in claim["warnings"]:
            # The PDF's text has the font's ligatures ("ﬁ" for "fi"): compare their letters.
            said = unicodedata.normalize("NFKC", " ".join(warning.split()))
            assert said in unicodedata.normalize("NFKC", text), warning
    assert "Billed with visit 1" in pdf_text(tmp_path / "visit-2.pdf")


def test_a_sleep_while_a_timer_ran_is_a_warning_of_the_claim(cli: Cli, clock: FakeClock) -> None:
    """Issue 12, item 6: a sleep is shown with the visit — in every output of its claim."""
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    cli("timer", "start", "97110")
    clock.advance(minutes=5)
    clock.suspend(minutes=30)
    cli("timer", "stop")
    (claim,) = claims(cli)["claims"]
    asleep = [w for w in claim["warnings"] if "the computer was asleep 30 min" in w]
    assert len(asleep) == 1
    shown = json.loads(cli("visit", "show", "--json"))
    assert shown["claim"]["warnings"] == claim["warnings"]
    assert asleep[0] in cli("visit", "show")
