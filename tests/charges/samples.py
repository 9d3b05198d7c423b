"""Fixed sample batches of charges (issue 18), the inputs of the golden files.

``plain_day``: export 1 of 2026-11-27, two new claims. ``amendment_day``: export 2 of the
same date, made by ``settle`` from what export 1 left with the billing system: the Medicare
claim changed (97140 treated 20 minutes, not 23, with the correction's reason, amended) and
the commercial claim's time corrected away (still on the day, with no lines: cancelled).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ptclock.charges.batch import (
    Action,
    ChargeBatch,
    ChargeLine,
    ClaimCharges,
    Person,
    Sender,
    Sent,
    VisitFacts,
    after_sending,
    settle,
)
from ptclock.charges.batch import numbered as numbered_for

ZONE = ZoneInfo("America/New_York")
DAY = date(2026, 11, 27)
TAG = "E11A8F"
SENDER = Sender(
    application="PTCLOCK",
    facility="Riverside PT",
    receiving_application="BILLING",
    receiving_facility="RIVERSIDE",
    mrn_system="urn:oid:2.16.840.1.113883.19.5",
)
THERAPIST = Person("Jo Smith", "1234567893", "PT, DPT")
SUPERVISOR = Person("Ana Ruiz", "1245319599", "PT")
MEDICARE_KEY = "2026-11-27|M100|medicare|cms"
COMMERCIAL_KEY = "2026-11-27|C200|commercial|ama"
FIRST_SENT_AT = "2026-11-27 17:02"
AMENDMENT_REASON = "97140 time corrected at 2026-11-28 09:15: treatment ended early, 20 min"


def at(hour: int, minute: int, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def _line(
    code: str,
    descriptor: str,
    modifiers: tuple[str, ...],
    units: int,
    minutes: int,
    supervising: Person | None = None,
    payment: str | None = None,
) -> ChargeLine:
    return ChargeLine(
        transaction="",
        action=Action.CHARGE,
        code=code,
        descriptor=descriptor,
        modifiers=modifiers,
        units=units,
        minutes=minutes,
        rendering=THERAPIST,
        supervising=supervising,
        estimated_payment=None if payment is None else Decimal(payment),
    )


def medicare_claim(minutes_97140: int = 23) -> ClaimCharges:
    """Lee, Dana: Medicare, CMS 8-minute rule, one visit."""
    return ClaimCharges(
        key=MEDICARE_KEY,
        number="",
        date_of_service=DAY,
        patient="Lee, Dana",
        mrn="M100",
        date_of_birth=date(1950, 1, 2),
        payer="medicare",
        rule="cms",
        visits=(VisitFacts(f"{TAG}-V1", at(9, 0), at(10, 1), THERAPIST),),
        lines=(
            _line("97110", "Therapeutic exercise", ("GP",), 3, 38, payment="87.42"),
            _line("97140", "Manual therapy", ("GP",), 1, minutes_97140, payment="27.10"),
        ),
    )


def commercial_claim() -> ClaimCharges:
    """María José O'Neil-Ünal: commercial, AMA per-code rule, a line an assistant treated."""
    return ClaimCharges(
        key=COMMERCIAL_KEY,
        number="",
        date_of_service=DAY,
        patient="María José O'Neil-Ünal",
        mrn="C200",
        date_of_birth=None,
        payer="commercial",
        rule="ama",
        visits=(VisitFacts(f"{TAG}-V2", at(11, 0), at(11, 50), THERAPIST),),
        lines=(
            _line("97530", "Therapeutic activities", ("59",), 2, 30),
            _line("97110", "Therapeutic exercise", ("GP", "CQ"), 1, 15, supervising=SUPERVISOR),
        ),
    )


def numbered(claims: list[ClaimCharges], export: int) -> tuple[ClaimCharges, ...]:
    """The ids ``charges.sending`` gives, under this file's tag."""
    return numbered_for(claims, TAG, export)


CANCEL_REASON = "97530 time corrected at 2026-11-28 09:20: recorded for the wrong patient"


def plain_day() -> ChargeBatch:
    """Export 1: both claims new."""
    return ChargeBatch(
        day=DAY,
        export_number=1,
        made_at=at(17, 2),
        tag=TAG,
        sender=SENDER,
        claims=numbered([medicare_claim(), commercial_claim()], 1),
    )


def first_claim_treated_by(provider: Person) -> ChargeBatch:
    """The plain day's first claim alone, its visits and lines by ``provider``."""
    batch = plain_day()
    claim = batch.claims[0]
    claim = replace(
        claim,
        visits=tuple(replace(visit, provider=provider) for visit in claim.visits),
        lines=tuple(replace(line, rendering=provider) for line in claim.lines),
    )
    return replace(batch, claims=(claim,))


def state_after_plain_day() -> dict[str, Sent]:
    return after_sending({}, plain_day(), FIRST_SENT_AT)


def amendment_day() -> ChargeBatch:
    """Export 2, the next morning: the Medicare claim amended; the commercial one cancelled
    (its time was corrected away: nothing billable is left)."""
    current = numbered([medicare_claim(minutes_97140=20), replace(commercial_claim(), lines=())], 2)
    reasons = {MEDICARE_KEY: [AMENDMENT_REASON], COMMERCIAL_KEY: [CANCEL_REASON]}
    claims = settle(current, state_after_plain_day(), reasons)
    return ChargeBatch(
        day=DAY,
        export_number=2,
        made_at=at(9, 30, day=28),
        tag=TAG,
        sender=SENDER,
        claims=claims,
    )


SAMPLES = {"plain_day": plain_day, "amendment_day": amendment_day}
