"""The invariants of the rules, for any minutes (hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ptclock.billing import Rule, bill, load_catalog
from ptclock.billing.unit_table import units_for_minutes

CATALOG = load_catalog()
TIMED = [code.code for code in CATALOG if code.timed]
ANY_CODE = [code.code for code in CATALOG]

visit_minutes = st.dictionaries(st.sampled_from(ANY_CODE), st.integers(0, 200), max_size=8)
timed_minutes = st.dictionaries(st.sampled_from(TIMED), st.integers(0, 200), max_size=8)


@given(timed_minutes, timed_minutes)
def test_cms_total_depends_only_on_total_timed_minutes(
    a: dict[str, int], b: dict[str, int]
) -> None:
    total_a, total_b = sum(a.values()), sum(b.values())
    units_a = bill(a, Rule.CMS, CATALOG).total_units
    assert units_a == units_for_minutes(total_a)
    if total_a == total_b:
        assert units_a == bill(b, Rule.CMS, CATALOG).total_units


@given(visit_minutes, st.sampled_from(list(Rule)))
def test_next_unit_exists_exactly_when_a_timed_code_is_billed(
    minutes: dict[str, int], rule: Rule
) -> None:
    # README: minutes_to_next_unit is null without timed codes, under either rule.
    has_timed = any(CATALOG[code].timed for code in minutes)
    assert (bill(minutes, rule, CATALOG).minutes_to_next_unit is not None) == has_timed


@given(visit_minutes, st.sampled_from(list(Rule)))
def test_each_timed_code_gets_its_full_units_and_at_most_one_more(
    minutes: dict[str, int], rule: Rule
) -> None:
    billing = bill(minutes, rule, CATALOG)
    for line in billing.lines:
        if line.timed:
            assert line.minutes // 15 <= line.units <= line.minutes // 15 + 1
        if line.minutes == 0:
            assert line.units == 0
    assert sum(line.units for line in billing.lines) == billing.total_units


@given(st.sampled_from(TIMED), st.integers(0, 600), st.integers(0, 600))
def test_ama_units_per_code_are_monotone(code: str, low: int, high: int) -> None:
    low, high = sorted((low, high))
    assert (
        bill({code: low}, Rule.AMA, CATALOG).total_units
        <= bill({code: high}, Rule.AMA, CATALOG).total_units
    )


@given(visit_minutes, st.sampled_from(ANY_CODE), st.integers(1, 60), st.sampled_from(list(Rule)))
def test_more_minutes_never_lower_the_total(
    minutes: dict[str, int], code: str, added: int, rule: Rule
) -> None:
    more = dict(minutes)
    more[code] = more.get(code, 0) + added
    assert bill(more, rule, CATALOG).total_units >= bill(minutes, rule, CATALOG).total_units


@given(timed_minutes)
def test_next_unit_and_spare_point_at_real_boundaries(minutes: dict[str, int]) -> None:
    billing = bill(minutes, Rule.CMS, CATALOG)
    if not minutes:  # no timed code: no next unit (issue 13, #12; README)
        assert billing.minutes_to_next_unit is None
        return
    assert billing.minutes_to_next_unit is not None
    assert (
        units_for_minutes(billing.timed_minutes + billing.minutes_to_next_unit)
        == billing.total_units + 1
    )
    assert (
        units_for_minutes(billing.timed_minutes + billing.minutes_to_next_unit - 1)
        == billing.total_units
    )
    if billing.minutes_spare is not None:
        assert (
            units_for_minutes(billing.timed_minutes - billing.minutes_spare) == billing.total_units
        )
        assert (
            units_for_minutes(billing.timed_minutes - billing.minutes_spare - 1)
            == billing.total_units - 1
        )
