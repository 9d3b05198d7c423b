"""``ptclock export`` and ``ptclock visit identify``: the doors, their exit statuses, and
refusals that leave nothing behind."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import PROVIDER_SETUP, ok, run

TODAY = date.today().isoformat()


@pytest.fixture
def one_visit(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        list(PROVIDER_SETUP),
        ["visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--mrn", "A-1"],
        ["timer", "add", "97110", "33", "--reason", "timer forgotten"],
        ["timer", "add", "97140", "7", "--reason", "timer forgotten"],
        ["visit", "end"],
    ):
        ok(capsys, *argv)


def test_export_prints_the_path_says_what_it_sent_and_locks(
    one_visit: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "charges.json"
    status, stdout, err = run(
        capsys, "export", "--date", TODAY, "--format", "fhir", "--out", str(out)
    )
    assert status == 0 and stdout.strip() == str(out)
    assert err.startswith("ptclock: Sent 1 claim (2 charge lines) as export 1")
    bundle = json.loads(out.read_text(encoding="utf-8"))
    charges = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ChargeItem"
    ]
    assert [(c["code"]["coding"][0]["code"], c["quantity"]["value"]) for c in charges] == [
        ("97110", 2),
        ("97140", 1),
    ]
    status, _, err = run(
        capsys, "export", "--date", TODAY, "--format", "hl7", "--out", str(tmp_path / "again.hl7")
    )
    assert status == 1 and "nothing new to send" in err
    assert not (tmp_path / "again.hl7").exists()
    status, _, err = run(capsys, "visit", "rule", "ama", "1")
    assert status == 2 and "sent to billing in export 1" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--date", TODAY, "--format", "x12", "--out", "{tmp}/a"], "invalid choice: 'x12'"),
        (["--date", "yesterday", "--format", "csv", "--out", "{tmp}/a"], "yesterday"),
        (["--date", TODAY, "--format", "csv", "--out", "{tmp}"], "is a folder"),
        (
            ["--date", "2001-01-01", "--format", "csv", "--out", "{tmp}/a"],
            "no visits on 2001-01-01",
        ),
        (["--date", TODAY, "--format", "csv", "--out", "{tmp}/no/such/a.csv"], "no folder"),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(
    one_visit: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    says: str,
) -> None:
    before = sorted(tmp_path.rglob("*"))
    status, out, err = run(capsys, "export", *(a.format(tmp=tmp_path) for a in argv))
    assert (status, out) == (2, "")
    assert says in err and err.count("\n") == 1
    assert sorted(tmp_path.rglob("*")) == before


def test_a_patient_without_mrn_is_named_and_identify_fixes_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for argv in (
        list(PROVIDER_SETUP),
        ["visit", "new", "--patient", "Grace Hopper", "--payer", "medicare"],
        ["timer", "add", "97110", "20", "--reason", "timer forgotten"],
        ["visit", "end"],
    ):
        ok(capsys, *argv)
    target = str(tmp_path / "a.hl7")
    status, _, err = run(capsys, "export", "--date", TODAY, "--format", "hl7", "--out", target)
    assert status == 2
    assert "Grace Hopper (visit 1) has no MRN" in err and "ptclock visit identify 1" in err
    assert ok(capsys, "visit", "identify", "1", "--mrn", "G-7").strip() == "Grace Hopper: MRN G-7"
    status, out, err = run(capsys, "export", "--date", TODAY, "--format", "hl7", "--out", target)
    assert (status, out.strip()) == (0, target) and "Sent 1 claim (1 charge line)" in err
    assert "PID|1||G-7^^^Riverside^MR||Hopper^Grace" in Path(target).read_text(encoding="utf-8")
