"""``ptclock backup``: a consistent snapshot of the database, now."""

from __future__ import annotations

import argparse
import errno
from pathlib import Path
from typing import Any

from ptclock import assembly, paths
from ptclock.store import StoreError
from ptclock.store.backup import BackupError

REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
}


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("backup", help="write a backup of the database")
    parser.add_argument("--out", type=Path, metavar="FILE", help="default: the backups folder")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not paths.database_file().exists():
        raise StoreError(f"there is no database in {paths.data_dir()} yet: nothing to back up")
    keeper = assembly.timekeeper()
    stamp = keeper.clock.now().astimezone(keeper.clock.zone()).strftime("%Y-%m-%d-%H%M%S")
    target = args.out or paths.backups_dir() / f"manual-{stamp}.sqlite3"
    try:
        written = keeper.store.write_backup(target)
    except BackupError as error:
        reason = REASONS.get(error.errno or 0) or (error.strerror or "it failed").lower()
        raise StoreError(
            f"the backup was not written ({reason}): {target}; no partial file was left "
            "and the database is unchanged"
        ) from None
    print(written)
    return 0
