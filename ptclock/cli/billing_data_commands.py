"""``ptclock edits`` and ``ptclock fees``: billing data, imported whole or not at all."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from ptclock import assembly
from ptclock.billing.edits import EditFileError, edits_file_lines
from ptclock.billing.money import FeeFileError, fees_file_text
from ptclock.billing_data import edit_table, import_edits, import_fees
from ptclock.cli.parser import UserError
from ptclock.timing.clock import today


def add_parsers(subparsers: Any) -> None:
    edits = subparsers.add_parser("edits", help="NCCI procedure-to-procedure edits")
    actions = edits.add_subparsers(title="edits commands", metavar="ACTION", required=True)
    imported = actions.add_parser(
        "import", help="import CMS's quarterly PTP file, or a payer's pairs (.csv with --payer)"
    )
    imported.add_argument("file", type=Path, metavar="FILE")
    imported.add_argument("--payer", default="", metavar="NAME")
    imported.set_defaults(run=edits_import)
    check = actions.add_parser("check", help="which edits apply to these codes")
    check.add_argument("codes", nargs="+", metavar="CODE")
    check.add_argument("--date", metavar="YYYY-MM-DD", help="date of service (default: today)")
    check.add_argument("--payer", default="", metavar="NAME")
    check.add_argument("--json", action="store_true")
    check.set_defaults(run=edits_check)

    fees = subparsers.add_parser("fees", help="fee schedules for estimated payment")
    fee_actions = fees.add_subparsers(title="fees commands", metavar="ACTION", required=True)
    fee_import = fee_actions.add_parser(
        "import", help="import a CSV: code,amount[,payer][,year] (replaces the schedule)"
    )
    fee_import.add_argument("file", type=Path, metavar="FILE")
    fee_import.set_defaults(run=fees_import)


def edits_import(args: argparse.Namespace) -> int:
    # The whole file is checked before the store is opened: a FIFO, /dev/zero, a binary or
    # a line-less file is one line and exit 2, never a hang or memory run out.
    try:
        for _ in edits_file_lines(args.file):
            pass
    except EditFileError as error:
        raise UserError(str(error)) from None
    result = import_edits(assembly.timekeeper(create=True), args.file, args.payer.strip())
    print(result.summary)
    return 0


def edits_check(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    codes = [keeper.catalog[code].code for code in args.codes]
    try:
        day = date.fromisoformat(args.date) if args.date else today(keeper.clock)
    except ValueError:
        raise UserError(f"--date {args.date!r}: expected a date like 2026-11-27") from None
    found = edit_table(keeper).applying(codes, day, args.payer.strip().lower())
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "column1": e.column1,
                        "column2": e.column2,
                        "paid": e.column1,
                        "modifier_indicator": e.modifier,
                        "bypassable": e.bypassable,
                        "effective": e.effective.isoformat(),
                        "deletion": e.deletion.isoformat() if e.deletion else None,
                        "payer": e.payer or None,
                        "source": e.source,
                    }
                    for e in found
                ],
                indent=1,
            )
        )
        return 0
    if not found:
        print(f"No edit applies to {' '.join(codes)} on {day.isoformat()}.")
    for edit in found:
        how = (
            "a modifier (59/XE/XS/XP/XU) can apply with distinct time blocks"
            if edit.bypassable
            else "no modifier can bypass it"
        )
        print(
            f"{edit.column1} + {edit.column2}: only {edit.column1} is paid; indicator "
            f"{edit.modifier}: {how}."
        )
    return 0


def fees_import(args: argparse.Namespace) -> int:
    try:
        fees_file_text(args.file)  # checked as edits_import's file is, before the store
    except FeeFileError as error:
        raise UserError(str(error)) from None
    count = import_fees(assembly.timekeeper(create=True), args.file)
    print(f"{count} fees imported")
    return 0
