"""``ptclock claim``: the claims of a date of service, one per patient, payer and date.

``ptclock claim [--date YYYY-MM-DD] [--json]`` (default: today). The claims are built by the
pure ``ptclock.claims`` from the date's visits; this command only gathers them from the
Timekeeper and the store, with each Medicare patient's estimated spending earlier in the year
(the KX threshold counts only the patient's Medicare claims).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ptclock.claims import (
    Claim,
    ClaimRules,
    build_claims,
    claims_for_date,
    claims_json,
    medicare_spending,
)
from ptclock.cli import context
from ptclock.cli.parser import service_date
from ptclock.cli.units_command import boundary_sentences
from ptclock.timekeeper import Timekeeper
from ptclock.timing.records import Payer


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "claim",
        help="the claims of a date of service: one per patient, payer and date (default: today)",
    )
    parser.add_argument("--date", type=service_date, metavar="YYYY-MM-DD")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    keeper = context.timekeeper()
    day = args.date or keeper.clock.now().astimezone(keeper.clock.zone()).date()
    claims = day_claims(keeper, day)
    if args.json:
        print(json.dumps(claims_json(day, claims), indent=1, ensure_ascii=False))
    else:
        print(claims_text(day, claims))
    return 0


def claim_rules(keeper: Timekeeper) -> ClaimRules:
    return ClaimRules(
        keeper.catalog, keeper.edit_table(), keeper.fee_schedule(), keeper.settings.kx_thresholds
    )


def day_claims(keeper: Timekeeper, day: date) -> list[Claim]:
    """The date's claims, KX judged on each Medicare patient's earlier claims this year."""
    rules = claim_rules(keeper)
    visits = keeper.store.visits_on(day)
    tallies = [keeper.tally(visit.id) for visit in visits]
    overrides = {visit.id: tuple(keeper.store.modifier_overrides(visit.id)) for visit in visits}
    medicare = {v.patient_id for v in visits if v.payer is Payer.MEDICARE and v.patient_id}
    spent: dict[int, Decimal] = {}
    for patient_id in sorted(medicare):
        earlier = keeper.store.visits_of_patient(
            patient_id, date(day.year, 1, 1), day - timedelta(days=1)
        )
        before = build_claims(
            [keeper.tally(visit.id) for visit in earlier],
            rules,
            {visit.id: tuple(keeper.store.modifier_overrides(visit.id)) for visit in earlier},
        )
        spent |= {k: v for k, v in medicare_spending(before).items() if k == patient_id}
    return claims_for_date(day, tallies, rules, overrides, spent)


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
        if not claim.lines:
            rows.append("  Nothing billable yet.")
        for line in claim.lines:
            payment = "" if line.estimated_payment is None else f"${line.estimated_payment:,.2f}"
            row = (
                f"  {line.code:<6} {' '.join(line.modifiers):<12} {line.units:>3} "
                f"unit{' ' if line.units == 1 else 's'} {line.minutes:>4} min  {payment}"
            )
            rows.append(row.rstrip())
        if claim.total_payment is not None:
            rows.append(f"  Estimated payment: ${claim.total_payment:,.2f}")
        rows += [f"  {sentence}" for sentence in boundary_sentences(claim.billing)]
        rows += [f"  ⚠ {warning}" for warning in claim.warnings]
    return "\n".join(rows)
