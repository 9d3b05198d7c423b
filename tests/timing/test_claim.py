"""The claim review of recorded visits: edits against real blocks, modifiers, pooling, money."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ptclock.billing import Rule
from ptclock.settings import Settings
from ptclock.timekeeper import TimekeeperError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, Performer
from tests.helpers import MORNING, keeper


def fees_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "fees.csv"
    path.write_text("code,amount\n" + rows)
    return path


def test_distinct_blocks_suggest_xu_on_the_column_two_code(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    clock.advance(minutes=2)
    tk.start("97530")
    clock.advance(minutes=15)
    tk.stop()
    clock.advance(minutes=3)
    tk.start("97140")
    clock.advance(minutes=15)
    tk.stop()
    claim = tk.review(visit)
    (finding,) = claim.edits
    assert finding.blocks is not None and finding.blocks.supportable
    # The modifier goes on the column-2 code, 97530 (CMS "Proper Use of Modifier 59",
    # Example 9: "CPT code 97530 should not be reported … if … the same time block").
    assert "59/XU supportable: 10:20–10:35 vs 10:02–10:17" in finding.message
    assert claim.modifiers_of("97530") == ("GP", "XU")
    assert claim.modifiers_of("97140") == ("GP",)


def test_split_blocks_support_xu_as_in_cms_example_9(tmp_path: Path) -> None:
    # CMS "Proper Use of Modifier 59", Example 9: the time blocks may be split.
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    for code in ("97530", "97140", "97530", "97140"):
        tk.start(code)
        clock.advance(minutes=9)
    tk.stop()
    (finding,) = tk.review(visit).edits
    assert "59/XU supportable (split blocks)" in finding.message
    assert "XU" in tk.review(visit).modifiers_of(finding.edit.column2)


def test_overlapping_codes_get_no_59_and_the_column_two_line_is_unpaid(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE, concurrent=True)
    tk.import_fees(fees_file(tmp_path, "97530,31.20\n97140,27.50\n"))
    tk.start("97530")
    tk.start("97140")  # both run at once: the same time block
    clock.advance(minutes=25)
    tk.stop()
    claim = tk.review(visit)
    (finding,) = claim.edits
    assert "not supportable: overlapping" in finding.message
    column1, column2 = finding.edit.column1, finding.edit.column2
    assert "XU" not in claim.modifiers_of(column2)
    assert claim.payments[column2] == Decimal("0.00")  # edited out without a modifier
    fee = {"97530": Decimal("31.20"), "97140": Decimal("27.50")}[column1]
    assert claim.payments[column1] == fee * tk.tally(visit).code(column1).units


def test_override_adds_a_modifier_with_a_reason(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97530", 15, "timer forgotten")
    tk.add_minutes("97140", 15, "timer forgotten")
    with pytest.raises(TimekeeperError, match="needs a reason"):
        tk.override_modifier("97140", "59", True, " ", visit)
    tk.override_modifier("97140", "59", True, "separate session, see paper log", visit)
    tk.override_modifier("97530", "GP", False, "billed by the OT department", visit)
    claim = tk.review(visit)
    assert claim.modifiers_of("97140") == ("GP", "59")
    assert claim.modifiers_of("97530") == ()
    (added,) = [m for m in claim.modifiers if m.modifier == "59"]
    assert added.overridden and "separate session" in added.why
    assert tk.store.audit_trail(visit)[-1].after["reason"] == "billed by the OT department"


def test_same_day_visits_pool_under_cms() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    first = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110")
    clock.advance(minutes=20)
    tk.end()
    clock.advance(minutes=240)
    second = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110")
    clock.advance(minutes=20)
    tk.end()
    assert tk.tally(first).billing.total_units == 1
    assert tk.tally(second).billing.total_units == 1
    pool = tk.review(second).pool
    assert pool is not None
    assert (pool.billing.timed_minutes, pool.total_units, pool.visits_units) == (40, 3, 2)
    assert pool.difference == 1
    assert "visits 1, 2 together have 40 timed minutes: 3 units" in pool.message
    assert tk.review(first).pool == pool


def test_no_pooling_across_patients_or_under_ama() -> None:
    tk = keeper()
    tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97110", 20, "x")
    other = tk.new_visit("Grace", Payer.MEDICARE)
    tk.add_minutes("97110", 20, "x", other)
    assert tk.review(other).pool is None
    commercial = tk.new_visit("Ada", rule=Rule.AMA)
    tk.add_minutes("97110", 20, "x", commercial)
    assert tk.review(commercial).pool is None


def test_assistant_time_over_ten_percent_gets_cq_at_85_percent(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.import_fees(fees_file(tmp_path, "97110,30.00\n"))
    tk.start("97110")
    clock.advance(minutes=20)
    tk.start("97110", performer=Performer.PTA)  # already running: same segment continues
    tk.stop()
    tk.start("97110", performer=Performer.PTA)
    clock.advance(minutes=3)
    tk.stop()
    tally = tk.tally(visit)
    assert tally.code("97110").assistant_seconds == 180
    claim = tk.review(visit)
    assert "CQ" in claim.modifiers_of("97110")
    assert claim.payments["97110"] == Decimal("51.00")  # 2 units × $30 × 85%
    (cq,) = [m for m in claim.modifiers if m.modifier == "CQ"]
    assert cq.why == "A PT assistant furnished 3 of 23 minutes (more than 10%); Medicare pays 85%."


def test_student_time_is_not_billable_and_says_so() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110", performer=Performer.STUDENT)
    clock.advance(minutes=12)
    tk.stop()
    line = tk.tally(visit).code("97110")
    assert (line.seconds, line.student_seconds, line.units) == (0, 720, 0)
    claim = tk.review(visit)
    assert "97110: 12 student minutes are not billable and are left out." in claim.warnings


def test_kx_threshold_approach_and_crossing(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    settings = Settings()
    settings.kx_thresholds[2026] = Decimal("100.00")
    tk = keeper(clock, settings=settings)
    tk.import_fees(fees_file(tmp_path, "97110,30.00\n"))
    visits = []
    for _ in range(4):
        visits.append(tk.new_visit("Ada", Payer.MEDICARE))
        tk.add_minutes("97110", 15, "x")
        tk.end()
        clock.advance(minutes=24 * 60)
    statuses = [tk.review(v).kx for v in visits]
    assert [s.year_to_date for s in statuses if s] == [
        Decimal(30),
        Decimal(60),
        Decimal(90),
        Decimal(120),
    ]
    assert [(s.approaching, s.passed) for s in statuses if s] == [
        (False, False),
        (False, False),
        (True, False),
        (False, True),
    ]
    last = tk.review(visits[-1])
    assert "KX" in last.modifiers_of("97110")
    assert "KX threshold passed: $120.00 of $100.00" in " ".join(last.warnings)
    assert "KX" not in tk.review(visits[0]).modifiers_of("97110")


def test_a_malformed_import_leaves_the_table_in_force(tmp_path: Path) -> None:
    tk = keeper()
    good = tmp_path / "ptp.txt"
    good.write_text("Title\n97530\t97116\t\t20200101\t*\t0\tx\n")
    assert tk.import_edits(good).kept == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n97530\t97140\t\t20200101\t*\t1\tx\n97110\t97112\t\tsoon\t*\t1\tx\n")
    with pytest.raises(TimekeeperError, match=r"bad\.txt, line 3: effective date 'soon'"):
        tk.import_edits(bad)
    table = tk.edit_table()
    assert [(e.column1, e.column2, e.modifier) for e in table.edits] == [("97530", "97116", 0)]


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ("97110,-3\n", "must be 0 or more"),
        ("97110,abc\n", "not a number"),
        ("9711,30\n", "unknown code '9711'"),
        ("97110,30\n97110,31\n", "listed twice"),
        ("97110,30.001\n", "in cents"),
    ],
)
def test_bad_fee_files_change_nothing(tmp_path: Path, rows: str, says: str) -> None:
    tk = keeper()
    tk.import_fees(fees_file(tmp_path, "97140,27.50\n"))
    with pytest.raises(TimekeeperError, match=says):
        tk.import_fees(fees_file(tmp_path, rows))
    assert [(f.code, f.amount) for f in tk.fee_schedule().fees] == [("97140", Decimal("27.50"))]


def test_fee_by_payer_and_year(tmp_path: Path) -> None:
    tk = keeper()
    path = tmp_path / "fees.csv"
    path.write_text(
        "code,amount,payer,year\n97110,29.82,,2023\n97110,28.82,,2026\n97110,35.00,commercial,\n"
    )
    tk.import_fees(path)
    schedule = tk.fee_schedule()
    assert schedule.amount("97110", "medicare", 2026) == Decimal("28.82")
    assert schedule.amount("97110", "commercial", 2026) == Decimal("35.00")
    assert schedule.amount("97110", "medicare", 2024) is None
