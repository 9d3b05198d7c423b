"""The window's start-up path (issue 15): what it leaves out, and that it answers as before.

Arguments that only ask for the window skip the command line's parser; everything else,
``--help`` and mistakes included, goes through it unchanged. Module lists, never timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock.main import window_arguments
from ptclock.timing.clock import linked_zone

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        ([], (False, False, None)),
        (["--demo"], (True, False, None)),
        (["--smoke-test"], (False, True, None)),
        (["--data-dir", "/d", "--smoke-test"], (False, True, "/d")),
        (["--data-dir=/d", "--demo"], (True, False, "/d")),
        (["--data-dir", "/a", "--data-dir", "/b"], (False, False, "/b")),  # argparse: last wins
    ],
)
def test_arguments_that_only_ask_for_the_window(
    argv: list[str], wanted: tuple[bool, bool, str | None]
) -> None:
    assert window_arguments(argv) == wanted


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["--dem"],  # an abbreviation: argparse's to accept
        ["--smoke-test", "extra"],
        ["visit", "list"],
        ["--data-dir"],
        ["--data-dir", ""],
        ["--data-dir="],
        ["--data-dir", "-x"],
        ["--data-dir", "\udcff"],  # not UTF-8: the command line names the argument
        ["--demo", "--"],
    ],
)
def test_everything_else_goes_to_the_command_line(argv: list[str]) -> None:
    assert window_arguments(argv) is None


def test_the_smoke_test_imports_no_command_line_nor_what_the_window_does_not_need(
    tmp_path: Path,
) -> None:
    """``ptclock --smoke-test`` on a data and config folder from the environment: no argparse
    parser of every command, no platformdirs; no tzlocal where /etc/localtime says the zone."""
    program = (
        "import sys; from ptclock.main import main; status = main(['--smoke-test']); "
        "import json; print(json.dumps([status, sorted(sys.modules)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            QT_QPA_PLATFORM="offscreen",
            PTCLOCK_DATA_DIR=str(tmp_path / "data"),
            PTCLOCK_CONFIG_DIR=str(tmp_path / "config"),
        ),
    )
    assert done.returncode == 0, done.stderr
    status, modules = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 0
    loaded = set(modules)
    assert not {"ptclock.cli", "ptclock.cli.visit_commands", "platformdirs"} & loaded
    if linked_zone() is not None:
        assert "tzlocal" not in loaded
