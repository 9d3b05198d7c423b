"""Workstations for the clinic tests: each a data folder of its own, with visits recorded
on a fake clock (the clinic sees their records as a real workstation's)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pytest

from ptclock.paths import DATABASE_NAME
from ptclock.settings import Settings
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.helpers import MORNING, keeper, run


def workstation(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    return folder


def on(folder: Path, provider: str, npi: str, clock: FakeClock | None = None) -> Timekeeper:
    """A timekeeper on the workstation's own store (close its store when done)."""
    settings = Settings(provider=provider, credentials="PT", npi=npi)
    return keeper(clock=clock or FakeClock(MORNING), path=folder / DATABASE_NAME, settings=settings)


def treat(
    folder: Path,
    provider: str,
    patient: str,
    mrn: str,
    minutes: Iterable[tuple[str, int]],
    *,
    start: datetime = MORNING,
    npi: str = "1234567893",
    payer: Payer = Payer.MEDICARE,
    end: bool = True,
) -> int:
    """One visit on ``folder``'s workstation: each code timed for its minutes in turn."""
    tk = on(folder, provider, npi, FakeClock(start))
    try:
        visit = tk.new_visit(patient, payer=payer, mrn=mrn)
        for code, length in minutes:
            tk.start(code)
            tk.clock.advance(minutes=length)
            tk.stop(code)
        if end:
            tk.end()
        return visit
    finally:
        tk.store.close()


def cli(capsys: pytest.CaptureFixture[str], folder: Path, *argv: str) -> tuple[int, str, str]:
    return run(capsys, "--data-dir", str(folder), *argv)


def clinic_claims(capsys: pytest.CaptureFixture[str], folder: Path, day: str) -> dict:  # type: ignore[type-arg]
    status, out, err = cli(capsys, folder, "claim", "--date", day, "--clinic", "--json")
    assert status == 0, err
    return json.loads(out)  # type: ignore[no-any-return]
