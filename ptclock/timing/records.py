"""What a visit is made of, as stored: the visit, its segments, corrections and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import Enum

from ptclock.billing import Rule
from ptclock.formats import wall_time


class VisitStatus(str, Enum):
    OPEN = "open"
    PAUSED = "paused"
    ENDED = "ended"


class Payer(str, Enum):
    """Who pays picks the default rule: CMS for Medicare, AMA for commercial payers."""

    MEDICARE = "medicare"
    COMMERCIAL = "commercial"
    OTHER = "other"


DEFAULT_RULES = {Payer.MEDICARE: Rule.CMS, Payer.COMMERCIAL: Rule.AMA, Payer.OTHER: Rule.CMS}


class Performer(str, Enum):
    """Who performed a segment (student time is not billable; PTA time may need CQ)."""

    PT = "PT"
    PTA = "PTA"
    STUDENT = "student"


@dataclass(frozen=True)
class Visit:
    id: int
    patient: str
    payer: Payer
    """The visit's own payer, stored with it when it started."""
    provider: str
    """The provider's name as it was when the visit started (empty: none was set yet)."""
    date_of_service: date
    """The local date the visit started on; it stays when the visit crosses midnight."""
    zone: str
    rule: Rule
    status: VisitStatus
    started_at: datetime
    ended_at: datetime | None = None
    concurrent: bool = False
    """False: one-on-one, starting a code stops the running one. True: timers may overlap."""
    paused_codes: tuple[str, ...] = ()
    """Codes that were running when the visit was paused; resume restarts them."""
    note: str = ""
    mrn: str = ""
    patient_id: int = 0
    provider_credentials: str = ""
    provider_npi: str = ""
    """The provider's credentials and NPI when the visit started (empty when unknown)."""
    dob: date | None = None
    """The patient's date of birth, when recorded."""

    @property
    def is_open(self) -> bool:
        return self.status is not VisitStatus.ENDED


@dataclass(frozen=True)
class Segment:
    """One stretch of one code: from ``started_at`` to ``ended_at`` (None while running)."""

    id: int
    visit_id: int
    code: str
    started_at: datetime
    ended_at: datetime | None = None
    performer: Performer = Performer.PT

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def seconds(self, now: datetime) -> float:
        """Length in seconds; never negative, even if the wall clock was set back."""
        end = self.ended_at if self.ended_at is not None else now
        return max(0.0, (end - self.started_at).total_seconds())


@dataclass(frozen=True)
class Adjustment:
    """A manual correction: signed seconds on a code, with the reason. Never rewritten."""

    id: int
    visit_id: int
    code: str
    seconds: int
    reason: str
    made_at: datetime
    transfer_id: int | None = None
    """Both halves of a "move time from one code to another" share this id."""


@dataclass(frozen=True)
class CodeNote:
    """What the note needs for a code: body part(s), exercises with parameters, the goal."""

    code: str
    body_part: str = ""
    exercises: str = ""
    goal: str = ""


@dataclass(frozen=True)
class ModifierOverride:
    """The therapist adds or removes a modifier on a code's line, with a reason: it has the
    last word over the modifiers the claim suggests."""

    code: str
    modifier: str
    add: bool
    reason: str


@dataclass(frozen=True)
class ClockNote:
    """The computer slept, or its wall clock was set, while this visit's timers ran: shown
    with the visit (visit show, the reports, the window) as well as in the audit trail."""

    at: datetime
    kind: str
    """"suspend" or "clock_set"."""
    seconds: int
    """How far wall time moved beyond the time that passed (negative: set back)."""
    codes: tuple[str, ...]

    def message(self, zone: tzinfo) -> str:
        when = wall_time(self.at, zone)
        codes = ", ".join(self.codes)
        minutes = abs(round(self.seconds / 60))
        if self.kind == "suspend":
            return (
                f"{when}: the computer was asleep {minutes} min while {codes} ran; that time "
                "was kept unless it was discarded (see the corrections)."
            )
        direction = "ahead" if self.seconds > 0 else "back"
        return (
            f"{when}: the computer's clock was set {direction} {minutes} min while {codes} ran; "
            "the time that really passed was kept."
        )


@dataclass(frozen=True)
class VisitRecord:
    """A visit with everything stored about it."""

    visit: Visit
    segments: tuple[Segment, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    code_notes: tuple[CodeNote, ...] = field(default_factory=tuple)
    clock_notes: tuple[ClockNote, ...] = ()
