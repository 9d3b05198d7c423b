"""``ptclock edits`` / ``ptclock fees`` / ``visit modifier`` and the claim in ``visit show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ok, run


def test_edits_check_lists_pairs_with_indicator(capsys: pytest.CaptureFixture[str]) -> None:
    out = ok(capsys, "edits", "check", "97530", "97140", "97110", "--date", "2026-11-27")
    # 97140 is column 1 and 97530 column 2 (CMS "Proper Use of Modifier 59", Example 9).
    assert "97140 + 97530: only 97140 is paid; indicator 1" in out
    data = json.loads(ok(capsys, "edits", "check", "97140", "97124", "--json"))
    assert [(e["column1"], e["column2"], e["modifier_indicator"]) for e in data] == [
        ("97140", "97124", 1)
    ]
    assert "No edit applies" in ok(capsys, "edits", "check", "97110", "97112")
    status, out, err = run(capsys, "edits", "check", "97110", "9999")
    assert (status, out) == (2, "") and "unknown code '9999'" in err


def test_edits_import_reports_counts_and_refuses_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "ptp.txt"
    good.write_text(
        "CMS PTP edits\nColumn 1\tColumn 2\n"
        "97530\t97116\t\t20200101\t*\t0\tx\n99213\t36415\t\t20100101\t*\t1\ty\n"
    )
    assert ok(capsys, "edits", "import", str(good)).strip() == (
        "2 edits read, 1 kept, 1 rejected (codes not in the catalog)"
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n97530\t97140\t\t20200101\t*\t7\tx\n")
    status, out, err = run(capsys, "edits", "import", str(bad))
    assert (status, out) == (2, "")
    assert "bad.txt, line 2: modifier indicator '7'" in err
    data = json.loads(ok(capsys, "edits", "check", "97530", "97116", "--json"))
    assert data[0]["modifier_indicator"] == 0  # the good import is still in force
    pairs = tmp_path / "payer.csv"
    pairs.write_text(
        "column1,column2,modifier,effective,deletion,source\n"
        "97110,97112,0,2024-01-01,,payer policy\n"
    )
    status, _, err = run(capsys, "edits", "import", str(pairs))
    assert status == 2 and "--payer" in err
    ok(capsys, "edits", "import", str(pairs), "--payer", "commercial")
    data = json.loads(
        ok(capsys, "edits", "check", "97110", "97112", "--payer", "commercial", "--json")
    )
    assert data[0]["payer"] == "commercial"


def test_fees_and_the_claim_in_visit_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("code,amount\n97110,28.82\n97140,27.50\n")
    assert ok(capsys, "fees", "import", str(fees)).strip() == "2 fees imported"
    ok(capsys, "visit", "new", "--patient", "Ada", "--payer", "medicare")
    ok(capsys, "timer", "add", "97110", "33", "--reason", "forgot")
    ok(capsys, "timer", "add", "97140", "7", "--reason", "forgot")
    data = json.loads(ok(capsys, "visit", "show", "--json"))
    lines = {line["code"]: line for line in data["lines"]}
    assert lines["97110"]["modifiers"] == ["GP"]
    assert lines["97110"]["estimated_payment"] == "57.64"
    assert data["claim"]["estimated_payment"] == "85.14"
    assert data["claim"]["kx"]["threshold"] == "2480.00"
    ok(capsys, "visit", "modifier", "97140", "KX", "--add", "--reason", "documented necessity")
    data = json.loads(ok(capsys, "visit", "show", "--json"))
    assert {line["code"]: line["modifiers"] for line in data["lines"]}["97140"] == ["GP", "KX"]
    status, out, err = run(capsys, "visit", "modifier", "97140", "59", "--add", "--reason", "")
    assert (status, out) == (2, "") and "needs a reason" in err


def test_two_same_day_visits_show_day_units(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(2):
        ok(capsys, "visit", "new", "--patient", "Ada", "--payer", "medicare")
        ok(capsys, "timer", "add", "97110", "20", "--reason", "forgot")
        ok(capsys, "visit", "end")
    data = json.loads(ok(capsys, "visit", "show", "2", "--json"))
    # Issue 13, defect 9: the visit shows the date's claim, 40 pooled minutes = 3 units
    # (Pub. 100-04 ch. 5 §20.2), not its own 1.
    assert data["total_units"] == 3
    assert data["lines"][0]["units"] == 3 and data["claim"]["visits"] == [1, 2]
    day = data["claim"]["day"]
    assert (day["total_units"], day["visits_units"], day["difference"]) == (3, 2, 1)
    assert "Same-day pooling (CMS)" in ok(capsys, "visit", "show", "2")


@pytest.mark.parametrize(
    ("rows", "says"),
    [("97110,-1\n", "line 2: amount '-1' must be 0 or more"), ("nope\n", "line 2: expected 2")],
)
def test_bad_fee_file_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, rows: str, says: str
) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("code,amount\n" + rows)
    status, out, err = run(capsys, "fees", "import", str(fees))
    assert (status, out) == (2, "")
    assert says in err and err.count("\n") == 1
