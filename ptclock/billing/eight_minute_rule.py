"""Medicare's 8-minute rule.

Source: CMS Medicare Claims Processing Manual, Pub. 100-04, ch. 5, §20.2:

1. Add up the minutes of all timed codes of the date of service: the total timed minutes T.
2. Total units from T with the unit table (8–22 → 1, 23–37 → 2 …).
3. Assign the units: each code first gets its full 15-minute units; units still left go to
   the codes with the most remaining minutes, one each. A code under 8 minutes can receive
   a unit this way, and a code with 8 or more can receive none.
4. Several services each of 7 minutes or less that together reach 8 or more: one unit of
   the service with the most minutes — which is step 3 applied to those services.

Untimed codes are billed once each; their minutes count toward total treatment time only.
Without any timed code the visit has no next unit to reach: ``minutes_to_next_unit`` is None.
"""

from __future__ import annotations

from collections.abc import Sequence

from ptclock.billing.catalog import Code
from ptclock.billing.result import BilledLine, Billing, Rule, Tie
from ptclock.billing.unit_table import (
    UNIT_MINUTES,
    lowest_minutes_for,
    minutes_spare,
    minutes_to_next_unit,
    units_for_minutes,
)


def bill_cms(items: Sequence[tuple[Code, int]]) -> Billing:
    """Units for ``(code, minutes)`` pairs (distinct codes, in the order given) under CMS."""
    timed = [(code, minutes) for code, minutes in items if code.timed]
    timed_minutes = sum(minutes for _, minutes in timed)
    timed_units = units_for_minutes(timed_minutes)

    full_units = {code.code: minutes // UNIT_MINUTES for code, minutes in timed}
    left_over = timed_units - sum(full_units.values())
    # Codes with minutes beyond their full units, most remaining minutes first; equal
    # remainders in code order, so the same minutes always give the same claim.
    remainders = sorted(
        ((minutes % UNIT_MINUTES, code.code) for code, minutes in timed if minutes % UNIT_MINUTES),
        key=lambda item: (-item[0], item[1]),
    )
    extra = {code for _, code in remainders[:left_over]}
    ties = _ties(remainders, left_over)

    lines = []
    for code, minutes in items:
        if code.timed:
            full = full_units[code.code]
            got_extra = code.code in extra
            lines.append(
                BilledLine(
                    code.code, code.descriptor, minutes, full + got_extra, True, full, got_extra
                )
            )
        else:
            lines.append(BilledLine(code.code, code.descriptor, minutes, int(minutes > 0), False))

    untimed_units = sum(line.units for line in lines if not line.timed)
    return Billing(
        rule=Rule.CMS,
        lines=tuple(lines),
        timed_minutes=timed_minutes,
        treatment_minutes=sum(minutes for _, minutes in items),
        timed_units=timed_units,
        total_units=timed_units + untimed_units,
        # Only untimed codes: no timed minute can add a unit, so there is no "next unit"
        # (None, as under AMA and as the README promises for units --json).
        minutes_to_next_unit=minutes_to_next_unit(timed_minutes) if timed else None,
        minutes_spare=minutes_spare(timed_minutes),
        unit_floor_minutes=lowest_minutes_for(timed_units) if timed_units else None,
        ties=ties,
    )


def _ties(remainders: list[tuple[int, str]], units: int) -> tuple[Tie, ...]:
    """A tie exists when the last unit handed out and the first one withheld have equal minutes."""
    if units <= 0 or units >= len(remainders):
        return ()
    boundary = remainders[units - 1][0]
    if remainders[units][0] != boundary:
        return ()
    tied = [code for minutes, code in remainders if minutes == boundary]
    chosen = [code for minutes, code in remainders[:units] if minutes == boundary]
    return (Tie(tuple(tied), boundary, len(chosen), tuple(chosen)),)
