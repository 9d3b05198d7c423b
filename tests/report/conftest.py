"""A clinic morning recorded through the domain API with a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from ptclock.settings import Settings
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.helpers import MORNING, keeper

CLINIC = Settings(
    provider="Jordan Lee",
    credentials="PT, DPT",
    npi="1234567893",
    clinic_name="Riverside Physical Therapy",
    clinic_address="12 Mill Street\nSpringfield",
)


def morning_visit(tk: Timekeeper, clock: FakeClock, patient: str = "Ada Lovelace") -> int:
    """10:00 97110 for 14 min, 10:14 97140 for 9 min, 10:23 97110 again 10 min; a correction."""
    visit = tk.new_visit(patient, Payer.MEDICARE)
    tk.start("97110")
    clock.advance(minutes=14)
    tk.start("97140")
    clock.advance(minutes=9)
    tk.start("97110")
    clock.advance(minutes=10)
    tk.stop()
    tk.add_minutes("97140", 3, "manual therapy began before the timer")
    tk.set_code_note(
        "97110", body_part="left knee", exercises="SLR 3×10, 2 lb", goal="climb stairs at home"
    )
    tk.set_visit_note("Tolerated well.")
    tk.end()
    return visit


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def clinic(clock: FakeClock, tmp_path: Path) -> Timekeeper:
    return keeper(clock, settings=CLINIC, path=tmp_path / "ptclock.sqlite3")


def pdf_text(path: Path) -> str:
    """All the text a reader can extract, with layout whitespace collapsed."""
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
