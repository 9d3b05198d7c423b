"""``ptclock units``: the JSON contract, the table, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock import __version__
from tests.helpers import run


def test_issue_example_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "units", "97110=33", "97140=7", "--json")
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert {
        k: data[k]
        for k in (
            "rule",
            "timed_minutes",
            "treatment_minutes",
            "total_units",
            "minutes_to_next_unit",
        )
    } == {
        "rule": "cms",
        "timed_minutes": 40,
        "treatment_minutes": 40,
        "total_units": 3,
        "minutes_to_next_unit": 13,
    }
    assert [
        {k: line[k] for k in ("code", "minutes", "units", "timed")} for line in data["lines"]
    ] == [
        {"code": "97110", "minutes": 33, "units": 2, "timed": True},
        {"code": "97140", "minutes": 7, "units": 1, "timed": True},
    ]


def test_ama_gives_two_units(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "units", "--rule", "ama", "--json", "97110=33", "97140=7")
    data = json.loads(out)
    assert (status, data["rule"], data["total_units"], data["minutes_to_next_unit"]) == (
        0,
        "ama",
        2,
        1,
    )


def test_lines_keep_the_order_given_and_sum_repeats(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "units", "--json", "97140=4", "97110=10", "97140=4")
    assert [(line["code"], line["minutes"]) for line in json.loads(out)["lines"]] == [
        ("97140", 8),
        ("97110", 10),
    ]


def test_readable_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "units", "97110=33", "97140=7")
    assert status == 0
    assert "97110  Therapeutic exercise" in out
    assert "Total units:           3" in out
    assert "Next unit:             13 more timed minutes" in out
    assert "Unit lost below:       38 timed minutes (2 to spare)" in out


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("97110=abc", "'97110=abc': minutes must be a whole number"),
        ("97110=-5", "'97110=-5': minutes cannot be negative"),
        ("9711=10", "'9711=10': unknown code '9711'"),
        ("97110", "'97110': expected CODE=MINUTES"),
        ("97110=1.5", "'97110=1.5': minutes must be a whole number"),
        ("97110=5000", "5000 minutes is more than a day"),
    ],
)
def test_bad_input_is_one_line_and_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], argument: str, says: str
) -> None:
    status, out, err = run(capsys, "units", "--json", "97140=7", argument)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert says in err


def test_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "units", "--rule", "bcbs", "97110=10")
    assert (status, out) == (2, "")
    assert "invalid choice: 'bcbs'" in err and err.count("\n") == 1


def test_clinic_codes_are_known_to_the_calculator(
    capsys: pytest.CaptureFixture[str], user_folders: Path
) -> None:
    config = user_folders / "config"
    config.mkdir()
    (config / "codes.csv").write_text(
        "code,descriptor,kind,category,details\n92507,Speech treatment,untimed,speech,\n"
    )
    _, out, _ = run(capsys, "units", "--json", "92507=30", "97110=10")
    assert json.loads(out)["total_units"] == 2


def test_broken_clinic_file_is_one_line(
    capsys: pytest.CaptureFixture[str], user_folders: Path
) -> None:
    config = user_folders / "config"
    config.mkdir()
    (config / "codes.csv").write_text(
        "code,descriptor,kind,category,details\n92507,Speech,x,speech,\n"
    )
    status, out, err = run(capsys, "units", "97110=10")
    assert (status, out) == (2, "")
    assert "codes.csv, line 2" in err and err.count("\n") == 1


def test_version_and_module_door() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ptclock", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"ptclock {__version__}"


@pytest.mark.parametrize("rule", ["cms", "ama"])
@pytest.mark.parametrize("argument", ["97161=45", "97010=15"])
def test_only_untimed_codes_have_no_next_unit(
    capsys: pytest.CaptureFixture[str], rule: str, argument: str
) -> None:
    """Issue 13, #12: README: ``minutes_to_next_unit`` is ``null`` without timed codes.

    Untimed codes are billed once whatever their length (Pub. 100-04 ch. 5 §20.2): no
    minute of them makes a next unit, under CMS (it said 8) as under AMA.
    """
    status, out, err = run(capsys, "units", "--json", "--rule", rule, argument)
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["minutes_to_next_unit"] is None
    assert (data["minutes_spare"], data["unit_floor_minutes"]) == (None, None)
    assert (data["timed_minutes"], data["total_units"]) == (0, 1)
    _, table, _ = run(capsys, "units", "--rule", rule, argument)
    assert "Next unit" not in table


def test_a_timed_code_at_zero_minutes_still_has_a_next_unit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A timed code on the visit (even at 0 minutes) can still earn a unit at 8 minutes.
    _, out, _ = run(capsys, "units", "--json", "97161=45", "97110=0")
    assert json.loads(out)["minutes_to_next_unit"] == 8
