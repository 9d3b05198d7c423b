"""``ptclock report``: the visit summary PDF, or the day report as PDF or CSV."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import Any

from ptclock import assembly
from ptclock.cli.parser import UserError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="visit summary PDF, or the day report as PDF or CSV",
        description="The file's extension picks the format: .pdf or .csv (day report only).",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--visit", type=int, metavar="ID")
    which.add_argument("--date", metavar="YYYY-MM-DD")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--clinic",
        action="store_true",
        help="the whole clinic's day (with --date), from the clinic database: a section per "
        "provider in the PDF, every claim once in the CSV",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """0 once the file is saved and verified; 2 for a request that cannot be met (bad input);
    1 when the disk or the folder let the export down (README "Exit status")."""
    from ptclock.cli import say
    from ptclock.report.export import (
        ExportFailed,
        ReportError,
        check_destination,
        export_day,
        export_visit,
    )

    if args.clinic and args.visit is not None:
        raise UserError("ptclock report: --clinic goes with --date (the clinic's day)")
    try:
        if args.visit is not None:
            check_destination(args.out, (".pdf",))
        else:
            day = _date(args.date)
            check_destination(args.out)
        keeper = assembly.timekeeper()
        if args.visit is None or args.out.suffix.lower() == ".pdf":
            ensure_gui()
        if args.visit is not None:
            written = export_visit(keeper, args.visit, args.out)
        elif args.clinic:
            from ptclock.clinic.clinic_day import clinic_keeper
            from ptclock.report.export import export_clinic_day

            with clinic_keeper(keeper, day) as (clinic, _sources, _names):
                written = export_clinic_day(clinic, day, args.out)
        else:
            written = export_day(keeper, day, args.out)
    except ExportFailed as error:
        say(str(error))
        return 1
    except ReportError as error:
        raise UserError(str(error)) from None
    print(written)
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--date {text!r}: expected a date like 2026-11-27") from None


def ensure_gui() -> None:
    """Qt's text layout needs an application object; headless, the offscreen platform does.

    A QApplication (not a bare QGuiApplication), so the window can share the process.
    """
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QApplication(["ptclock"])
