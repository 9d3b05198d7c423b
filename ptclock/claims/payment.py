"""Estimated payment of a claim's lines: fee × units, the CQ reduction and Medicare's multiple
procedure payment reduction (issue 13, defects 7 and 10).

* CQ: Medicare pays a unit furnished in whole or in part by a PT assistant at 85% of what it
  would otherwise pay (Social Security Act §1834(v); CMS, "Billing Examples Using CQ/CO
  Modifiers"): ``money.CQ_PAYMENT_SHARE``, applied to the unit's payment after the MPPR.
* MPPR: for "always therapy" services Medicare pays the unit with the highest practice-expense
  (PE) payment in full and takes 50% of the PE part from every other unit and procedure of the
  same patient and day (work and malpractice are paid in full) — CMS Pub. 100-04 ch. 5 §10.7;
  NGS Medicare and Novitas Solutions, "Multiple Procedure Payment Reduction" (effective
  2013-04-01: "full payment is made for work and malpractice and 50 percent payment is made
  for the PE for subsequent units and procedures"); APTA, "Multiple Procedure Payment
  Reduction". Novitas: services are ranked by PE; equal PE is ranked by the total fee amount.
  A PE share comes from the fee schedule's ``pe_share`` column; when a line that the MPPR
  would reduce has none, the estimate is made without the MPPR and the claim says so.

The list of "always therapy" codes follows CMS's (Therapy Services, "Annual Therapy Update")
as far as the shipped catalog goes — written from that list, not re-checked against the
current year's file here; a clinic's own codes are not reduced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ptclock.billing.money import CENT, CQ_PAYMENT_SHARE, Fee

MPPR_PE_SHARE_PAID = Decimal("0.50")
"""What Medicare pays of the PE part of a unit after the day's first (2013-04-01 onward)."""

ALWAYS_THERAPY = frozenset(
    {
        "97010", "97012", "97016", "97018", "97022", "97024", "97026", "97028",
        "97032", "97033", "97034", "97035", "97036", "97110", "97112", "97113",
        "97116", "97124", "97140", "97150", "97161", "97162", "97163", "97164",
        "97530", "97533", "97535", "97537", "97542", "97750", "97755", "97760",
        "97761", "97763", "G0283",
    }
)  # fmt: skip
"""CMS's "always therapy" codes among the catalog's: the codes the MPPR applies to."""


@dataclass(frozen=True)
class Priced:
    """One claim line as the estimate sees it."""

    code: str
    units: int
    assistant: bool
    """CQ: the line is paid at 85% (Medicare)."""
    fee: Fee | None
    paid: bool
    """False: an edit or the payer's rule leaves the line unpaid ($0)."""


@dataclass(frozen=True)
class Estimate:
    payments: tuple[Decimal | None, ...]
    """Per line, in cents; None where no fee is known."""
    mppr: bool
    """The MPPR was applied (at least two units it reduces, and every PE share known)."""
    missing_pe_share: tuple[str, ...]
    """Codes the MPPR would reduce whose fee has no PE share (the estimate leaves it out)."""


def estimate(lines: Sequence[Priced], medicare: bool) -> Estimate:
    """Estimated payment per line: units × fee, CQ at 85% and, for Medicare, the MPPR."""
    reduced = [
        index
        for index, line in enumerate(lines)
        if medicare and line.paid and line.fee is not None and line.code in ALWAYS_THERAPY
    ]
    missing = tuple(
        dict.fromkeys(lines[i].code for i in reduced if lines[i].units and _pe(lines[i]) is None)
    )
    units_reduced = sum(lines[i].units for i in reduced)
    mppr = units_reduced >= 2 and not missing
    full_unit = _first_unit(lines, reduced) if mppr else None
    payments: list[Decimal | None] = []
    for index, line in enumerate(lines):
        if line.fee is None:
            payments.append(None)
            continue
        if not line.paid:
            payments.append(Decimal("0.00"))
            continue
        share = CQ_PAYMENT_SHARE if line.assistant and medicare else Decimal(1)
        amount = line.fee.amount
        total = Decimal(0)
        for unit in range(line.units):
            unit_amount = amount
            if mppr and index in reduced and (index, unit) != full_unit:
                unit_amount = amount - (amount * (_pe(line) or 0)) * (1 - MPPR_PE_SHARE_PAID)
            total += unit_amount * share
        payments.append(total.quantize(CENT))
    return Estimate(tuple(payments), mppr, missing if units_reduced >= 2 else ())


def _pe(line: Priced) -> Decimal | None:
    return None if line.fee is None else line.fee.pe_share


def _first_unit(lines: Sequence[Priced], reduced: list[int]) -> tuple[int, int] | None:
    """The unit paid in full: the highest PE payment, then the highest fee (Novitas), then
    the claim's order. A CQ unit's PE payment is 85% of the PE (it is paid at 85%)."""
    best: tuple[Decimal, Decimal, int] | None = None
    chosen = None
    for index in reduced:
        line = lines[index]
        if line.fee is None or not line.units:
            continue
        share = CQ_PAYMENT_SHARE if line.assistant else Decimal(1)
        rank = (line.fee.amount * (_pe(line) or 0) * share, line.fee.amount * share, -index)
        if best is None or rank > best:
            best, chosen = rank, (index, 0)
    return chosen
