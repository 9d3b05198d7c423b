"""``ptclock restore BACKUP``: put a backup back in place of the database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.cli import passphrase_prompt
from ptclock.cli.parser import UserError
from ptclock.cli.window_closed import window_closed
from ptclock.store import keys
from ptclock.store.restore import restore
from ptclock.timing.clock import SystemClock


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="put a backup in place of the database (the current file is kept aside)",
    )
    parser.add_argument("backup", type=Path, metavar="BACKUP", help="a ptclock backup file")
    parser.add_argument(
        "--key",
        action="store_true",
        help="the backup was made with backup --out: ask for the backup key it printed "
        "(read from the terminal without echo, or one line from standard input)",
    )
    parser.set_defaults(run=run)


def read_backup_key() -> bytes:
    """The backup key, asked for on the terminal (not echoed, not in the process list) or
    read as one line from standard input; UserError says what is wrong with it."""
    typed = passphrase_prompt.typed("Backup key: ") if sys.stdin.isatty() else sys.stdin.readline()
    try:
        return keys.parse_export_key(typed)
    except ValueError as error:
        raise UserError(f"--key: {error}") from None


def run(args: argparse.Namespace) -> int:
    backup_key = read_backup_key() if args.key else None
    with window_closed("Tools → Restore from backup…"):
        clock = SystemClock()
        done = restore(
            args.backup,
            paths.database_file(),
            clock.now().astimezone(clock.zone()),
            backup_key,
        )
    reaches = f"; its last change was at {done.last_event} (UTC)" if done.last_event else ""
    kept = (
        "; the database it replaced was kept as " + ", ".join(str(p) for p in done.kept_aside)
        if done.kept_aside
        else ""
    )
    print(f"restored {done.backup} into {done.database}{reaches}{kept}")
    return 0
