"""In-memory records for the pure timing tests: no store, no Timekeeper, no Qt."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ptclock.billing import Catalog, Code, Rule
from ptclock.timing.records import (
    Adjustment,
    Payer,
    Performer,
    Segment,
    Visit,
    VisitRecord,
    VisitStatus,
)

MORNING = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
"""10:00 in New York (EST) on a Friday."""

CATALOG = Catalog(
    [
        Code("97110", "Therapeutic exercise", True, "exercise"),
        Code("97140", "Manual therapy", True, "manual"),
        Code("97530", "Therapeutic activities", True, "activity"),
        Code("97012", "Mechanical traction", False, "modality"),
    ]
)
"""A catalog of its own, so the tests do not move when the shipped one is edited."""


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    """MORNING plus ``minutes`` and ``seconds`` (negative: before it)."""
    return MORNING + timedelta(minutes=minutes, seconds=seconds)


def visit(
    visit_id: int = 1,
    *,
    provider: str = "Lee",
    rule: Rule = Rule.CMS,
    concurrent: bool = False,
    status: VisitStatus = VisitStatus.OPEN,
    started_at: datetime = MORNING,
    ended_at: datetime | None = None,
) -> Visit:
    return Visit(
        id=visit_id,
        patient=f"Patient {visit_id}",
        payer=Payer.MEDICARE,
        provider=provider,
        date_of_service=date(2026, 11, 27),
        zone="America/New_York",
        rule=rule,
        status=status,
        started_at=started_at,
        ended_at=ended_at,
        concurrent=concurrent,
    )


def segment(
    segment_id: int,
    code: str,
    started_at: datetime,
    ended_at: datetime | None = None,
    *,
    visit_id: int = 1,
    performer: Performer = Performer.PT,
) -> Segment:
    return Segment(segment_id, visit_id, code, started_at, ended_at, performer)


def adjustment(
    adjustment_id: int,
    code: str,
    seconds: int,
    *,
    made_at: datetime = MORNING,
    transfer_id: int | None = None,
) -> Adjustment:
    return Adjustment(adjustment_id, 1, code, seconds, "reason", made_at, transfer_id=transfer_id)


def record(
    *segments: Segment,
    adjustments: tuple[Adjustment, ...] = (),
    of: Visit | None = None,
) -> VisitRecord:
    return VisitRecord(of or visit(), segments, adjustments)
