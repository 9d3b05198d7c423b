"""``ptclock backup``: a consistent snapshot of the database, now."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.cli import context
from ptclock.store.backup import write_backup


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("backup", help="write a backup of the database")
    parser.add_argument("--out", type=Path, metavar="FILE", help="default: the backups folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    keeper = context.timekeeper()
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    target = args.out or paths.backups_dir() / f"manual-{stamp}.sqlite3"
    print(write_backup(keeper.store.connection, target))
    return 0
