"""What a visit is worth right now: seconds, minutes and units per code, derived, never counted.

A code's seconds = Σ (ended or now − started) over its segments + Σ corrections, never
below zero. Billing minutes are whole minutes of that, floored, so no unbilled second is
ever rounded up (docs/architecture.md, "Time rules").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ptclock.billing import Billing, Catalog, Rule, bill
from ptclock.timing.records import Adjustment, Performer, Segment, VisitRecord

DEFAULT_LONG_TIMER_MINUTES = 60
"""A code running longer than this in one go is pointed out ("still running?"), never cut."""


@dataclass(frozen=True)
class TimeBlock:
    """A stretch of clock time a code was performed in (the evidence for distinct blocks)."""

    started_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True)
class CodeTime:
    code: str
    descriptor: str
    timed: bool
    seconds: int
    minutes: int
    units: int
    running_since: datetime | None
    """Start of the running segment; None when the code is stopped."""
    still_running_check: bool
    """Running longer than the long-timer limit in one go: ask "still treating?"."""
    blocks: tuple[TimeBlock, ...]
    adjusted_seconds: int
    """Σ of manual corrections on this code (already included in ``seconds``)."""
    assistant_seconds: int = 0
    """Seconds a PT assistant performed (included in ``seconds``; CQ above 10%)."""
    student_seconds: int = 0
    """Seconds a student performed: not billable, not in ``seconds``."""

    @property
    def running(self) -> bool:
        return self.running_since is not None


@dataclass(frozen=True)
class VisitTally:
    record: VisitRecord
    rule: Rule
    now: datetime
    codes: tuple[CodeTime, ...]
    billing: Billing
    elapsed_seconds: int
    """Clock time from the visit's start to its end (or now)."""

    @property
    def running_codes(self) -> tuple[str, ...]:
        return tuple(code.code for code in self.codes if code.running)

    @property
    def still_running_checks(self) -> tuple[str, ...]:
        return tuple(code.code for code in self.codes if code.still_running_check)

    @property
    def over_a_day(self) -> tuple[str, ...]:
        """Codes with more than 24 hours on them: a timer left running or a mistyped
        correction. Billed as recorded (never cut, never a crash) and pointed out."""
        return tuple(line.code for line in self.billing.over_a_day)

    def evidence_intervals(self, code: str) -> list[tuple[datetime, datetime]]:
        """``code``'s clock-time blocks in the order they really happened, for the 59/XU
        check. One-on-one, a visit's timers never run at once; a block that starts before
        the one recorded before it ended can only follow a wall clock set back, so it and
        every later block are moved to follow on (the time that passed is kept): a clock
        correction does not turn distinct blocks into "overlapping" after the fact."""
        if self.record.visit.concurrent:
            return [(b.started_at, b.ended_at or self.now) for b in self.code(code).blocks]
        shift, last_end = timedelta(0), None
        moved: list[tuple[datetime, datetime]] = []
        for segment in sorted(self.record.segments, key=lambda s: s.id):
            start = segment.started_at + shift
            if last_end is not None and start < last_end:
                shift += last_end - start
                start = last_end
            end = max(start, (segment.ended_at or self.now) + shift)
            last_end = end if last_end is None else max(last_end, end)
            if segment.code == code:
                moved.append((start, end))
        return moved

    def code(self, code: str) -> CodeTime:
        for line in self.codes:
            if line.code == code:
                return line
        raise KeyError(code)


def code_seconds(
    code: str, segments: tuple[Segment, ...], adjustments: tuple[Adjustment, ...], now: datetime
) -> int:
    """Billable whole seconds of ``code``: its segments plus its corrections, never below zero.

    A student's segments are not billable (docs/billing.md, "Student time"): they are shown
    apart (``student_seconds``) and left out here.
    """
    performed = sum(
        seg.seconds(now)
        for seg in segments
        if seg.code == code and seg.performer is not Performer.STUDENT
    )
    corrected = sum(adj.seconds for adj in adjustments if adj.code == code)
    return max(0, int(performed + corrected))


