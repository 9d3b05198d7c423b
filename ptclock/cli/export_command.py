"""``ptclock export``: hand a day's charges to the EMR or billing system (issue 18).

``ptclock export --date YYYY-MM-DD --format csv|hl7|fhir --out PATH [--clinic]`` writes the
date's claims — new ones, and the ones amended or cancelled since an earlier export — and
locks the visits it sent (``ptclock.charges.sending``). Exit 0 with the file's path on
stdout; 2 when the day cannot be sent as it is (an open visit, no NPI, no MRN, a bad
template: one line saying what to fix); 1 when the disk let the export down, or when there
was nothing new to send.
"""

from __future__ import annotations

import argparse
from typing import Any

from ptclock import assembly
from ptclock.cli.parser import UserError, service_date

FORMATS = ("csv", "hl7", "fhir")
"""``ptclock.charges.sending.FORMATS``, spelled here so building the parser imports nothing."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="hand a day's charges to billing: CSV, HL7 v2 DFT^P03 or a FHIR R4 Bundle",
        description="Sends the date's claims not sent before, and the amendments of those "
        "that were; the visits sent are locked (a later correction is an amendment).",
    )
    parser.add_argument("--date", type=service_date, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--out", required=True, metavar="PATH")
    parser.add_argument(
        "--clinic",
        action="store_true",
        help="the whole clinic's charges, from the clinic database this computer joined, under "
        "its one record of exports (a workstation of a clinic sends only these)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ptclock.charges.sending import NothingToSend, send_day_charges
    from ptclock.cli import say
    from ptclock.report.export import ExportFailed, ReportError

    if not args.out.strip():
        raise UserError("--out: give the file to write")
    keeper = assembly.timekeeper()
    try:
        sent = send_day_charges(keeper, args.date, args.format, Path(args.out), args.clinic)
    except (ExportFailed, NothingToSend) as error:
        say(str(error))
        return 1
    except ReportError as error:
        raise UserError(str(error)) from None
    say(sent.words())
    print(sent.path)
    return 0
