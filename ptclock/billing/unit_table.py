"""The 15-minute unit table shared by the CMS and the AMA rule.

Source: CMS Medicare Claims Processing Manual, Pub. 100-04, ch. 5, §20.2 — fewer than 8
minutes is no unit; 8–22 minutes is 1 unit, 23–37 is 2, 38–52 is 3, and so on in steps of
15 ("units = ⌊(T − 8) / 15⌋ + 1 for T ≥ 8"). The AMA/CPT midpoint rule ("a unit of time
is attained when the mid-point is passed") gives the same thresholds for a single code.
"""

from __future__ import annotations

UNIT_MINUTES = 15
"""A timed code is billed in units of 15 minutes."""

FIRST_UNIT_AT = 8
"""The first unit needs 8 minutes: more than half of 15 (the midpoint)."""

MAX_MINUTES = 24 * 60
"""A day's minutes. The table itself goes on in 15-minute steps for any number of minutes
(Pub. 100-04 ch. 5 §20.2 gives the steps, not an upper end), so the rules compute for every
whole number of minutes; more than this on one code is no payer rule but a sign of a timer
left running or a typing error: typed input above it is refused, recorded time above it is
billed as the table says and flagged (``BilledLine.over_a_day``)."""


def units_for_minutes(minutes: int) -> int:
    """Units that ``minutes`` timed minutes are worth: 0–7 → 0, 8–22 → 1, 23–37 → 2 …"""
    if minutes < FIRST_UNIT_AT:
        return 0
    return (minutes - FIRST_UNIT_AT) // UNIT_MINUTES + 1


def lowest_minutes_for(units: int) -> int:
    """The fewest minutes that are worth ``units`` units (1 → 8, 2 → 23, 3 → 38 …)."""
    if units <= 0:
        return 0
    return FIRST_UNIT_AT + (units - 1) * UNIT_MINUTES


def minutes_to_next_unit(minutes: int) -> int:
    """How many more minutes make the next unit (7 → 1, 8 → 15, 22 → 1)."""
    return lowest_minutes_for(units_for_minutes(minutes) + 1) - minutes


def minutes_spare(minutes: int) -> int | None:
    """How many minutes can be lost before a unit is lost; None while there is no unit."""
    units = units_for_minutes(minutes)
    if units == 0:
        return None
    return minutes - lowest_minutes_for(units)