def codes_in_order(record: VisitRecord) -> list[str]:
    """The visit's codes in the order they were first timed or corrected.

    Timed codes keep the order of their first segments (lowest id): a segment opened after
    the wall clock was set back never moves its code ahead of codes timed before it (each
    first segment is placed no earlier than the one before it). A code only corrected is
    placed by the time of its first correction.
    """
    first: dict[str, datetime] = {}
    latest: datetime | None = None
    for segment in sorted(record.segments, key=lambda seg: seg.id):
        if segment.code not in first:
            latest = segment.started_at if latest is None else max(latest, segment.started_at)
            first[segment.code] = latest
    corrected: dict[str, datetime] = {}
    for adjustment in sorted(record.adjustments, key=lambda adj: adj.id):
        corrected.setdefault(adjustment.code, adjustment.made_at)
    for code, made_at in corrected.items():
        first[code] = min(first.get(code, made_at), made_at)
    return sorted(first, key=lambda code: first[code])


def tally(
    record: VisitRecord,
    now: datetime,
    catalog: Catalog,
    long_timer_minutes: int = DEFAULT_LONG_TIMER_MINUTES,
    rule: Rule | None = None,
) -> VisitTally:
    """Everything the window, the CLI and reports show about a visit at ``now``."""
    visit = record.visit
    rule = rule or visit.rule
    order = codes_in_order(record)
    seconds = {code: code_seconds(code, record.segments, record.adjustments, now) for code in order}
    billing = bill([(code, seconds[code] // 60) for code in order], rule, catalog)
    limit = timedelta(minutes=long_timer_minutes)
    lines = []
    for code, billed in zip(order, billing.lines, strict=True):
        segments = [seg for seg in record.segments if seg.code == code]
        running = [seg for seg in segments if seg.running]
        since = running[0].started_at if running else None
        lines.append(
            CodeTime(
                code=code,
                descriptor=billed.descriptor,
                timed=billed.timed,
                seconds=seconds[code],
                minutes=billed.minutes,
                units=billed.units,
                running_since=since,
                still_running_check=since is not None and now - since >= limit,
                blocks=tuple(TimeBlock(seg.started_at, seg.ended_at) for seg in segments),
                adjusted_seconds=sum(a.seconds for a in record.adjustments if a.code == code),
                assistant_seconds=int(
                    sum(s.seconds(now) for s in segments if s.performer is Performer.PTA)
                ),
                student_seconds=int(
                    sum(s.seconds(now) for s in segments if s.performer is Performer.STUDENT)
                ),
            )
        )
    end = visit.ended_at or now
    return VisitTally(
        record=record,
        rule=rule,
        now=now,
        codes=tuple(lines),
        billing=billing,
        elapsed_seconds=max(0, int((end - visit.started_at).total_seconds())),
    )


def moved_on(previous: VisitTally, now: datetime, long_timer_minutes: int) -> VisitTally | None:
    """``previous`` (from the same record) at ``now``: what ``ptclock.timing.tally.tally``
    would give, derived only for the running codes, or None when a code's whole minutes
    changed (then the billing must be recomputed: call ``tally``).

    A stopped code has no open segment, so nothing in its line moves with the clock; the
    billing is a function of each code's whole minutes, the rule and the catalog only.
    """
    record = previous.record
    limit = timedelta(minutes=long_timer_minutes)
    lines: list[CodeTime] = []
    for line in previous.codes:
        since = line.running_since
        if since is None:
            lines.append(line)
            continue
        seconds = code_seconds(line.code, record.segments, record.adjustments, now)
        if seconds // 60 != line.seconds // 60:
            return None
        segments = [seg for seg in record.segments if seg.code == line.code]
        lines.append(
            replace(
                line,
                seconds=seconds,
                still_running_check=now - since >= limit,
                assistant_seconds=int(
                    sum(s.seconds(now) for s in segments if s.performer is Performer.PTA)
                ),
                student_seconds=int(
                    sum(s.seconds(now) for s in segments if s.performer is Performer.STUDENT)
                ),
            )
        )
    end = record.visit.ended_at or now
    return replace(
        previous,
        now=now,
        codes=tuple(lines),
        elapsed_seconds=max(0, int((end - record.visit.started_at).total_seconds())),
    )
