"""``ptclock setup``: who treats and where, without the window (what every PDF prints).

Everything is checked before anything is written: a bad NPI (its Luhn check digit, the rule
``settings.valid_npi`` applies everywhere) or a bad name is exit 2, one line on stderr, and
the settings file stays as it was. The other settings (favourites, rules…) are kept.
"""

from __future__ import annotations

import argparse
from typing import Any

from ptclock import assembly
from ptclock.cli.parser import UserError, shown
from ptclock.entries import clean_text
from ptclock.refused import TimekeeperError
from ptclock.settings import save_settings, valid_npi


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="set the provider (name, credentials, NPI) and the clinic printed on reports",
        description="Writes the settings the window's Tools → Settings… also edits.",
    )
    parser.add_argument("--provider", required=True, metavar="NAME", help="the provider's name")
    parser.add_argument(
        "--credentials", required=True, metavar="TEXT", help='e.g. "PT, DPT" or "PTA"'
    )
    parser.add_argument("--npi", required=True, metavar="NPI", help="the provider's 10-digit NPI")
    parser.add_argument("--clinic", required=True, metavar="NAME", help="the clinic's name")
    parser.add_argument("--address", metavar="TEXT", help="the clinic's address")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        provider = clean_text(args.provider, "--provider", 200)
        credentials = clean_text(args.credentials, "--credentials", 100)
        npi = clean_text(args.npi, "--npi", 40)
        clinic = clean_text(args.clinic, "--clinic", 200)
        address = None if args.address is None else clean_text(args.address, "--address", 500, True)
    except TimekeeperError as error:
        raise UserError(str(error)) from None
    if not provider:
        raise UserError("--provider: the provider's name is empty")
    if not valid_npi(npi):
        raise UserError(
            f"--npi {shown(npi)} is not a valid NPI: 10 digits, the last a check digit "
            "(see the NPPES registry)"
        )
    settings = assembly.settings().changed(
        provider=provider, credentials=credentials, npi=npi, clinic_name=clinic
    )
    if address is not None:
        settings = settings.changed(clinic_address=address)
    print(save_settings(settings))
    return 0
