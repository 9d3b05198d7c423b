"""A line over 24 hours (issue 12, item 1): every reader bills and flags it, none crashes.

Two corrections of +1440 and +1 (accepted by earlier versions; now the second is refused)
or a timer left running over a day used to raise "1441 minutes is more than a day" in
the billing rules, so ``visit show``, ``visit list``, the reports and the window (which
could not even start) all failed until a negative correction repaired the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ptclock import paths
from ptclock.billing import Rule, bill
from ptclock.claim_desk import claim_for_visit_id
from ptclock.entries import check_correction
from ptclock.report.export import visit_model
from ptclock.timekeeper import Timekeeper, TimekeeperError
from ptclock.timing.clock import FakeClock
from tests.helpers import CATALOG, MORNING, keeper, ok, run
from tests.report.conftest import pdf_text

FLAG = "more than 24 hours: check the timer"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """One fake clock for every ``ptclock`` command of the test."""
    fake = FakeClock(MORNING)
    monkeypatch.setattr("ptclock.assembly.SystemClock", lambda: fake)
    return fake


@pytest.fixture
def over_a_day_by_corrections(capsys: pytest.CaptureFixture[str]) -> Iterator[Timekeeper]:
    """+1440 through the CLI, then +1 as an older ptclock accepted it (written straight into
    the store: today's Timekeeper refuses it)."""
    ok(capsys, "visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    ok(capsys, "timer", "add", "97110", "1440", "--reason", "typed hours as minutes")
    tk = keeper(path=paths.database_file())
    with pytest.raises(TimekeeperError, match="more than 24 hours on one code"):
        tk.add_minutes("97110", 1, "one more")
    with tk.store.transaction():
        tk.store.add_adjustment(1, "97110", 60, "one more", MORNING, "America/New_York")
    yield tk
    tk.store.close()


def check_readers(capsys: pytest.CaptureFixture[str], tmp_path: Path, minutes: int) -> None:
    data = json.loads(ok(capsys, "visit", "show", "--json"))
    line = data["lines"][0]
    assert (line["code"], line["minutes"]) == ("97110", minutes)
    assert line["units"] == (minutes - 8) // 15 + 1
    assert any(FLAG in warning for warning in data["claim"]["warnings"])
    assert FLAG in ok(capsys, "visit", "show")
    day = data["date_of_service"]  # a timer left running: the list of the day it began
    listed = ok(capsys, "visit", "list", "--date", day)
    assert "97110 over 24 h: check the timer" in listed
    assert FLAG in json.dumps(json.loads(ok(capsys, "visit", "list", "--date", day, "--json")))
    pdf = tmp_path / "visit.pdf"
    # A PDF needs the provider's name and NPI (issue 13, defect 14).
    ok(capsys, "setup", "--provider", "Jordan Lee", "--credentials", "PT", "--npi", "1234567893",
       "--clinic", "Riverside Physical Therapy")  # fmt: skip
    assert ok(capsys, "report", "--visit", "1", "--out", str(pdf)).strip() == str(pdf)
    assert "24 hours" in " ".join(pdf_text(pdf).split())
    csv = tmp_path / "day.csv"
    ok(capsys, "report", "--date", day, "--out", str(csv))
    assert f"97110,GP,{line['units']},{minutes}," in csv.read_text()  # units, then minutes


def test_two_corrections_over_a_day_are_billed_and_flagged(
    over_a_day_by_corrections: Timekeeper, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    check_readers(capsys, tmp_path, 1441)
    tally = over_a_day_by_corrections.tally(1)  # what the window shows every second
    assert tally.over_a_day == ("97110",)
    assert tally.code("97110").units == 96
    claim = claim_for_visit_id(over_a_day_by_corrections, 1)
    assert any(FLAG in warning for warning in claim.warnings)
    assert any(FLAG in check for check in visit_model(over_a_day_by_corrections, 1).checks)


def test_a_timer_left_running_for_30_hours(
    clock: FakeClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    ok(capsys, "timer", "start", "97110")
    clock.advance(minutes=30 * 60)
    check_readers(capsys, tmp_path, 1800)
    tk = keeper(clock, path=paths.database_file())
    tally = tk.tally(1)
    assert tally.over_a_day == ("97110",)
    assert tally.still_running_checks == ("97110",)
    # Stopped, it stays flagged; a negative correction with a reason repairs it.
    ok(capsys, "timer", "stop")
    assert FLAG in ok(capsys, "visit", "show")
    ok(capsys, "timer", "add", "97110", "-1440", "--reason", "timer left running overnight")
    assert FLAG not in ok(capsys, "visit", "show")
    tk.store.close()


def test_a_correction_past_24_hours_is_refused_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    ok(capsys, "timer", "add", "97110", "1440", "--reason", "typed hours as minutes")
    ok(capsys, "timer", "add", "97140", "10", "--reason", "forgot")
    before = ok(capsys, "visit", "show", "--json")
    for argv in (
        ["timer", "add", "97110", "1", "--reason", "x"],
        ["timer", "move", "97140", "97110", "1", "--reason", "x"],
    ):
        status, out, err = run(capsys, *argv)
        assert (status, out) == (2, "")
        assert err.count("\n") == 1
        assert "would give 97110 1441:00, more than 24 hours on one code" in err
    assert ok(capsys, "visit", "show", "--json") == before
    ok(capsys, "timer", "add", "97110", "-1", "--reason", "removing is always allowed")


def test_check_correction_limits() -> None:
    check_correction(1440, "97110", 0)
    check_correction(-5, "97110", 30 * 3600)  # a repair of a line over a day
    with pytest.raises(TimekeeperError, match="adding 1 minute would give 97110 1440:01"):
        check_correction(1, "97110", 1440 * 60 - 59)
    with pytest.raises(TimekeeperError, match="more than a day"):
        check_correction(1441)


@pytest.mark.parametrize("rule", list(Rule))
@pytest.mark.parametrize("minutes", [1440, 1441, 1800, 10_000, 10**9])
def test_the_unit_rules_compute_for_any_minutes(rule: Rule, minutes: int) -> None:
    """The unit table steps on by 15 minutes without an end (Pub. 100-04 ch. 5 §20.2)."""
    billing = bill({"97110": minutes, "97140": 7, "97161": 30}, rule, CATALOG)
    units = (minutes - 8) // 15 + 1
    assert billing.line("97110").units in (units, units + 1)
    assert billing.line("97110").over_a_day is (minutes > 1440)
    assert [line.code for line in billing.over_a_day] == (["97110"] if minutes > 1440 else [])


def test_the_calculator_still_refuses_more_than_a_day(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["97110=1441"], ["97110=1000", "97110=441"]):
        status, out, err = run(capsys, "units", *argv)
        assert (status, out) == (2, "")
        assert "97110: 1441 minutes is more than a day (1440)" in err
