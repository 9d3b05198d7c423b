"""The command line: ``ptclock COMMAND`` does the window's work headless.

With no command, ``ptclock`` opens the window, through the ``open_window`` it is handed by
``ptclock.main`` (the command line never imports the window).

Exit status 0 on success and 2 on bad input, with one clear line on stderr and nothing on
stdout (README.md, "The command line"); 1 when the database or the disk is
the problem (damaged file, newer schema, no permission), also with one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ptclock import __version__, paths
from ptclock.assembly import DataFileError
from ptclock.billing import UnknownCodeError
from ptclock.cli import (
    backup_command,
    billing_data_commands,
    claim_command,
    clinic_commands,
    codes_command,
    encrypt_command,
    export_command,
    report_command,
    restore_command,
    setup_command,
    units_command,
    visit_commands,
)
from ptclock.cli.parser import OneLineParser, UserError, check_arguments
from ptclock.cli.passphrase_prompt import ask_on_terminal
from ptclock.clinic.errors import ClinicError
from ptclock.store import StoreError, keys
from ptclock.timekeeper import TimekeeperError


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="ptclock",
        description="Session timer for physical therapists: per-code timers and billable units.",
    )
    parser.add_argument("--version", action="version", version=f"ptclock {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="keep the database in DIR (default: the user data folder; PTCLOCK_DATA_DIR works too)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a throw-away sample visit"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start the app, show the window, exit 0 (or non-zero with the reason)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    units_command.add_parser(subparsers)
    codes_command.add_parser(subparsers)
    visit_commands.add_parsers(subparsers)
    claim_command.add_parser(subparsers)
    report_command.add_parser(subparsers)
    export_command.add_parser(subparsers)
    billing_data_commands.add_parsers(subparsers)
    backup_command.add_parser(subparsers)
    restore_command.add_parser(subparsers)
    encrypt_command.add_parser(subparsers)
    setup_command.add_parser(subparsers)
    clinic_commands.add_parsers(subparsers)
    return parser


OpenWindow = Callable[[bool, bool], int]
"""Opens the window: (demo, smoke test) → exit status."""


def main(argv: Sequence[str] | None = None, open_window: OpenWindow | None = None) -> int:
    """Run ``ptclock`` with ``argv``; the exit status. Without ``open_window`` (a command run
    in-process, as the tests do) ``ptclock`` without a command says the window is not here."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        check_arguments(argv, parser)
        args = parser.parse_args(argv)
        if args.data_dir is not None:
            paths.use_data_dir(args.data_dir)
        if not hasattr(args, "run"):
            if open_window is None:
                raise UserError("give a command (ptclock --help lists them)")
            return open_window(args.demo, args.smoke_test)
        keys.ask_passphrases_with(ask_on_terminal)  # where there is no keyring
        return int(args.run(args))
    except Exception as error:
        status = exit_status(error)
        if status is None:
            raise
        return status


def exit_status(error: Exception) -> int | None:
    """Say ``error`` in one line on stderr and give the exit status it means: 2 for bad
    input (a rule or the data a person wrote said no), 1 when the database or the disk is
    the problem; None for an error that is not ptclock's to explain (it propagates).

    ``ptclock.main`` answers errors of a window it opened without the parser here too."""
    if isinstance(error, (UserError, DataFileError, TimekeeperError, UnknownCodeError)):
        say(str(error))
        return 2
    if isinstance(error, (StoreError, ClinicError)):
        say(str(error))
        return 1
    if isinstance(error, OSError):
        say(f"{error.filename}: {error.strerror}" if error.filename else str(error))
        return 1
    return None


def say(message: str) -> None:
    """One line on stderr, starting with the program's name."""
    line = " ".join(message.split())
    print(line if line.startswith("ptclock") else f"ptclock: {line}", file=sys.stderr)
