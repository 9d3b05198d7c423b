"""``ptclock claim``: the claims of a date of service, one per patient, payer and date.

``ptclock claim [--date YYYY-MM-DD] [--json]`` (default: today). The claims are built by the
pure ``ptclock.claims`` from the date's visits and gathered by ``ptclock.claim_desk`` (with each
Medicare patient's estimated spending earlier in the year: the KX threshold counts only the
patient's Medicare claims); this command only prints them.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from ptclock import assembly
from ptclock.claim_desk import claims_on
from ptclock.claims import Claim, claims_json
from ptclock.cli.parser import service_date
from ptclock.cli.units_command import boundary_sentences
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import today


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "claim",
        help="the claims of a date of service: one per patient, payer and date (default: today)",
    )
    parser.add_argument("--date", type=service_date, metavar="YYYY-MM-DD")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument(
        "--clinic",
        action="store_true",
        help="every provider's claims, from the clinic database this computer joined",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    day = args.date or today(keeper.clock)
    if args.clinic:
        return _clinic(keeper, day, args.json)
    claims = claims_on(keeper, day)
    if args.json:
        print(json.dumps(claims_json(day, claims), indent=1, ensure_ascii=False))
    else:
        print(claims_text(day, claims))
    return 0


def _clinic(keeper: Timekeeper, day: date, as_json: bool) -> int:
    from ptclock.clinic.clinic_day import clinic_day

    found = clinic_day(keeper, day)
    if as_json:
        data = claims_json(day, found.claims)
        data["clinic"] = True
        for claim, shown in zip(found.claims, data["claims"], strict=True):
            shown["visits"] = [
                {
                    "visit": found.sources[number].uid,
                    "provider": found.sources[number].provider,
                    "npi": found.sources[number].provider_npi,
                    "workstation": found.workstations.get(found.sources[number].origin, ""),
                }
                for number in claim.visit_ids
            ]
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return 0
    text = claims_text(day, found.claims)
    providers = sorted({s.provider or "(no provider)" for s in found.sources.values()})
    print(f"Clinic: {len(found.claims)} claims from {len(providers)} providers")
    print(text)
    return 0


def claims_text(day: date, claims: list[Claim]) -> str:
    """The claims as a biller reads them at the terminal."""
    if not claims:
        return f"No visits on {day.isoformat()}."
    rows = [f"Claims for {day.isoformat()}"]
    for claim in claims:
        mrn = f" (MRN {claim.mrn})" if claim.mrn else ""
        visits = ", ".join(str(v) for v in claim.visit_ids)
        rows += [
            "",
            f"{claim.patient}{mrn} — {claim.payer.value}, {claim.rule.in_words} — "
            f"visit{'s' if len(claim.visit_ids) > 1 else ''} {visits}",
        ]
        rows += claim_rows(claim)
        rows += [f"  {sentence}" for sentence in boundary_sentences(claim.billing)]
        rows += [f"  ⚠ {warning}" for warning in claim.warnings]
    return "\n".join(rows)


def claim_rows(claim: Claim) -> list[str]:
    """The claim's lines and estimated payment, indented (``claim`` and ``visit show``)."""
    if not claim.lines:
        return ["  Nothing billable yet."]
    rows = []
    for line in claim.lines:
        payment = "" if line.estimated_payment is None else f"${line.estimated_payment:,.2f}"
        row = (
            f"  {line.code:<6} {' '.join(line.modifiers):<12} {line.units:>3} "
            f"unit{' ' if line.units == 1 else 's'} {line.minutes:>4} min  {payment}"
        )
        rows.append(row.rstrip())
    if claim.total_payment is not None:
        rows.append(f"  Estimated payment: ${claim.total_payment:,.2f}")
    return rows
