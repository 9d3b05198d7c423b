"""Whether two codes were performed in distinct time blocks: the evidence a 59/XU needs.

CMS, "Proper Use of Modifier 59" (MLN1783722, March 2020 revision), Example 9, 97140 with
97530: "Modifier 59 may be reported if the two procedures are performed in distinctly
different 15 minute time blocks … Alternatively, the therapy time blocks may be split. For
example, manual therapy might be performed for 10 minutes, followed by 15 minutes of
therapeutic activities, followed by another 5 minutes of manual therapy. CPT code 97530
should not be reported and modifier 59 should not be used if the two procedures are
performed during the same time block." So split (interleaved) blocks support the modifier
and no source sets a minimum length per block; time blocks that overlap do not, and
neither does time that exists only as a correction (no clock time to show). ptclock knows
each code's clock times, so it checks what an EMR cannot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import Enum
from itertools import pairwise

Interval = tuple[datetime, datetime]


class BlockKind(str, Enum):
    DISTINCT = "distinct"
    TOUCHING = "touching"
    SPLIT = "split"
    """One code's time in two blocks around the other's (CMS Example 9): distinct."""
    OVERLAPPING = "overlapping"
    NOT_TIMED = "no timer blocks"


@dataclass(frozen=True)
class BlockCheck:
    kind: BlockKind
    message: str
    """The finding in words, "what: the clock times" ("separate time blocks: 97140 at
    10:02–10:17; 97530 at 10:20–10:35"); the text after the first ": " is the evidence."""
    evidence: str = ""
    """Each code's blocks as the clock showed them, in the order they began ("97140 at
    10:00–10:10 and 10:25–10:30; 97530 at 10:10–10:25"); empty when a code has none."""
    problem: str = ""
    """Not supportable: what the timers show instead, to follow "but" in a sentence ("they
    overlapped 10:10–10:20", "97530's minutes all come from corrections")."""

    @property
    def supportable(self) -> bool:
        return self.kind in (BlockKind.DISTINCT, BlockKind.TOUCHING, BlockKind.SPLIT)


SHORTEST_BLOCK = timedelta(minutes=1)
"""A timer run shorter than a minute (started and stopped at once, the time then entered as a
correction) shows no clock time of treatment: it is not evidence, and not shown as
"17:12–17:12"."""


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    """One code's intervals joined where they touch or overlap (a timer split by a clock fix);
    runs under a minute left out."""
    blocks: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] - i[0] >= SHORTEST_BLOCK):
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def clock_span(start: datetime, end: datetime, zone: tzinfo) -> str:
    """10:02–10:17 in local time; across a daylight-saving change both ends carry their
    zone (01:50 EDT–01:10 EST), so a block never reads as ending before it began."""
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.utcoffset() == b.utcoffset():
        return f"{a:%H:%M}–{b:%H:%M}"
    return f"{a:%H:%M} {a.tzname() or ''}–{b:%H:%M} {b.tzname() or ''}".replace(" –", "–")


def zero_length(start: datetime, end: datetime, zone: tzinfo) -> bool:
    """A block that reads as no time at all at minute precision ("14:42–14:42"): never shown
    as evidence."""
    a, b = start.astimezone(zone), end.astimezone(zone)
    return a.utcoffset() == b.utcoffset() and f"{a:%H:%M}" == f"{b:%H:%M}"


def span_list(blocks: Sequence[Interval], zone: tzinfo) -> str:
    """ "10:00–10:10", "10:00–10:10 and 10:25–10:30", "…, … and …"; zero-length blocks left
    out."""
    shown = [clock_span(a, b, zone) for a, b in blocks if not zero_length(a, b, zone)]
    if len(shown) < 2:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _evidence(codes: Sequence[tuple[str, list[Interval]]], zone: tzinfo) -> str:
    """Each code with its blocks, the code that began first first."""
    ordered = sorted(codes, key=lambda item: item[1][0][0])
    return "; ".join(f"{code} at {span_list(blocks, zone)}" for code, blocks in ordered)


def _overlap(a: Sequence[Interval], b: Sequence[Interval], zone: tzinfo) -> str:
    """When the two codes' blocks ran at the same time: "10:10–10:20", or "for under a
    minute at 10:05" when the overlap shows as no time at minute precision."""
    both = merge(
        [
            (max(s1, s2), min(e1, e2))
            for s1, e1 in a
            for s2, e2 in b
            if s1 < e2 and s2 < e1 and min(e1, e2) - max(s1, s2) >= SHORTEST_BLOCK
        ]
    )
    if both:
        return span_list(both, zone)
    first = min(max(s1, s2) for s1, e1 in a for s2, e2 in b if s1 < e2 and s2 < e1)
    return f"for under a minute at {first.astimezone(zone):%H:%M}"


def check_blocks(
    first: str,
    first_intervals: Sequence[Interval],
    second: str,
    second_intervals: Sequence[Interval],
    zone: tzinfo,
    billed_minutes: Mapping[str, int] | None = None,
) -> BlockCheck:
    """Are ``first`` and ``second`` in distinct blocks? The message is what the therapist reads.

    ``billed_minutes`` (per code) lets the check see how much of a code's time has clock time
    behind it: when more than half of it comes from corrections, the blocks cannot show that
    the services were distinct. No source sets that share; it is ptclock's conservative
    reading of "separate time blocks" (a correction has no clock time to show).
    """
    a, b = merge(first_intervals), merge(second_intervals)
    for code, blocks in ((first, a), (second, b)):
        if not blocks:
            problem = (
                f"{code} was never timed for a full minute (its minutes come from corrections)"
            )
            return BlockCheck(BlockKind.NOT_TIMED, f"no clock time: {problem}", "", problem)
        clock = int(sum((end - start for start, end in blocks), timedelta()).total_seconds() // 60)
        billed = (billed_minutes or {}).get(code, 0)
        if billed and clock * 2 < billed:
            problem = (
                f"only {clock} of {code}'s {billed} minutes were timed "
                "(the rest come from corrections)"
            )
            return BlockCheck(BlockKind.NOT_TIMED, f"too little clock time: {problem}", "", problem)
    evidence = _evidence(((first, a), (second, b)), zone)
    if any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b):
        problem = f"they overlapped {_overlap(a, b, zone)}"
        return BlockCheck(
            BlockKind.OVERLAPPING, f"overlapping time blocks: {evidence}", evidence, problem
        )
    order = [code for _, code in sorted([(s, first) for s, _ in a] + [(s, second) for s, _ in b])]
    if sum(1 for x, y in pairwise(order) if x != y) > 1:
        return BlockCheck(BlockKind.SPLIT, f"split time blocks: {evidence}", evidence)
    touching = any(e1 == s2 for _, e1 in a for s2, _ in b) or any(
        e2 == s1 for _, e2 in b for s1, _ in a
    )
    kind = BlockKind.TOUCHING if touching else BlockKind.DISTINCT
    return BlockCheck(kind, f"separate time blocks: {evidence}", evidence)
