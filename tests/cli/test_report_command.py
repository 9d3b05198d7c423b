"""``ptclock report``: the doors, and refusals that leave no partial file behind."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import PROVIDER_SETUP, run
from tests.report.conftest import pdf_text

TODAY = date.today().isoformat()


@pytest.fixture
def one_visit(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        list(PROVIDER_SETUP),
        ["visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare"],
        ["timer", "add", "97110", "33", "--reason", "timer forgotten"],
        ["timer", "add", "97140", "7", "--reason", "timer forgotten"],
        ["visit", "end"],
    ):
        assert run(capsys, *argv)[0] == 0


def test_visit_pdf_and_day_csv(
    one_visit: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "report", "--visit", "1", "--out", str(tmp_path / "v.pdf"))
    assert (status, err) == (0, "")
    assert out.strip() == str(tmp_path / "v.pdf")
    assert "Total units 3" in pdf_text(tmp_path / "v.pdf")
    status, _, _ = run(capsys, "report", "--date", TODAY, "--out", str(tmp_path / "d.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "d.csv").read_text(), newline="")))
    assert [(r["code"], r["minutes"], r["units"]) for r in rows] == [
        ("97110", "33", "2"),
        ("97140", "7", "1"),
    ]
    status, _, _ = run(capsys, "report", "--date", TODAY, "--out", str(tmp_path / "d.pdf"))
    assert status == 0 and f"Day report {TODAY}" in pdf_text(tmp_path / "d.pdf")


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--date", TODAY, "--out", "{tmp}/day.xlsx"], "unknown report format .xlsx"),
        (["--visit", "1", "--out", "{tmp}/visit.csv"], "unknown report format .csv"),
        (["--date", "2001-01-01", "--out", "{tmp}/day.pdf"], "no visits on 2001-01-01"),
        (["--date", "yesterday", "--out", "{tmp}/day.pdf"], "expected a date like"),
        (["--date", TODAY, "--out", "{tmp}/no/such/folder/day.pdf"], "cannot write"),
        (["--visit", "9", "--out", "{tmp}/v.pdf"], "there is no visit 9"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(
    one_visit: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    says: str,
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = [part.replace("{tmp}", str(out_dir)) for part in argv]
    status, out, err = run(capsys, "report", *argv)
    assert (status, out) == (2, "")
    assert says in err and err.count("\n") == 1
    assert list(out_dir.rglob("*")) == []
