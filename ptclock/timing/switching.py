"""Which running timers a start stops: one therapist cannot bill two things for one minute.

One-on-one (the default): starting a code stops every other running code of the same
therapist — in the same visit and in their other open visits, because one therapist
cannot bill two patients for the same minute. A visit set to concurrent keeps its own
other timers running (e.g. an untimed supervised modality beside a timed code); timers
in the therapist's other visits still stop.
"""

from __future__ import annotations

from collections.abc import Iterable

from ptclock.timing.records import Segment, Visit


def segments_to_stop(
    visit: Visit, code: str, running: Iterable[tuple[Visit, Segment]]
) -> list[Segment]:
    """Running segments (of this provider's open visits) that starting ``code`` must stop."""
    stop = []
    for other_visit, segment in running:
        if other_visit.provider != visit.provider or not segment.running:
            continue
        if other_visit.id == visit.id and (segment.code == code or visit.concurrent):
            continue
        stop.append(segment)
    return stop
