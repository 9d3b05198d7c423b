"""CMS and AMA side by side on the worked examples and the cases around them."""

from __future__ import annotations

import pytest

from ptclock.billing import MinutesError, Rule, UnknownCodeError, bill, load_catalog

CATALOG = load_catalog()


def units(minutes: dict[str, int], rule: Rule) -> dict[str, int]:
    return {line.code: line.units for line in bill(minutes, rule, CATALOG).lines}


def test_manual_example_24_and_23_minutes() -> None:
    billing = bill({"97112": 24, "97110": 23}, Rule.CMS, CATALOG)
    assert billing.timed_minutes == 47
    assert billing.total_units == 3
    assert units({"97112": 24, "97110": 23}, Rule.CMS) == {"97112": 2, "97110": 1}


def test_manual_example_33_and_7_minutes() -> None:
    billing = bill({"97110": 33, "97140": 7}, Rule.CMS, CATALOG)
    assert (billing.timed_minutes, billing.total_units) == (40, 3)
    assert units({"97110": 33, "97140": 7}, Rule.CMS) == {"97110": 2, "97140": 1}
    assert billing.minutes_to_next_unit == 13
    assert billing.unit_floor_minutes == 38
    assert billing.minutes_spare == 2
    assert billing.ties == ()


def test_same_minutes_under_ama() -> None:
    billing = bill({"97110": 33, "97140": 7}, Rule.AMA, CATALOG)
    assert billing.total_units == 2
    assert units({"97110": 33, "97140": 7}, Rule.AMA) == {"97110": 2, "97140": 0}
    assert billing.minutes_to_next_unit == 1  # 97140 needs one more minute
    assert billing.line("97110").minutes_spare == 10


def test_two_codes_of_eight_minutes_differ_between_rules() -> None:
    minutes = {"97110": 8, "97140": 8}
    assert bill(minutes, Rule.AMA, CATALOG).total_units == 2
    assert bill(minutes, Rule.CMS, CATALOG).total_units == 1


def test_several_short_codes_together_give_one_unit_to_the_longest() -> None:
    minutes = {"97110": 5, "97140": 3, "97530": 6}
    assert units(minutes, Rule.CMS) == {"97110": 0, "97140": 0, "97530": 1}
    assert units(minutes, Rule.AMA) == {"97110": 0, "97140": 0, "97530": 0}


def test_code_with_eight_or_more_minutes_can_get_no_unit() -> None:
    # 20 + 8 + 8 = 36 minutes is 2 units: 97110 gets its full unit and its 5 left over
    # minutes lose to the two 8-minute codes; the tie between those is reported.
    billing = bill({"97110": 20, "97140": 8, "97530": 8}, Rule.CMS, CATALOG)
    assert billing.total_units == 2
    assert units({"97110": 20, "97140": 8, "97530": 8}, Rule.CMS) == {
        "97110": 1,
        "97140": 1,
        "97530": 0,
    }
    (tie,) = billing.ties
    assert tie.codes == ("97140", "97530")
    assert tie.chosen == ("97140",)
    assert "97140 and 97530 each have 8 minutes" in tie.message


def test_tie_is_broken_the_same_way_whatever_the_order() -> None:
    forward = bill([("97140", 7), ("97110", 7), ("97530", 10)], Rule.CMS, CATALOG)
    backward = bill([("97530", 10), ("97110", 7), ("97140", 7)], Rule.CMS, CATALOG)
    assert forward.total_units == backward.total_units == 2
    assert {line.code: line.units for line in forward.lines} == {
        line.code: line.units for line in backward.lines
    }
    assert forward.ties[0].chosen == ("97110",)


def test_untimed_codes_are_one_unit_and_count_only_in_treatment_time() -> None:
    billing = bill({"97161": 40, "97110": 12, "97012": 15}, Rule.CMS, CATALOG)
    assert billing.timed_minutes == 12
    assert billing.treatment_minutes == 67
    assert billing.timed_units == 1
    assert billing.total_units == 3
    assert [line.timed for line in billing.lines] == [False, True, False]


def test_untimed_code_with_no_minutes_is_not_billed() -> None:
    assert units({"97161": 0}, Rule.CMS) == {"97161": 0}


def test_codes_given_twice_are_summed_in_first_place() -> None:
    billing = bill([("97140", 4), ("97110", 10), ("97140", 4)], Rule.AMA, CATALOG)
    assert [(line.code, line.minutes, line.units) for line in billing.lines] == [
        ("97140", 8, 1),
        ("97110", 10, 1),
    ]


def test_no_minutes_at_all() -> None:
    # No timed code: no next unit (issue 13, #12; README "null without timed codes").
    billing = bill({}, Rule.CMS, CATALOG)
    assert (billing.total_units, billing.minutes_to_next_unit, billing.minutes_spare) == (
        0,
        None,
        None,
    )
    assert bill({}, Rule.AMA, CATALOG).minutes_to_next_unit is None


@pytest.mark.parametrize("bad", [-1, 2.5, "10", True, None])
def test_bad_minutes_are_refused(bad: object) -> None:
    with pytest.raises(MinutesError, match="97110"):
        bill({"97110": bad}, Rule.CMS, CATALOG)  # type: ignore[dict-item]


def test_unknown_code_is_named() -> None:
    with pytest.raises(UnknownCodeError) as caught:
        bill({"9711": 10}, Rule.CMS, CATALOG)
    assert "9711" in str(caught.value)


@pytest.mark.parametrize("rule", [Rule.CMS, Rule.AMA])
def test_untimed_codes_alone_have_no_next_unit(rule: Rule) -> None:
    """Issue 13, #12 (README: ``null`` without timed codes). Untimed codes are billed once
    per session (Pub. 100-04 ch. 5 §20.2), so no minute makes a next unit; CMS said 8."""
    billing = bill({"97161": 45, "97010": 15}, rule, load_catalog())
    assert billing.minutes_to_next_unit is None
    assert (billing.minutes_spare, billing.unit_floor_minutes, billing.total_units) == (
        None,
        None,
        2,
    )


def test_the_next_unit_sentence_and_when_it_is_near() -> None:
    # CMS: 37 timed minutes are 2 units; the 3rd comes at 38 (one minute away).
    near = bill({"97110": 30, "97140": 7}, Rule.CMS, CATALOG)
    assert near.next_unit_sentence() == "1 more timed minute for unit 3"
    assert near.next_unit_near()
    far = bill({"97110": 30}, Rule.CMS, CATALOG)  # 2 units; the 3rd at 38: 8 away
    assert far.next_unit_sentence() == "8 more timed minutes for unit 3"
    assert not far.next_unit_near()
    assert bill({}, Rule.CMS, CATALOG).next_unit_sentence() is None
