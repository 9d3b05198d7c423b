"""What is sent, and what changed since: ``settle``, ``after_sending`` and the record of what
the billing system holds (``sent_to_json`` / ``sent_from_json``)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptclock.charges.batch import (
    Action,
    ChargeBatch,
    ClaimCharges,
    ClaimStatus,
    Sent,
    after_sending,
    missing,
    sent_from_json,
    sent_to_json,
    settle,
)
from tests.charges.samples import (
    AMENDMENT_REASON,
    CANCEL_REASON,
    COMMERCIAL_KEY,
    DAY,
    FIRST_SENT_AT,
    MEDICARE_KEY,
    SENDER,
    TAG,
    amendment_day,
    at,
    commercial_claim,
    medicare_claim,
    numbered,
    plain_day,
    state_after_plain_day,
)


def _batch(claims: tuple[ClaimCharges, ...], export: int) -> ChargeBatch:
    return ChargeBatch(DAY, export, at(17, 0), TAG, SENDER, claims)


def test_claims_never_sent_are_new_with_their_charges() -> None:
    current = numbered([medicare_claim(), commercial_claim()], 1)
    out = settle(current, {}, {})
    assert out == current
    assert [c.status for c in out] == [ClaimStatus.NEW, ClaimStatus.NEW]
    assert all(line.action is Action.CHARGE for c in out for line in c.lines)
    assert [c.sent_before for c in out] == ["", ""]


def test_a_new_claim_with_nothing_billable_is_not_sent() -> None:
    empty = replace(medicare_claim(), lines=())
    assert settle(numbered([empty], 1), {}, {}) == ()


def test_unchanged_claims_are_left_out() -> None:
    """The same facts under the next export's ids: sending them again would bill twice."""
    current = numbered([medicare_claim(), commercial_claim()], 2)
    assert current[0].number != plain_day().claims[0].number
    assert settle(current, state_after_plain_day(), {}) == ()


def test_a_changed_claim_is_amended_cancels_first_then_charges() -> None:
    sent = state_after_plain_day()
    current = numbered([medicare_claim(minutes_97140=20), commercial_claim()], 2)
    out = settle(current, sent, {MEDICARE_KEY: ["97140 time corrected: ended early"]})
    (amended,) = out  # the commercial claim is unchanged: left out
    assert amended.status is ClaimStatus.AMENDED
    assert amended.number == "E11A8F-2-1"
    assert [(line.action, line.transaction) for line in amended.lines] == [
        (Action.CANCEL, "E11A8F-1-1-1"),
        (Action.CANCEL, "E11A8F-1-1-2"),
        (Action.CHARGE, "E11A8F-2-1-1"),
        (Action.CHARGE, "E11A8F-2-1-2"),
    ]
    # The cancellations are the lines as they were sent (23 minutes), the charges as now.
    assert [line.minutes for line in amended.cancellations] == [38, 23]
    assert [line.minutes for line in amended.charges] == [38, 20]
    sent_lines = sent[MEDICARE_KEY].claim.lines
    assert all(c.same_charge(s) for c, s in zip(amended.cancellations, sent_lines, strict=True))
    assert amended.reasons == ("97140 time corrected: ended early",)
    assert amended.sent_before == f"sent {FIRST_SENT_AT} (export 1)"


def test_a_change_without_a_known_reason_still_says_it_changed() -> None:
    current = numbered([medicare_claim(minutes_97140=20), replace(commercial_claim(), lines=())], 2)
    amended, cancelled = settle(current, state_after_plain_day(), {})
    assert amended.reasons == ("changed since it was sent",)
    assert cancelled.reasons == ("changed since it was sent",)
    assert cancelled.note == (
        f"Cancels the claim sent {FIRST_SENT_AT} (export 1): changed since it was sent"
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda c: replace(c, patient="Lee, Dana Q"),
        lambda c: replace(c, date_of_birth=date(1950, 1, 3)),
        lambda c: replace(c, visits=(*c.visits, replace(c.visits[0], key="E11A8F-V7"))),
        lambda c: replace(c, lines=(replace(c.lines[0], units=2), c.lines[1])),
        lambda c: replace(c, lines=(replace(c.lines[0], modifiers=("GP", "KX")), c.lines[1])),
        lambda c: replace(c, lines=c.lines[:1]),
    ],
    ids=["name", "dob", "visit-added", "units", "modifiers", "line-dropped"],
)
def test_any_billed_fact_changed_is_an_amendment(change: Any) -> None:
    current = numbered([change(medicare_claim()), commercial_claim()], 2)
    (amended,) = settle(current, state_after_plain_day(), {})
    assert amended.key == MEDICARE_KEY
    assert amended.status is ClaimStatus.AMENDED


