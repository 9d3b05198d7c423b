"""``ptclock backup``: a consistent snapshot of the database, now.

Into the backups folder it is encrypted like the database (with this installation's key,
if it has one). With ``--out`` it is a backup to take elsewhere — another computer, a
clinic's safe: always encrypted, with a new random key of its own, printed once for the
user to keep apart from the file (this installation's key never leaves the keyring).
"""

from __future__ import annotations

import argparse
import errno
from pathlib import Path
from typing import Any

from ptclock import assembly, paths
from ptclock.store import StoreError, keys
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
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="a backup to take elsewhere, encrypted with a key of its own that is printed "
        "(default: the backups folder, encrypted like the database)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not paths.database_file().exists():
        raise StoreError(f"there is no database in {paths.data_dir()} yet: nothing to back up")
    keeper = assembly.timekeeper()
    stamp = keeper.clock.now().astimezone(keeper.clock.zone()).strftime("%Y-%m-%d-%H%M%S")
    target = args.out or paths.backups_dir() / f"manual-{stamp}.sqlite3"
    export_key = keys.new_export_key() if args.out else None
    try:
        written = keeper.store.write_backup(target, export_key)
    except BackupError as error:
        reason = REASONS.get(error.errno or 0) or (error.strerror or "it failed").lower()
        raise StoreError(
            f"the backup was not written ({reason}): {target}; no partial file was left "
            "and the database is unchanged"
        ) from None
    print(written)
    if export_key is not None:
        print(f"backup key: {keys.export_key_text(export_key)}")
        print(
            "Keep the key apart from the file (printed, or in the clinic's password manager): "
            "the backup cannot be read without it, and anyone with both can read it. On "
            f"another computer: ptclock restore {written.name} --key"
        )
    return 0
