"""The claim: one patient, one payer, one date of service — what a biller submits.

A pure room (no Qt, no SQL, nothing of the store, the window, the CLI or the Timekeeper): it
takes the day's visit tallies (``timing``) and the rules (``billing``) and returns claims.
``claims_for_date`` gives a date's claims, ``claim_for_visit`` the claim a visit is billed
on; ``view.claims_json`` is the ``ptclock claim --json`` shape. The rules and their sources
are in ``claim`` (assembly), ``one_on_one`` (minutes), ``assistant`` (CQ) and ``payment``.
"""

from __future__ import annotations

from ptclock.claims.claim import (
    Claim,
    ClaimLine,
    ClaimRules,
    build_claims,
    claim_for_visit,
    claims_for_date,
    medicare_spending,
)
from ptclock.claims.view import claim_json, claims_json

__all__ = [
    "Claim",
    "ClaimLine",
    "ClaimRules",
    "build_claims",
    "claim_for_visit",
    "claim_json",
    "claims_for_date",
    "claims_json",
    "medicare_spending",
]