def test_a_claim_with_nothing_billable_left_is_cancelled() -> None:
    current = numbered([replace(medicare_claim(), lines=()), commercial_claim()], 2)
    (cancelled,) = settle(current, state_after_plain_day(), {MEDICARE_KEY: ["visit deleted"]})
    assert cancelled.status is ClaimStatus.CANCELLED
    assert cancelled.number == "E11A8F-2-1"  # this export's number, like any claim it sends
    assert [(line.action, line.transaction) for line in cancelled.lines] == [
        (Action.CANCEL, "E11A8F-1-1-1"),
        (Action.CANCEL, "E11A8F-1-1-2"),
    ]
    assert cancelled.reasons == ("visit deleted",)


def test_the_amendment_day_cancels_the_claim_whose_time_was_corrected_away() -> None:
    out = amendment_day().claims
    assert [(c.key, c.status) for c in out] == [
        (MEDICARE_KEY, ClaimStatus.AMENDED),
        (COMMERCIAL_KEY, ClaimStatus.CANCELLED),
    ]
    cancelled = out[1]
    assert cancelled.number == "E11A8F-2-2"
    assert cancelled.charges == ()
    # Every line export 1 charged, as it was charged, under its own transaction id.
    sent_lines = state_after_plain_day()[COMMERCIAL_KEY].claim.lines
    assert [line.transaction for line in cancelled.cancellations] == [
        "E11A8F-1-2-1",
        "E11A8F-1-2-2",
    ]
    assert all(c.same_charge(s) for c, s in zip(cancelled.cancellations, sent_lines, strict=True))
    assert cancelled.reasons == (CANCEL_REASON,)
    assert cancelled.sent_before == f"sent {FIRST_SENT_AT} (export 1)"


def test_a_claim_no_longer_on_the_day_is_left_as_sent_and_named_by_missing() -> None:
    """Its key cannot change once its visits were sent, so a claim that is gone means data
    that is gone (an older backup restored), not a charge to take back: nothing is sent for
    it, and ``missing`` names it."""
    sent = state_after_plain_day()
    current = numbered([medicare_claim(minutes_97140=20)], 2)
    out = settle(current, sent, {MEDICARE_KEY: [AMENDMENT_REASON]})
    assert [(c.key, c.status) for c in out] == [(MEDICARE_KEY, ClaimStatus.AMENDED)]
    assert not [line for c in out for line in c.lines if line.transaction.startswith("E11A8F-1-2")]
    assert missing(current, sent) == (sent[COMMERCIAL_KEY],)
    # The billing system still holds it as export 1 sent it; when it is back unchanged,
    # it is not sent again (that would bill it twice).
    state = after_sending(sent, _batch(out, 2), "2026-11-28 09:30")
    assert state[COMMERCIAL_KEY] == sent[COMMERCIAL_KEY]
    back = numbered([medicare_claim(minutes_97140=20), commercial_claim()], 3)
    assert settle(back, state, {}) == ()
    assert missing(back, state) == ()


def test_missing_names_only_claims_sent_with_charges_and_absent_now() -> None:
    sent = state_after_plain_day()
    assert missing(numbered([medicare_claim(), commercial_claim()], 2), sent) == ()
    # Present with nothing billable is not missing: settle cancels it.
    emptied = numbered([replace(medicare_claim(), lines=()), commercial_claim()], 2)
    assert missing(emptied, sent) == ()
    assert missing((), sent) == (sent[MEDICARE_KEY], sent[COMMERCIAL_KEY])
    assert missing((), {}) == ()
    # A record of a claim without charges (never written by ``after_sending``) is not named.
    chargeless = replace(sent[COMMERCIAL_KEY], claim=replace(commercial_claim(), lines=()))
    assert missing((), {COMMERCIAL_KEY: chargeless}) == ()


