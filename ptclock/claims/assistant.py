"""CQ per 15-minute unit: which units of a code a PT assistant furnished in whole or in part
(issue 13, defect 7).

Sources:

* Social Security Act §1834(v): services furnished in whole or in part by a PTA carry a
  modifier (CQ) and, from 2022, are paid at 85%.
* CY 2020 PFS final rule, 84 FR 62702–62707 (the de minimis standard): the CQ modifier
  applies when the PTA furnishes more than 10% of a service, and for timed codes the 10% is
  judged for each 15-minute unit, not for the whole line (CMS Pub. 100-04 ch. 5 §20.1;
  restated by APTA's "Quick Guide to Using the PTA Modifier").
* CMS, "Billing Examples Using CQ/CO Modifiers for Services Furnished In Whole or In Part by
  PTAs and OTAs" (cms.gov, Therapy Services), after the CY 2022 PFS final rule (86 FR 64996):
  first count the units with the 8-minute rule; then each full 15 minutes one clinician
  furnished alone is that clinician's unit — the PT's without CQ, the PTA's with CQ; a unit
  left over is billed by the clinician who furnished more of its remaining minutes, and when
  that is the PT, without CQ if the PT furnished 8 minutes or more of it (enough for the unit
  on their own) or if the PTA's share of it is 10% or less. CMS's worked example (PTA 23 min
  and PT 13 min of 97110, PT 30 min of 97140: 66 minutes, 4 units): 97140 × 2 and 97110 × 1
  without CQ for the PT's 13 minutes, 97110 × 1 with CQ for the PTA's first 15 minutes; the
  PTA's other 8 minutes bill nothing (tests/claims/test_assistant_units.py).

Checked here: the CMS page's scenario (reproduced by SNF and billing-company guides) and the
per-unit de minimis standard (APTA's guide; CMS's background section). Not re-read in CMS's
own words (the stored copy of the page ends before its worked answers): the left-over unit's
rule — who furnished more of its minutes, and the PT's 8 minutes — is as coding references
restate the CY 2022 final rule ("If the supervising PT personally furnishes ≥8 minutes of the
last billable unit … that unit may be billed without -CQ").

Untimed codes are one service: CQ when the PTA furnished more than 10% of its time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ptclock.billing.unit_table import UNIT_MINUTES

DE_MINIMIS = 10
"""Percent of a unit (or of an untimed service) a PTA may furnish without CQ."""
THERAPIST_OWN_UNIT_MINUTES = 8
"""A PT who furnished this many minutes of the left-over unit furnished the unit (8-minute rule)."""


@dataclass(frozen=True)
class UnitSplit:
    """One code's units: those billed without CQ and those with it, and whose minutes each
    line shows (the clinician who furnished the units; all of them when one line)."""

    plain_units: int
    assistant_units: int
    plain_minutes: int
    assistant_minutes: int


def split_units(units: int, therapist_minutes: int, assistant_minutes: int) -> UnitSplit:
    """The ``units`` one timed code is billed with (from the 8-minute rule), split between the
    PT's units (no CQ) and the units a PTA furnished in whole or in part (CQ)."""
    plain = min(therapist_minutes // UNIT_MINUTES, units)
    assisted = min(assistant_minutes // UNIT_MINUTES, units - plain)
    therapist_left = therapist_minutes % UNIT_MINUTES
    assistant_left = assistant_minutes % UNIT_MINUTES
    for _ in range(units - plain - assisted):
        if assistant_left > therapist_left:
            assisted += 1
            assistant_left = 0
            continue
        unit_minutes = therapist_left + assistant_left
        if (
            therapist_left >= THERAPIST_OWN_UNIT_MINUTES
            or assistant_left * 100 <= DE_MINIMIS * unit_minutes
        ):
            plain += 1
        else:
            assisted += 1
        therapist_left = 0
    if plain and assisted:
        return UnitSplit(plain, assisted, therapist_minutes, assistant_minutes)
    total = therapist_minutes + assistant_minutes
    return UnitSplit(plain, assisted, total if plain else 0, total if assisted else 0)


def untimed_needs_cq(seconds: int, assistant_seconds: int) -> bool:
    """An untimed service is one unit: CQ when the PTA furnished more than 10% of it."""
    return seconds > 0 and assistant_seconds * 100 > DE_MINIMIS * seconds
