"""The unit table at every boundary, up to more than 8 hours (Pub. 100-04 ch. 5 §20.2)."""

from __future__ import annotations

import pytest

from ptclock.billing.unit_table import (
    lowest_minutes_for,
    minutes_spare,
    minutes_to_next_unit,
    units_for_minutes,
)

# The table as docs/billing.md prints it; the pattern continues every 15 minutes.
PRINTED_TABLE = [
    (0, 7, 0),
    (8, 22, 1),
    (23, 37, 2),
    (38, 52, 3),
    (53, 67, 4),
    (68, 82, 5),
    (83, 97, 6),
    (98, 112, 7),
    (113, 127, 8),
]


@pytest.mark.parametrize(("low", "high", "units"), PRINTED_TABLE)
def test_printed_table(low: int, high: int, units: int) -> None:
    for minutes in range(low, high + 1):
        assert units_for_minutes(minutes) == units


@pytest.mark.parametrize("units", range(1, 34))  # 33 units is 503 minutes: past 8 hours
def test_each_boundary_up_to_eight_hours(units: int) -> None:
    first = 8 + 15 * (units - 1)
    assert units_for_minutes(first - 1) == units - 1
    assert units_for_minutes(first) == units
    assert lowest_minutes_for(units) == first
    assert minutes_to_next_unit(first - 1) == 1
    assert minutes_spare(first) == 0
    assert minutes_spare(first + 14) == 14


def test_distances_to_boundaries() -> None:
    assert minutes_to_next_unit(0) == 8
    assert minutes_to_next_unit(40) == 13
    assert minutes_spare(7) is None
    assert minutes_spare(40) == 2