def test_the_note_every_format_carries() -> None:
    amended, cancelled = amendment_day().claims
    assert plain_day().claims[0].note == ""
    assert amended.note == f"Amends the claim sent {FIRST_SENT_AT} (export 1): {AMENDMENT_REASON}"
    assert cancelled.note == f"Cancels the claim sent {FIRST_SENT_AT} (export 1): {CANCEL_REASON}"
    # By the claim's status, not the line's action: an amended claim's credits amend it.
    assert amended.cancellations
    two = replace(amended, reasons=("one", "two"))
    assert two.note.endswith("(export 1): one; two")
    assert replace(cancelled, status=ClaimStatus.AMENDED).note.startswith("Amends the claim")
    assert replace(amended, status=ClaimStatus.CANCELLED).note.startswith("Cancels the claim")


def test_new_amended_and_cancelled_in_one_export_in_the_days_order() -> None:
    other = replace(
        commercial_claim(), key="2026-11-27|C300|other|ama", mrn="C300", patient="Ng, Al"
    )
    emptied = replace(commercial_claim(), lines=())
    current = numbered([other, emptied, medicare_claim(minutes_97140=20)], 2)
    out = settle(current, state_after_plain_day(), {})
    assert [(c.key, c.status) for c in out] == [
        ("2026-11-27|C300|other|ama", ClaimStatus.NEW),
        (COMMERCIAL_KEY, ClaimStatus.CANCELLED),
        (MEDICARE_KEY, ClaimStatus.AMENDED),
    ]
    assert [c.number for c in out] == ["E11A8F-2-1", "E11A8F-2-2", "E11A8F-2-3"]


def test_after_sending_holds_the_charges_as_now_and_forgets_cancelled_claims() -> None:
    state = after_sending(state_after_plain_day(), amendment_day(), "2026-11-28 09:30")
    assert list(state) == [MEDICARE_KEY]
    held = state[MEDICARE_KEY]
    assert held.export_number == 2
    assert held.sent_at == "2026-11-28 09:30"
    assert held.claim.status is ClaimStatus.NEW
    assert held.claim.reasons == ()
    assert held.claim.sent_before == ""
    assert [(line.action, line.transaction, line.minutes) for line in held.claim.lines] == [
        (Action.CHARGE, "E11A8F-2-1-1", 38),
        (Action.CHARGE, "E11A8F-2-1-2", 20),
    ]


def test_a_second_amendment_cancels_what_the_first_amendment_charged() -> None:
    state = after_sending(state_after_plain_day(), amendment_day(), "2026-11-28 09:30")
    current = numbered([medicare_claim(minutes_97140=16)], 3)
    (amended,) = settle(current, state, {})
    assert [(line.action, line.transaction) for line in amended.lines] == [
        (Action.CANCEL, "E11A8F-2-1-1"),
        (Action.CANCEL, "E11A8F-2-1-2"),
        (Action.CHARGE, "E11A8F-3-1-1"),
        (Action.CHARGE, "E11A8F-3-1-2"),
    ]
    assert amended.sent_before == "sent 2026-11-28 09:30 (export 2)"


def test_a_cancelled_claim_that_returns_is_new_again() -> None:
    state = after_sending(state_after_plain_day(), amendment_day(), "2026-11-28 09:30")
    current = numbered([medicare_claim(minutes_97140=20), commercial_claim()], 3)
    (back,) = settle(current, state, {})
    assert back.key == COMMERCIAL_KEY
    assert back.status is ClaimStatus.NEW
    assert [line.transaction for line in back.lines] == ["E11A8F-3-2-1", "E11A8F-3-2-2"]


