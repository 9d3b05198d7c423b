"""``ptclock visit`` / ``ptclock timer``: the headless doors, their JSON and their errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ok, run


def show(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    return json.loads(ok(capsys, "visit", "show", "--json", *argv))


def test_issue_example_three_units(capsys: pytest.CaptureFixture[str]) -> None:
    visit = ok(capsys, "visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    assert visit.strip() == "1"
    ok(capsys, "timer", "add", "97110", "33", "--reason", "timer forgotten at start")
    ok(capsys, "timer", "add", "97140", "7", "--reason", "timer forgotten at start")
    data = show(capsys)
    assert (data["id"], data["patient"], data["rule"], data["status"]) == (
        1,
        "Ada Lovelace",
        "cms",
        "open",
    )
    assert (data["timed_minutes"], data["treatment_minutes"], data["total_units"]) == (40, 40, 3)
    assert data["minutes_to_next_unit"] == 13
    assert [
        {k: line[k] for k in ("code", "seconds", "minutes", "units", "timed", "running")}
        for line in data["lines"]
    ] == [
        {
            "code": "97110",
            "seconds": 1980,
            "minutes": 33,
            "units": 2,
            "timed": True,
            "running": False,
        },
        {
            "code": "97140",
            "seconds": 420,
            "minutes": 7,
            "units": 1,
            "timed": True,
            "running": False,
        },
    ]
    assert data["date_of_service"]
    assert [c["reason"] for c in data["corrections"]] == ["timer forgotten at start"] * 2


def test_start_switch_stop_end(capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada", "--payer", "commercial")
    assert "97110 started (visit 1)" in ok(capsys, "timer", "start", "97110")
    out = ok(capsys, "timer", "start", "97530")
    assert "stopped 97110 (visit 1)" in out
    data = show(capsys, "1")
    assert data["rule"] == "ama"
    assert [(line["code"], line["running"]) for line in data["lines"]] == [
        ("97110", False),
        ("97530", True),
    ]
    assert "stopped 97530" in ok(capsys, "timer", "stop")
    ok(capsys, "visit", "end")
    assert show(capsys, "1")["status"] == "ended"
    status, out, err = run(capsys, "visit", "show")
    assert (status, out) == (2, "")
    assert "no visit is open" in err


def test_readable_show_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "visit", "new", "--patient", "Grace Hopper")
    ok(capsys, "timer", "start", "97116")
    text = ok(capsys, "visit", "show")
    assert "Visit 1: Grace Hopper" in text
    assert "97116  Gait training" in text and "▶ running" in text
    assert "Grace Hopper" in ok(capsys, "visit", "list")


def test_notes_pause_resume_and_rule(capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    ok(capsys, "timer", "start", "97110")
    ok(capsys, "timer", "note", "97110", "--body-part", "left knee", "--goal", "stairs")
    ok(capsys, "visit", "note", "Tolerated well")
    ok(capsys, "visit", "pause")
    assert show(capsys)["status"] == "paused"
    ok(capsys, "visit", "resume")
    ok(capsys, "visit", "rule", "ama")
    data = show(capsys)
    assert (data["status"], data["rule"], data["note"]) == ("open", "ama", "Tolerated well")
    assert data["code_notes"] == [
        {"code": "97110", "body_part": "left knee", "exercises": "", "goal": "stairs"}
    ]
    assert data["lines"][0]["running"] is True


def test_negative_minutes_and_moves(capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    ok(capsys, "timer", "add", "97110", "20", "--reason", "forgot")
    ok(capsys, "timer", "add", "97110", "-5", "--reason", "rest break")
    ok(capsys, "timer", "move", "97110", "97530", "7", "--reason", "functional task")
    lines = {line["code"]: line["minutes"] for line in show(capsys)["lines"]}
    assert lines == {"97110": 8, "97530": 7}


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["timer", "start", "9711"], "unknown code '9711'"),
        (["timer", "add", "97110", "-50", "--reason", "x"], "below zero"),
        (["timer", "add", "97110", "abc", "--reason", "x"], "'abc': minutes must be a whole"),
        (["timer", "add", "97110", "5", "--reason", " "], "needs a reason"),
        (["timer", "start", "97110", "--visit", "42"], "there is no visit 42"),
        (["visit", "show", "abc"], "argument ID: 'abc' is not a visit id"),
        (["visit", "new", "--patient", ""], "patient name is empty"),
        (["visit", "new", "--patient", "Ada", "--payer", "cash"], "invalid choice: 'cash'"),
        (["timer", "stop", "97140"], "97140 is not running"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    ok(capsys, "timer", "add", "97110", "10", "--reason", "forgot")
    before = show(capsys)
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert says in err
    assert err.count("\n") == 1
    assert show(capsys) == before


def test_damaged_database_is_one_line_and_left_alone(
    capsys: pytest.CaptureFixture[str], user_folders: Path
) -> None:
    data = user_folders / "data"
    data.mkdir()
    (data / "ptclock.sqlite3").write_bytes(b"not a database")
    status, out, err = run(capsys, "visit", "show")
    assert (status, out) == (1, "")
    assert "is not a ptclock database" in err and err.count("\n") == 1
    assert (data / "ptclock.sqlite3").read_bytes() == b"not a database"


def test_data_dir_option_and_backup(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    ok(capsys, "--data-dir", str(elsewhere), "visit", "new", "--patient", "Ada")
    assert (elsewhere / "ptclock.sqlite3").exists()
    target = tmp_path / "copy.sqlite3"
    printed = ok(capsys, "--data-dir", str(elsewhere), "backup", "--out", str(target))
    assert printed.splitlines()[0] == str(target)
    assert target.stat().st_mode & 0o777 == 0o600


def test_installed_command_runs_as_a_process(tmp_path: Path) -> None:
    environment = dict(os.environ, PTCLOCK_DATA_DIR=str(tmp_path / "data"))
    command = [sys.executable, "-m", "ptclock"]
    subprocess.run(
        [*command, "visit", "new", "--patient", "Ada"],
        env=environment,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*command, "timer", "start", "97110"], env=environment, check=True, capture_output=True
    )
    done = subprocess.run(
        [*command, "visit", "show", "--json"],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(done.stdout)["lines"][0]["running"] is True


def test_bad_input_on_a_new_data_folder_creates_nothing(
    capsys: pytest.CaptureFixture[str], user_folders: Path
) -> None:
    data = user_folders / "data"
    for argv in (
        ("timer", "start", "9999x"),
        ("timer", "start", "97110"),
        ("visit", "show"),
        ("visit", "list"),
        ("visit", "new", "--patient", "   "),
        ("visit", "new", "--patient", "Ada\u202e"),
        ("backup",),
    ):
        status, _out, _err = run(capsys, *argv)
        assert status != 0 or argv == ("visit", "list"), argv
        assert not (data / "ptclock.sqlite3").exists(), argv
    ok(capsys, "visit", "new", "--patient", "Ada")
    assert (data / "ptclock.sqlite3").exists()
