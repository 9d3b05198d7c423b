"""The report model: figures, time blocks, modifiers, corrections, and the day's clock time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ptclock.claim_desk import claim_for_visit_id, claims_on
from ptclock.report.csv_export import day_csv
from ptclock.report.model import (
    ClaimSummary,
    Provider,
    claim_summary,
    covered_and_overlap,
    day_summary,
    visit_summary,
)
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.report.conftest import CLINIC, morning_visit

PROVIDER = Provider.from_settings(CLINIC)


def claim_of(tk: Timekeeper, visit: int) -> ClaimSummary:
    return claim_summary(claim_for_visit_id(tk, visit), [PROVIDER])


def test_visit_summary_figures(clinic: Timekeeper, clock: FakeClock) -> None:
    visit = morning_visit(clinic, clock)
    summary = visit_summary(clinic.tally(visit), PROVIDER, claim_of(clinic, visit))
    assert (summary.timed_minutes, summary.treatment_minutes, summary.total_units) == (36, 36, 2)
    assert (summary.start_time, summary.end_time) == ("10:00", "10:33")
    lines = {line.code: line for line in summary.lines}
    assert lines["97110"].blocks == ("10:00–10:14", "10:23–10:33")
    assert lines["97140"].blocks == ("10:14–10:23",)
    assert (lines["97110"].minutes, lines["97140"].minutes) == (24, 12)
    # 36 timed minutes are 2 units: 97110 gets its full unit, and 97140's 12 remaining
    # minutes beat 97110's 9 for the second (Pub. 100-04 ch. 5 §20.2).
    claim = summary.claim
    assert [(c.code, c.modifiers, c.units, c.minutes) for c in claim.lines] == [
        ("97110", ("GP",), 1, 24),
        ("97140", ("GP",), 1, 12),
    ]
    assert claim.allocations == (
        "97110: 24 min — 1 full 15-minute unit",
        "97140: 12 min — 1 unit for its remaining minutes",
    )
    assert summary.other_visits == ()
    assert lines["97110"].goal == "climb stairs at home"
    (correction,) = summary.corrections
    assert (correction.at, correction.code, correction.change) == ("10:33", "97140", "+3 min")
    assert summary.provider.signature_name == "Jordan Lee, PT, DPT"


def test_gp_only_for_medicare(clinic: Timekeeper) -> None:
    visit = clinic.new_visit("Grace", Payer.COMMERCIAL)
    clinic.add_minutes("97110", 10, "x")
    summary = visit_summary(clinic.tally(visit), PROVIDER, claim_of(clinic, visit))
    assert summary.claim.lines[0].modifiers == ()
    assert summary.rule.value == "ama"
    assert summary.claim.allocations == ("97110: 10 min — counted alone: 1 unit",)


def test_day_summary_and_csv(clinic: Timekeeper, clock: FakeClock) -> None:
    morning_visit(clinic, clock, "Ada")
    morning_visit(clinic, clock, 'Grace, "Gracie" Hopper')
    day_of_service = date(2026, 11, 27)
    tallies = [clinic.tally(v.id) for v in clinic.store.visits_on(day_of_service)]
    claims = [claim_summary(c, [PROVIDER]) for c in claims_on(clinic, day_of_service)]
    day = day_summary(day_of_service, tallies, PROVIDER, claims)
    assert [(c.patient, c.visit_ids, c.total_units) for c in day.claims] == [
        ("Ada", (1,), 2),
        ('Grace, "Gracie" Hopper', (2,), 2),
    ]
    assert (day.timed_minutes, day.total_units, day.covered_minutes) == (72, 4, 66)
    assert day.overlap_minutes == 0
    assert "exceed the clock time covered by timers" in day.warnings[0]
    text = day_csv(day)
    assert text.endswith("\r\n")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [(r["patient"], r["code"], r["units"], r["modifiers"]) for r in rows] == [
        ("Ada", "97110", "1", "GP"),
        ("Ada", "97140", "1", "GP"),
        ('Grace, "Gracie" Hopper', "97110", "1", "GP"),
        ('Grace, "Gracie" Hopper', "97140", "1", "GP"),
    ]
    assert rows[0]["npi"] == "1234567893" and rows[0]["provider"] == "Jordan Lee"
    assert rows[0]["rule"] == "cms" and rows[0]["minutes"] == "24"
    assert (rows[0]["payer"], rows[0]["visits"], rows[2]["visits"]) == ("medicare", "1", "2")


def test_csv_cells_never_run_as_formulas(clinic: Timekeeper) -> None:
    visit = clinic.new_visit('=HYPERLINK("x")', Payer.MEDICARE)
    clinic.add_minutes("97110", 10, "x")
    claim = claim_of(clinic, visit)
    day = day_summary(date(2026, 11, 27), [clinic.tally(visit)], PROVIDER, [claim])
    assert "'=HYPERLINK" in day_csv(day)


def test_covered_time_counts_overlaps_once() -> None:
    t = datetime(2026, 11, 27, 15, tzinfo=timezone.utc)
    minute = timedelta(minutes=1)
    covered, overlap = covered_and_overlap(
        [
            (t, t + 10 * minute),
            (t + 5 * minute, t + 20 * minute),
            (t + 30 * minute, t + 31 * minute),
        ]
    )
    assert (covered, overlap) == (21, 5)


def test_a_claim_shared_with_another_provider_is_no_false_correction_warning(
    clinic: Timekeeper, clock: FakeClock
) -> None:
    """Lee and Kim both treat Ada on one install: the day's claim pools their minutes. Lee's
    day checks those minutes against both their timers' clock time, not Lee's alone."""
    from dataclasses import replace

    from ptclock.report.export import day_model

    clinic.new_visit("Ada Lovelace", Payer.MEDICARE, mrn="A1")
    clinic.start("97110")
    clock.advance(minutes=6)
    clinic.end()
    clinic.settings = replace(clinic.settings, provider="Sam Kim", npi="1245319599")
    clinic.new_visit("Ada Lovelace", Payer.MEDICARE, mrn="A1")
    clinic.start("97140")
    clock.advance(minutes=5)
    clinic.end()
    lee = day_model(clinic, date(2026, 11, 27), PROVIDER)
    (claim,) = lee.claims
    assert claim.timed_minutes == 11 and lee.covered_minutes == 11
    assert lee.warnings == ()