def test_the_record_round_trips_through_json() -> None:
    for state in (
        state_after_plain_day(),
        after_sending(state_after_plain_day(), amendment_day(), "2026-11-28 09:30"),
    ):
        text = json.dumps(sent_to_json(state), ensure_ascii=False)
        back = sent_from_json(json.loads(text))
        assert back == state
        assert list(back) == list(state)
    assert sent_from_json([]) == {}


def test_the_round_tripped_record_settles_the_same() -> None:
    state = state_after_plain_day()
    back = sent_from_json(json.loads(json.dumps(sent_to_json(state))))
    current = numbered([medicare_claim(minutes_97140=20)], 2)
    assert settle(current, back, {}) == settle(current, state, {})
    assert settle(numbered([medicare_claim(), commercial_claim()], 2), back, {}) == ()


def _valid_entry() -> dict[str, Any]:
    entry: dict[str, Any] = sent_to_json(state_after_plain_day())[0]
    return entry


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        {"export": 1},
        "[]",
        [1],
        [None],
        [{"export": 1, "sent_at": "x"}],
        [{**_valid_entry(), "export": "one"}],
        [{**_valid_entry(), "claim": {**_valid_entry()["claim"], "date_of_service": "27/11"}}],
        [{**_valid_entry(), "claim": {**_valid_entry()["claim"], "visits": None}}],
        [{**_valid_entry(), "claim": {**_valid_entry()["claim"], "lines": [{"code": "97110"}]}}],
        [{**_valid_entry(), "claim": {**_valid_entry()["claim"], "date_of_birth": 19500102}}],
        [
            {
                **_valid_entry(),
                "claim": {
                    **_valid_entry()["claim"],
                    "lines": [{**_valid_entry()["claim"]["lines"][0], "estimated_payment": "lots"}],
                },
            }
        ],
        [{**_valid_entry(), "claim": "a claim"}],
    ],
)
def test_an_unreadable_record_is_a_value_error(garbage: Any) -> None:
    with pytest.raises(ValueError, match="sent charges"):
        sent_from_json(garbage)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _read_or_refuse(data: Any) -> None:
    """``sent_from_json`` reads ``data`` or says it cannot (ValueError), never anything
    else: ``charges.sending`` turns only ValueError into "restore a backup"."""
    try:
        result = sent_from_json(data)
    except ValueError:
        return
    assert isinstance(result, dict)
    assert all(isinstance(entry, Sent) for entry in result.values())


@given(JSON)
def test_sent_from_json_never_fails_otherwise_than_with_value_error(data: Any) -> None:
    _read_or_refuse(data)


def _entry_with(**claim: Any) -> list[dict[str, Any]]:
    entry = _valid_entry()
    return [{**entry, "claim": {**entry["claim"], **claim}}]


@given(
    st.sampled_from(
        [
            "key",
            "number",
            "date_of_service",
            "patient",
            "mrn",
            "date_of_birth",
            "payer",
            "rule",
            "visits",
            "lines",
        ]
    ),
    JSON,
)
def test_any_claim_field_replaced_by_any_json_reads_or_is_a_value_error(
    field: str, value: Any
) -> None:
    _read_or_refuse(_entry_with(**{field: value}))


LINE_FIELDS = [
    "transaction",
    "code",
    "descriptor",
    "modifiers",
    "units",
    "minutes",
    "rendering",
    "supervising",
    "estimated_payment",
]
VISIT_FIELDS = ["key", "started_at", "ended_at", "provider"]


@given(st.sampled_from(LINE_FIELDS), JSON)
def test_any_line_field_replaced_by_any_json_reads_or_is_a_value_error(
    field: str, value: Any
) -> None:
    entry = _valid_entry()
    line = {**entry["claim"]["lines"][0], field: value}
    _read_or_refuse(_entry_with(lines=[line]))


@given(st.sampled_from(VISIT_FIELDS), JSON)
def test_any_visit_field_replaced_by_any_json_reads_or_is_a_value_error(
    field: str, value: Any
) -> None:
    entry = _valid_entry()
    visit = {**entry["claim"]["visits"][0], field: value}
    _read_or_refuse(_entry_with(visits=[visit]))
