"""switching.py: which running timers starting a code stops (one therapist, one minute)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ptclock.timing.records import Segment, Visit
from ptclock.timing.switching import segments_to_stop
from tests.timing.builders import at, segment, visit

ADA = visit(1, provider="Lee")
"""The visit a code is started in: one-on-one, therapist Lee."""


def test_one_on_one_starting_a_code_stops_the_running_one() -> None:
    exercise = segment(1, "97110", at(0))
    assert segments_to_stop(ADA, "97140", [(ADA, exercise)]) == [exercise]


def test_starting_the_code_already_running_stops_nothing() -> None:
    exercise = segment(1, "97110", at(0))
    assert segments_to_stop(ADA, "97110", [(ADA, exercise)]) == []


def test_a_concurrent_visit_keeps_its_own_timers_running() -> None:
    ada = visit(1, provider="Lee", concurrent=True)
    traction = segment(1, "97012", at(0))
    assert segments_to_stop(ada, "97110", [(ada, traction)]) == []


def test_the_therapists_other_patients_timers_stop() -> None:
    grace = visit(2, provider="Lee")
    hers = segment(2, "97530", at(0), visit_id=2)
    assert segments_to_stop(ADA, "97110", [(grace, hers)]) == [hers]


def test_another_patients_timer_of_the_same_code_stops_too() -> None:
    grace = visit(2, provider="Lee")
    hers = segment(2, "97110", at(0), visit_id=2)
    assert segments_to_stop(ADA, "97110", [(grace, hers)]) == [hers]


def test_other_patients_timers_stop_even_from_a_concurrent_visit() -> None:
    # Concurrent lets one visit's timers overlap, never two patients' under one therapist.
    ada = visit(1, provider="Lee", concurrent=True)
    grace = visit(2, provider="Lee", concurrent=True)
    mine = segment(1, "97012", at(0))
    hers = segment(2, "97140", at(0), visit_id=2)
    assert segments_to_stop(ada, "97110", [(ada, mine), (grace, hers)]) == [hers]


def test_another_therapists_timers_keep_running() -> None:
    smith = visit(2, provider="Smith")
    theirs = segment(2, "97140", at(0), visit_id=2)
    assert segments_to_stop(ADA, "97110", [(smith, theirs)]) == []


def test_a_stopped_segment_is_not_stopped_again() -> None:
    done = segment(1, "97140", at(0), at(10))
    assert segments_to_stop(ADA, "97110", [(ADA, done)]) == []


def test_everything_that_must_stop_is_stopped_in_the_order_given() -> None:
    grace = visit(2, provider="Lee")
    smith = visit(3, provider="Smith")
    mine = segment(1, "97140", at(0))
    same = segment(2, "97110", at(0))
    hers = segment(3, "97530", at(0), visit_id=2)
    theirs = segment(4, "97140", at(0), visit_id=3)
    hers_too = segment(5, "97110", at(0), visit_id=2)
    running = [(ADA, mine), (smith, theirs), (grace, hers), (ADA, same), (grace, hers_too)]
    assert segments_to_stop(ADA, "97110", running) == [mine, hers, hers_too]


def test_any_iterable_of_running_timers_will_do() -> None:
    grace = visit(2, provider="Lee")
    hers = segment(2, "97530", at(0), visit_id=2)
    assert segments_to_stop(ADA, "97110", iter([(grace, hers)])) == [hers]


# -- properties ------------------------------------------------------------------------------

CODES = ["97110", "97140", "97012"]
visits_strategy = st.lists(
    st.tuples(st.sampled_from(["Lee", "Smith"]), st.booleans()), min_size=1, max_size=3
)
segments_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(CODES), st.booleans()), max_size=8
)


@settings(max_examples=60, deadline=None)
@given(visits_strategy, segments_strategy, st.sampled_from(CODES))
def test_the_rules_of_who_stops_hold_for_any_running_timers(
    visit_specs: list[tuple[str, bool]],
    segment_specs: list[tuple[int, str, bool]],
    code: str,
) -> None:
    visits = [
        visit(number, provider=provider, concurrent=concurrent)
        for number, (provider, concurrent) in enumerate(visit_specs, start=1)
    ]
    starting = visits[0]
    running: list[tuple[Visit, Segment]] = []
    for number, (which, seg_code, is_running) in enumerate(segment_specs, start=1):
        owner = visits[which % len(visits)]
        end = None if is_running else at(10)
        running.append((owner, segment(number, seg_code, at(0), end, visit_id=owner.id)))
    stopped = segments_to_stop(starting, code, running)
    stopped_ids = [seg.id for seg in stopped]
    # Stopped segments come from the input, once each and in its order.
    assert stopped_ids == [seg.id for _, seg in running if seg.id in stopped_ids]
    for owner, seg in running:
        is_stopped = seg.id in stopped_ids
        if owner.provider != starting.provider or not seg.running:
            assert not is_stopped  # another therapist's, or already stopped
        elif owner.id != starting.id:
            assert is_stopped  # the same therapist's other patient
        elif seg.code == code:
            assert not is_stopped  # the code being started is already running
        else:
            assert is_stopped is not starting.concurrent
