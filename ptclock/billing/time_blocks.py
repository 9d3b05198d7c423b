"""Whether two codes were performed in distinct time blocks: the evidence a 59/XU needs.

An NCCI edit with modifier indicator 1 may be bypassed only when the two services were
separate (BILLING_RULES.md, "Edits and modifiers": "97140 with 97530 … need 59 in separate
15-minute blocks"). ptclock knows each code's clock times, so it checks what an EMR cannot:
no overlap, no interleaving (A, B, A), and each block long enough to stand as its own unit
(8 minutes, the first unit's threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import Enum
from itertools import pairwise

from ptclock.billing.unit_table import FIRST_UNIT_AT

Interval = tuple[datetime, datetime]


class BlockKind(str, Enum):
    DISTINCT = "distinct"
    TOUCHING = "touching"
    OVERLAPPING = "overlapping"
    INTERLEAVED = "interleaved"
    TOO_SHORT = "too short"
    NOT_TIMED = "no timer blocks"


@dataclass(frozen=True)
class BlockCheck:
    kind: BlockKind
    message: str

    @property
    def supportable(self) -> bool:
        return self.kind in (BlockKind.DISTINCT, BlockKind.TOUCHING)


def merge(intervals: Sequence[Interval]) -> list[Interval]:
    """One code's intervals joined where they touch or overlap (a timer split by a clock fix)."""
    blocks: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if blocks and start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], end))
        else:
            blocks.append((start, end))
    return blocks


def _text(blocks: list[Interval], zone: tzinfo) -> str:
    return ", ".join(
        f"{a.astimezone(zone).strftime('%H:%M')}–{b.astimezone(zone).strftime('%H:%M')}"
        for a, b in blocks
    )


def check_blocks(
    first: str,
    first_intervals: Sequence[Interval],
    second: str,
    second_intervals: Sequence[Interval],
    zone: tzinfo,
) -> BlockCheck:
    """Are ``first`` and ``second`` in distinct blocks? The message is what the therapist reads."""
    a, b = merge(first_intervals), merge(second_intervals)
    for code, blocks in ((first, a), (second, b)):
        if not blocks:
            return BlockCheck(
                BlockKind.NOT_TIMED,
                f"not supportable: {code} has no timer "
                "blocks (its time comes from corrections only)",
            )
    both = f"{_text(a, zone)} vs {_text(b, zone)}"
    if any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b):
        return BlockCheck(BlockKind.OVERLAPPING, f"not supportable: overlapping ({both})")
    order = [code for _, code in sorted([(s, first) for s, _ in a] + [(s, second) for s, _ in b])]
    switches = sum(1 for x, y in pairwise(order) if x != y)
    if switches > 1:
        return BlockCheck(BlockKind.INTERLEAVED, f"not supportable: interleaved ({both})")
    shortest = min(a + b, key=lambda block: block[1] - block[0])
    if shortest[1] - shortest[0] < timedelta(minutes=FIRST_UNIT_AT):
        return BlockCheck(
            BlockKind.TOO_SHORT,
            f"not supportable: the block {_text([shortest], zone)} is under {FIRST_UNIT_AT} "
            f"minutes ({both})",
        )
    touching = any(e1 == s2 for _, e1 in a for s2, _ in b) or any(
        e2 == s1 for _, e2 in b for s1, _ in a
    )
    kind = BlockKind.TOUCHING if touching else BlockKind.DISTINCT
    return BlockCheck(kind, f"59/XU supportable: {both}")
