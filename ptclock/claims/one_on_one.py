"""One clock second, one timed code: the one-on-one minutes a claim bills (issue 13, defect 3).

Timed codes are billed for the time the therapist is directly working with the patient: CMS
Pub. 100-04 ch. 5 §20.2 ("Counting Minutes for Timed Codes in 15 Minute Units") counts the
minutes of each timed service, and Pub. 100-02 ch. 15 §220.3 asks for the "total timed code
treatment minutes" of the day; a minute of one-on-one time is one minute, never two
(docs/billing.md, "Only one-on-one minutes count"). When timers
overlap — two codes of a concurrent visit, or visits of the same patient that ran at once —
each overlapping second is therefore counted once:

* it goes to the code whose timer was already running (the earlier start; on the same
  second, the code the visit timed first). No source says how to split such a second; giving
  it to the service already under way keeps every code's minutes whole seconds, does not
  depend on how many timers were left open, and moves nothing silently: the claim says
  "97110 and 97112 ran at the same time for 30 min: counted once, for the code whose timer
  was already running …", and the therapist can move time between codes with a reason;
* when the PT and the PTA furnish the same code at the same time, the time is the PT's
  (APTA, "Quick Guide to Using the PTA Modifier": report the units without CQ "because the
  PT furnished both units in whole while assisted by the PTA"; NGS Medicare's E/M time FAQ
  says the same of two clinicians' joint time: it "is only counted once").

Untimed codes are billed once per session whatever their minutes, so they are not part of
this. Corrections have no clock time: they are added to their code after the overlap is
removed. Student time is never billable and is left out (as in ``timing.tally``). The clock
times are ``VisitTally.evidence_intervals`` (a clock set back never creates an overlap).
Arithmetic is in whole microseconds, floored to seconds and then minutes per visit and code,
exactly as the visit's own tally does when nothing overlaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import combinations, pairwise

from ptclock.timing.records import Performer
from ptclock.timing.tally import VisitTally

MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECONDS_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class Overlap:
    """Two timers (of two codes, or of one code in two visits) that ran at the same time."""

    first: str
    second: str
    seconds: int

    @property
    def message(self) -> str:
        minutes = self.seconds // 60
        span = f"{minutes} min" if minutes else "less than 1 min"
        if self.first == self.second:
            return (
                f"{self.first} ran in two visits at the same time for {span}: counted once, "
                "in the visit whose timer was already running — nothing to change."
            )
        return (
            f"{self.first} and {self.second} ran at the same time for {span}: counted once, "
            "for the code whose timer was already running — if those minutes belong to the "
            "other code, move them with a reason (Visit → Correct time…)."
        )


@dataclass(frozen=True)
class TimedMinutes:
    """Billable one-on-one minutes per (visit id, timed code), and who furnished them."""

    minutes: dict[tuple[int, str], int]
    assistant_minutes: dict[tuple[int, str], int]
    """Of ``minutes``, those a PT assistant furnished alone (for CQ)."""
    overlaps: tuple[Overlap, ...]


@dataclass(frozen=True)
class _Piece:
    visit_id: int
    code: str
    start: int
    end: int
    assistant: bool
    rank: tuple[int, int, int]
    """Who keeps an overlapping second: the earliest start, then the visit, then the code."""


def _micro(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _pieces(tallies: Sequence[VisitTally], code_rank: dict[str, int]) -> list[_Piece]:
    pieces = []
    for visit_rank, tally in enumerate(tallies):
        record = tally.record
        for line in tally.codes:
            if not line.timed:
                continue
            segments = [s for s in record.segments if s.code == line.code]
            if not record.visit.concurrent:
                segments.sort(key=lambda s: s.id)  # evidence_intervals' own order
            intervals = tally.evidence_intervals(line.code)
            for segment, (start, end) in zip(segments, intervals, strict=True):
                if segment.performer is Performer.STUDENT or end <= start:
                    continue
                first, last = _micro(start), _micro(end)
                pieces.append(
                    _Piece(
                        record.visit.id,
                        line.code,
                        first,
                        last,
                        segment.performer is Performer.PTA,
                        (first, visit_rank, code_rank[line.code]),
                    )
                )
    return pieces


def timed_minutes(tallies: Sequence[VisitTally]) -> TimedMinutes:
    """One patient's visits (in the order they are billed): minutes per visit and timed code
    with every overlapping second counted once (see the module docstring)."""
    code_rank: dict[str, int] = {}
    for tally in tallies:
        for line in tally.codes:
            code_rank.setdefault(line.code, len(code_rank))
    pieces = _pieces(tallies, code_rank)
    credited: dict[tuple[int, str], int] = {}
    assisted: dict[tuple[int, str], int] = {}
    together: dict[tuple[str, str], int] = {}
    bounds = sorted({p.start for p in pieces} | {p.end for p in pieces})
    for low, high in pairwise(bounds):
        active = [p for p in pieces if p.start <= low and p.end >= high]
        if not active:
            continue
        span = high - low
        keeper = min(active, key=lambda p: p.rank)
        key = (keeper.visit_id, keeper.code)
        credited[key] = credited.get(key, 0) + span
        by_assistant = keeper.assistant and not any(
            p.code == keeper.code and not p.assistant for p in active
        )
        if by_assistant:
            assisted[key] = assisted.get(key, 0) + span
        for a, b in combinations(active, 2):
            if a.code == b.code and a.visit_id == b.visit_id:
                continue  # the PT and the PTA on one code together: the PT's time
            pair = tuple(sorted((a.code, b.code), key=lambda code: code_rank[code]))
            together[pair[0], pair[1]] = together.get((pair[0], pair[1]), 0) + span

    minutes: dict[tuple[int, str], int] = {}
    assistant: dict[tuple[int, str], int] = {}
    for tally in tallies:
        visit_id = tally.record.visit.id
        for line in tally.codes:
            if not line.timed:
                continue
            key = (visit_id, line.code)
            corrected = sum(a.seconds for a in tally.record.adjustments if a.code == line.code)
            total = credited.get(key, 0) + corrected * MICROSECONDS_PER_SECOND
            billed = max(0, total) // MICROSECONDS_PER_SECOND // 60
            minutes[key] = billed
            assistant_only = assisted.get(key, 0) // MICROSECONDS_PER_SECOND // 60
            assistant[key] = min(billed, assistant_only)
    overlaps = tuple(
        Overlap(first, second, span // MICROSECONDS_PER_SECOND)
        for (first, second), span in together.items()
    )
    return TimedMinutes(minutes, assistant, overlaps)
