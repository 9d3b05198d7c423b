"""The AMA/CPT per-code midpoint rule.

Source: CPT time-rule guidance, "a unit of time is attained when the mid-point is passed"
(docs/billing.md, "The AMA per-code rule"). Each timed code is counted alone with the
same thresholds as the unit table (8 → 1, 23 → 2, 38 → 3 …); leftover minutes are never
pooled across codes. Untimed codes are billed once each. Some payers call this the
substantial-portion methodology.
"""

from __future__ import annotations

from collections.abc import Sequence

from ptclock.billing.catalog import Code
from ptclock.billing.result import BilledLine, Billing, Rule
from ptclock.billing.unit_table import minutes_spare, minutes_to_next_unit, units_for_minutes


def bill_ama(items: Sequence[tuple[Code, int]]) -> Billing:
    """Units for ``(code, minutes)`` pairs (distinct codes, in the order given) under AMA."""
    lines = []
    for code, minutes in items:
        if code.timed:
            lines.append(
                BilledLine(
                    code.code,
                    code.descriptor,
                    minutes,
                    units_for_minutes(minutes),
                    True,
                    minutes_to_next_unit=minutes_to_next_unit(minutes),
                    minutes_spare=minutes_spare(minutes),
                )
            )
        else:
            lines.append(BilledLine(code.code, code.descriptor, minutes, int(minutes > 0), False))

    timed = [line for line in lines if line.timed]
    next_unit = [
        line.minutes_to_next_unit for line in timed if line.minutes_to_next_unit is not None
    ]
    spare = [line.minutes_spare for line in timed if line.minutes_spare is not None]
    timed_units = sum(line.units for line in timed)
    return Billing(
        rule=Rule.AMA,
        lines=tuple(lines),
        timed_minutes=sum(line.minutes for line in timed),
        treatment_minutes=sum(line.minutes for line in lines),
        timed_units=timed_units,
        total_units=sum(line.units for line in lines),
        minutes_to_next_unit=min(next_unit) if next_unit else None,
        minutes_spare=min(spare) if spare else None,
        unit_floor_minutes=None,
    )
