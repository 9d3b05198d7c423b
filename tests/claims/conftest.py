"""Claim scenarios run through the ``ptclock`` command in-process, on one fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from ptclock.billing import Rule
from ptclock.billing.edits import EditTable, shipped_edits
from ptclock.billing.money import FeeSchedule
from ptclock.claims import ClaimRules
from ptclock.settings import Settings
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, Performer, Segment, Visit, VisitRecord, VisitStatus
from ptclock.timing.tally import VisitTally, tally
from tests.helpers import CATALOG, MORNING, ok

RULES = ClaimRules(
    CATALOG, EditTable(shipped_edits(CATALOG)), FeeSchedule([]), Settings().kx_thresholds
)

Cli = Callable[..., str]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """One fake clock for every ``ptclock`` command of the test (10:00 New York)."""
    fake = FakeClock(MORNING)
    monkeypatch.setattr("ptclock.assembly.SystemClock", lambda: fake)
    return fake


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], clock: FakeClock) -> Cli:
    """Run ``ptclock ARGS...``; it must succeed; its stdout."""

    def run(*argv: str) -> str:
        return ok(capsys, *argv)

    return run


def claims(cli: Cli, *argv: str) -> dict[str, Any]:
    """``ptclock claim --json [ARGS...]`` as data."""
    data: dict[str, Any] = json.loads(cli("claim", "--json", *argv))
    return data


def line(
    code: str, modifiers: list[str], units: int, minutes: int, payment: str | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": modifiers,
        "units": units,
        "minutes": minutes,
        "estimated_payment": payment,
    }


def claim(
    visits: list[int],
    lines: list[dict[str, Any]],
    warnings: list[str] | None = None,
    *,
    patient: str = "Ada Lovelace",
    mrn: str = "",
    payer: str = "medicare",
    rule: str = "cms",
) -> dict[str, Any]:
    return {
        "patient": patient,
        "mrn": mrn,
        "payer": payer,
        "rule": rule,
        "visits": visits,
        "lines": lines,
        "warnings": warnings or [],
    }


def day(*found: dict[str, Any], date: str = "2026-11-27") -> dict[str, Any]:
    return {"date_of_service": date, "claims": list(found)}


def fees(tmp_path: Path, text: str) -> str:
    """A fee schedule file (the header and rows as given); its path for ``fees import``."""
    path = tmp_path / "fees.csv"
    path.write_text(text)
    return str(path)


def timed(cli: Cli, clock: FakeClock, code: str, minutes: float, *extra: str) -> None:
    """Run ``code``'s timer for ``minutes`` of clock time, then stop it."""
    cli("timer", "start", code, *extra)
    clock.advance(minutes=minutes)
    visit = [extra[i + 1] for i, arg in enumerate(extra) if arg == "--visit"]
    cli("timer", "stop", code, *(["--visit", visit[0]] if visit else []))


def record(
    visit_id: int,
    segments: Sequence[tuple[Any, ...]],
    *,
    started: int = 0,
    concurrent: bool = False,
    payer: Payer = Payer.MEDICARE,
    rule: Rule = Rule.CMS,
    patient_id: int = 1,
) -> VisitRecord:
    """A stored visit without the store: ``segments`` are (id, code, from minute, to minute
    [, performer]) counted from MORNING."""
    at = MORNING + timedelta(minutes=started)
    visit = Visit(
        visit_id,
        "Ada Lovelace",
        payer,
        "",
        at.date(),
        "America/New_York",
        rule,
        VisitStatus.ENDED,
        at,
        MORNING + timedelta(hours=1),
        concurrent,
        patient_id=patient_id,
    )
    return VisitRecord(
        visit,
        tuple(
            Segment(
                seg_id,
                visit_id,
                code,
                MORNING + timedelta(minutes=begin),
                MORNING + timedelta(minutes=end),
                rest[0] if rest else Performer.PT,
            )
            for seg_id, code, begin, end, *rest in segments
        ),
    )


def tally_of(visit: VisitRecord) -> VisitTally:
    return tally(visit, MORNING + timedelta(hours=2), CATALOG)
