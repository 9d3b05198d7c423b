"""``ptclock encrypt``: encrypt a plain store, its backups and kept-aside copies in place."""

from __future__ import annotations

import argparse
from typing import Any

from ptclock import paths
from ptclock.cli.window_closed import window_closed
from ptclock.store import keys
from ptclock.store.conversion import encrypt_folder


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "encrypt",
        help="encrypt the database and its backups (the key goes in the system keyring)",
    )
    parser.set_defaults(run=run)


def run(_args: argparse.Namespace) -> int:
    with window_closed("Tools → Encrypt patient data…"):
        done = encrypt_folder(paths.database_file())
    if done.already:
        print(f"{done.database} and its backups are already encrypted: nothing to do")
        return 0
    copies = len(done.copies)
    also = f" and {copies} backup{'s' if copies != 1 else ''}" if copies else ""
    kept = (
        "the key comes from your passphrase, asked at each start"
        if keys.uses_passphrase(done.database.parent)
        else "the key is in the system keyring (ptclock / database key)"
    )
    print(
        f"encrypted {done.database}{also}; {kept}. To keep a backup you can restore on "
        "another computer: ptclock backup --out FILE"
    )
    return 0
