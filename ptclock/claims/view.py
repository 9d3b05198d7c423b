"""The claim as data for tools: the ``ptclock claim --json`` shape (issue 13).

``{"date_of_service", "claims": [{"patient", "mrn", "payer", "rule", "visits", "lines":
[{"code", "modifiers", "units", "minutes", "estimated_payment"}], "warnings"}]}`` with the
keys in this order; money as a string in dollars and cents ("31.20"), ``null`` when no fee
is known; ``mrn`` is ``""`` when the patient has none (as in ``visit show --json``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from ptclock.claims.claim import Claim


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "patient": claim.patient,
        "mrn": claim.mrn,
        "payer": claim.payer.value,
        "rule": claim.rule.value,
        "visits": list(claim.visit_ids),
        "lines": [
            {
                "code": line.code,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "minutes": line.minutes,
                "estimated_payment": money(line.estimated_payment),
            }
            for line in claim.lines
        ],
        "warnings": list(claim.warnings),
    }


def claims_json(day: date, claims: Sequence[Claim]) -> dict[str, Any]:
    return {"date_of_service": day.isoformat(), "claims": [claim_json(c) for c in claims]}
