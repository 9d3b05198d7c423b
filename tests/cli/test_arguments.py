"""Arguments that used to crash (issue 12, item 11): bytes that are not UTF-8 in any text
argument (a POSIX command line hands them over as lone surrogates) and ids of 2⁶³ or more
(an OverflowError in SQLite), and minutes with thousands of digits (int() refuses them with
an exception of its own). Each is one line naming the argument, exit 2, nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock import paths
from tests.helpers import ok, run

BAD = os.fsdecode(b"caf\xe9")  # Latin-1 typed into a UTF-8 terminal


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("ptclock")
    return err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["visit", "new", "--patient", BAD], "--patient: 'caf\\xe9'"),
        (["visit", "new", f"--patient={BAD}"], "--patient: 'caf\\xe9'"),
        (["visit", "new", "--patient", "Ada", "--mrn", BAD], "--mrn: 'caf\\xe9'"),
        (["visit", "note", BAD], "argument 3: 'caf\\xe9'"),
        (["timer", "start", BAD], "argument 3: 'caf\\xe9'"),
        (["timer", "add", "97110", "5", "--reason", BAD], "--reason: 'caf\\xe9'"),
        (["timer", "note", "97110", "--body-part", BAD], "--body-part: 'caf\\xe9'"),
        (["units", f"97110={BAD}"], "argument 2: '97110=caf\\xe9'"),
        (["codes", "--json", BAD], "argument 3: 'caf\\xe9'"),
        (["edits", "import", f"/tmp/{BAD}.txt"], "argument 3: '/tmp/caf\\xe9.txt'"),
        (["backup", "--out", BAD], "--out: 'caf\\xe9'"),
        (["--data-dir", BAD, "codes"], "--data-dir: 'caf\\xe9'"),
        (["visit", "--pa\udcff", "x"], "argument 2: '--pa\\xff'"),
        (["visit", "new", "--patient", "\ud800"], "--patient: '\\ud800'"),
    ],
)
def test_bytes_that_are_not_utf8_name_the_argument(
    capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    err = refused(capsys, *argv)
    assert f"ptclock: {named} is not UTF-8 text" in err
    assert not paths.database_file().exists()


def test_through_a_real_posix_command_line(user_folders: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX argv")
    done = subprocess.run(
        [sys.executable, "-m", "ptclock", "visit", "new", "--patient", b"\xff\xfe"],
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == b"ptclock: --patient: '\\xff\\xfe' is not UTF-8 text\n"


BIG = str(2**63)
ID_COMMANDS = [
    ["visit", "show", "{}"],
    ["visit", "end", "{}"],
    ["visit", "pause", "{}"],
    ["visit", "resume", "{}"],
    ["visit", "rule", "ama", "{}"],
    ["visit", "note", "x", "--visit", "{}"],
    ["visit", "modifier", "97110", "59", "--add", "--reason", "x", "--visit", "{}"],
    ["timer", "start", "97110", "--visit", "{}"],
    ["timer", "stop", "--visit", "{}"],
    ["timer", "add", "97110", "5", "--reason", "x", "--visit", "{}"],
    ["timer", "move", "97110", "97140", "5", "--reason", "x", "--visit", "{}"],
    ["timer", "note", "97110", "--goal", "x", "--visit", "{}"],
    ["report", "--visit", "{}", "--out", "x.pdf"],
]


@pytest.mark.parametrize("command", ID_COMMANDS)
@pytest.mark.parametrize("value", [BIG, "9" * 5000, "0", "-1", "1e3", "٣"])
def test_ids_out_of_range_are_refused_at_the_parser(
    capsys: pytest.CaptureFixture[str], command: list[str], value: str
) -> None:
    argv = [part.replace("{}", value) for part in command]
    err = refused(capsys, *argv)
    assert "is not a visit id" in err
    assert not paths.database_file().exists()


@pytest.mark.parametrize("command", ID_COMMANDS[:3])
def test_the_largest_id_is_just_unknown(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    largest = str(2**63 - 1)
    err = refused(capsys, *[part.replace("{}", largest) for part in command])
    assert f"there is no visit {largest}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["timer", "add", "97110", "9" * 5000, "--reason", "x"],
        ["timer", "move", "97110", "97140", "9" * 5000, "--reason", "x"],
        ["units", "97110=" + "9" * 5000],
    ],
)
def test_thousands_of_digits_of_minutes(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    assert "5000 digits is far too many minutes" in refused(capsys, *argv)
