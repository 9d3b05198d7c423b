"""Who is treating whom now, across the clinic (the window's "Clinic today")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ptclock.clinic.server_schema import SCHEMA

_NOW = f"""
    WITH day_visits AS (
        SELECT DISTINCT ON (visit) visit, origin, patient, body
        FROM {SCHEMA}.records WHERE kind = 'visit' AND day = %(day)s
        ORDER BY visit, seq DESC
    ), ended AS (
        SELECT body->>'segment' AS segment FROM {SCHEMA}.records
        WHERE kind = 'segment_end' AND day = %(day)s
    )
    SELECT
        coalesce(w.name, ''),
        v.body->>'provider',
        coalesce((SELECT p.body->>'name' FROM {SCHEMA}.records p
                  WHERE p.kind = 'patient' AND p.patient = v.patient
                  ORDER BY p.received_at DESC, p.seq DESC LIMIT 1), ''),
        v.body->>'status',
        v.body->>'started_at',
        coalesce((SELECT array_agg((s.body->>'code') || ' ' || (s.body->>'started_at')
                                   ORDER BY s.seq)
                  FROM {SCHEMA}.records s
                  WHERE s.kind = 'segment_start' AND s.day = %(day)s AND s.visit = v.visit
                    AND s.body->>'segment' NOT IN (SELECT segment FROM ended)), '{{}}')
    FROM day_visits v
    LEFT JOIN {SCHEMA}.workstations w ON w.origin = v.origin
    WHERE v.body->>'status' <> 'ended'
    ORDER BY v.body->>'started_at'
"""


@dataclass(frozen=True)
class Treating:
    """A visit not ended today, somewhere in the clinic."""

    workstation: str
    provider: str
    patient: str
    status: str
    """open or paused."""
    started_at: datetime
    running: tuple[tuple[str, datetime], ...]
    """The codes whose timers run, with when each started (on that workstation's clock)."""


def treating_now(connection: Any, day: date) -> list[Treating]:
    found = []
    for workstation, provider, patient, status, started, running in connection.execute(
        _NOW, {"day": day}
    ):
        timers = []
        for entry in running:
            code, _, since = str(entry).partition(" ")
            timers.append((code, datetime.fromisoformat(since)))
        found.append(
            Treating(
                workstation,
                provider or "",
                patient,
                status,
                datetime.fromisoformat(started),
                tuple(timers),
            )
        )
    return found
