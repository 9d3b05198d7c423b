"""The claim of recorded visits, gathered through the Timekeeper (``claim_desk``): edits
against real blocks, modifiers and overrides, same-day pooling, CQ, KX, and the edit and fee
imports the claim is judged by.

Ported from the per-visit review (``Timekeeper.review``, removed); where that review encoded
what issue 13 calls a defect, the test asserts the claim's behaviour and cites the source
(docs/billing.md lists them).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ptclock.billing import Rule
from ptclock.billing_data import edit_table, fee_schedule, import_edits, import_fees
from ptclock.claim_desk import claim_for_visit_id, modifier_reasons, override_modifier
from ptclock.claims import ClaimLine
from ptclock.settings import Settings
from ptclock.timekeeper import TimekeeperError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, Performer
from tests.helpers import MORNING, keeper


def fees_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "fees.csv"
    path.write_text("code,amount\n" + rows)
    return path


def lines(found: tuple[ClaimLine, ...]) -> list[tuple[str, tuple[str, ...], int, int]]:
    return [(x.code, x.modifiers, x.units, x.minutes) for x in found]


def test_distinct_blocks_suggest_xu_on_the_column_two_code() -> None:
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
    claim = claim_for_visit_id(tk, visit)
    (finding,) = claim.edits
    assert finding.blocks is not None and finding.blocks.supportable
    # The modifier goes on the column-2 code, 97530 (CMS "Proper Use of Modifier 59",
    # Example 9: "CPT code 97530 should not be reported … if … the same time block").
    assert finding.message == (
        "97140 and 97530 are billed together: Medicare pays both only if they were done in "
        "separate time blocks — they were (97530 at 10:02–10:17; 97140 at 10:20–10:35), so XU "
        "is added to 97530."
    )
    assert claim.modifiers_of("97530") == ("GP", "XU")
    assert claim.modifiers_of("97140") == ("GP",)


def test_split_blocks_support_xu_as_in_cms_example_9() -> None:
    # CMS "Proper Use of Modifier 59", Example 9: the time blocks may be split.
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    for code in ("97530", "97140", "97530", "97140"):
        tk.start(code)
        clock.advance(minutes=9)
    tk.stop()
    claim = claim_for_visit_id(tk, visit)
    (finding,) = claim.edits
    assert "they were, in split blocks as CMS's example allows (97530 at 10:00–10:09 and " in (
        finding.message
    )
    assert "XU" in claim.modifiers_of(finding.edit.column2)


def test_overlapping_codes_get_no_59_and_the_column_two_line_is_unpaid(tmp_path: Path) -> None:
    # The review ran both timers the whole 25 minutes and billed 25 minutes of each. Timed
    # minutes are one-on-one minutes, an overlapping minute counted once (issue 13, defect 3;
    # APTA's one-on-one interpretation [S7]), and a code with 0 units brings no edit (defect
    # 5): so the timers overlap partly here, and both codes keep units of their own.
    # 97530 10:00–10:20 and 97140 10:10–10:45: one-on-one 20 + 25 minutes, 3 units.
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE, concurrent=True)
    import_fees(tk, fees_file(tmp_path, "97530,31.20\n97140,27.50\n"))
    tk.start("97530")
    clock.advance(minutes=10)
    tk.start("97140")  # both run at once: the same time block
    clock.advance(minutes=10)
    tk.stop("97530")
    clock.advance(minutes=25)
    tk.stop()
    claim = claim_for_visit_id(tk, visit)
    assert lines(claim.lines) == [("97530", ("GP",), 1, 20), ("97140", ("GP",), 2, 25)]
    (finding,) = claim.edits
    assert "but they overlapped 10:10–10:20, so 97530 will not be paid" in finding.message
    column1, column2 = finding.edit.column1, finding.edit.column2
    assert "XU" not in claim.modifiers_of(column2)
    (unpaid,) = claim.lines_of(column2)
    assert unpaid.estimated_payment == Decimal("0.00")  # edited out without a modifier
    (paid,) = claim.lines_of(column1)
    fee = {"97530": Decimal("31.20"), "97140": Decimal("27.50")}[column1]
    assert paid.estimated_payment == fee * paid.units


def test_override_adds_a_modifier_with_a_reason() -> None:
    tk = keeper()
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97530", 15, "timer forgotten")
    tk.add_minutes("97140", 15, "timer forgotten")
    with pytest.raises(TimekeeperError, match="needs a reason"):
        override_modifier(tk, "97140", "59", True, " ", visit)
    override_modifier(tk, "97140", "59", True, "separate session, see paper log", visit)
    override_modifier(tk, "97530", "GP", False, "billed by the OT department", visit)
    claim = claim_for_visit_id(tk, visit)
    assert claim.modifiers_of("97140") == ("GP", "59")
    assert claim.modifiers_of("97530") == ()
    (added,) = [m for m in modifier_reasons(tk, claim) if m.modifier == "59"]
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
    claim = claim_for_visit_id(tk, second)
    # The review only noted the pool beside each visit's own line of 1 unit (issue 13,
    # defect 9). The count is per date of service (Pub. 100-04 ch. 5 §20.2) and a timed code
    # goes on one line per date (First Coast [S1]): one line of 40 minutes, 3 units.
    assert claim.visit_ids == (first, second)
    assert lines(claim.lines) == [("97110", ("GP",), 3, 40)]
    assert (claim.billing.timed_minutes, claim.billing.total_units) == (40, 3)
    assert (
        "Same-day pooling (CMS): the visits of 10:00 and 14:20 are billed as one: 40 timed "
        "minutes make 3 units (billed apart they would make 2 units), because the 8-minute "
        "rule counts a date's timed minutes together — nothing to change."
    ) in claim.warnings
    assert claim_for_visit_id(tk, first) == claim


def test_no_pooling_across_patients_or_under_ama() -> None:
    tk = keeper()
    first = tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97110", 20, "x")
    other = tk.new_visit("Grace", Payer.MEDICARE)
    tk.add_minutes("97110", 20, "x", other)
    assert claim_for_visit_id(tk, other).visit_ids == (other,)
    ama = tk.new_visit("Ada", rule=Rule.AMA)
    tk.add_minutes("97110", 20, "x", ama)
    claim = claim_for_visit_id(tk, ama)
    assert (claim.visit_ids, claim.rule) == ((ama,), Rule.AMA)
    assert claim_for_visit_id(tk, first).visit_ids == (first,)
    assert not any("Same-day pooling" in warning for warning in claim.warnings)


def test_assistant_time_over_ten_percent_gets_cq_at_85_percent(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    import_fees(tk, fees_file(tmp_path, "97110,30.00\n"))
    tk.start("97110")
    clock.advance(minutes=20)
    tk.start("97110", performer=Performer.PTA)  # already running: same segment continues
    tk.stop()
    tk.start("97110", performer=Performer.PTA)
    clock.advance(minutes=3)
    tk.stop()
    tally = tk.tally(visit)
    assert tally.code("97110").assistant_seconds == 180
    claim = claim_for_visit_id(tk, visit)
    # The review put CQ on the whole line (both units at 85%, $51.00). The 10% de minimis
    # standard applies to each 15-minute unit (issue 13, defect 7; CMS [S15], APTA [S16]):
    # the PT's first 15 minutes are a unit without CQ; in the unit left (PT 5, PTA 3
    # minutes) the PTA's part is over 10%, so that unit alone carries CQ.
    assert [(x.modifiers, x.units, x.estimated_payment) for x in claim.lines] == [
        (("GP",), 1, Decimal("30.00")),
        (("GP", "CQ"), 1, Decimal("25.50")),  # $30 × 85%
    ]
    assert claim.total_payment == Decimal("55.50")
    (cq,) = [m for m in modifier_reasons(tk, claim) if m.modifier == "CQ"]
    assert cq.why == (
        "A PT assistant furnished more than 10% of 1 of the 2 units (judged per 15-minute "
        "unit); Medicare pays 85% for them."
    )


def test_student_time_is_not_billable_and_says_so() -> None:
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    visit = tk.new_visit("Ada", Payer.MEDICARE)
    tk.start("97110", performer=Performer.STUDENT)
    clock.advance(minutes=12)
    tk.stop()
    line = tk.tally(visit).code("97110")
    assert (line.seconds, line.student_seconds, line.units) == (0, 720, 0)
    claim = claim_for_visit_id(tk, visit)
    assert claim.lines == ()
    assert "97110: 12 student minutes are not billable and are left out." in claim.warnings


def test_kx_threshold_approach_and_crossing(tmp_path: Path) -> None:
    clock = FakeClock(MORNING)
    settings = Settings()
    settings.kx_thresholds[2026] = Decimal("100.00")
    tk = keeper(clock, settings=settings)
    import_fees(tk, fees_file(tmp_path, "97110,30.00\n"))
    visits = []
    for _ in range(4):
        visits.append(tk.new_visit("Ada", Payer.MEDICARE))
        tk.add_minutes("97110", 15, "x")
        tk.end()
        clock.advance(minutes=24 * 60)
    statuses = [claim_for_visit_id(tk, v).kx for v in visits]
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
    last = claim_for_visit_id(tk, visits[-1])
    assert "KX" in last.modifiers_of("97110")
    assert "KX threshold passed: $120.00 of $100.00" in " ".join(last.warnings)
    assert "KX" not in claim_for_visit_id(tk, visits[0]).modifiers_of("97110")


def test_a_malformed_import_leaves_the_table_in_force(tmp_path: Path) -> None:
    tk = keeper()
    good = tmp_path / "ptp.txt"
    good.write_text("Title\n97530\t97116\t\t20200101\t*\t0\tx\n")
    assert import_edits(tk, good).kept == 1
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n97530\t97140\t\t20200101\t*\t1\tx\n97110\t97112\t\tsoon\t*\t1\tx\n")
    with pytest.raises(TimekeeperError, match=r"bad\.txt, line 3: effective date 'soon'"):
        import_edits(tk, bad)
    table = edit_table(tk)
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
    import_fees(tk, fees_file(tmp_path, "97140,27.50\n"))
    with pytest.raises(TimekeeperError, match=says):
        import_fees(tk, fees_file(tmp_path, rows))
    assert [(f.code, f.amount) for f in fee_schedule(tk).fees] == [("97140", Decimal("27.50"))]


def test_fee_by_payer_and_year(tmp_path: Path) -> None:
    tk = keeper()
    path = tmp_path / "fees.csv"
    path.write_text(
        "code,amount,payer,year\n97110,29.82,,2023\n97110,28.82,,2026\n97110,35.00,commercial,\n"
    )
    import_fees(tk, path)
    schedule = fee_schedule(tk)
    asked = [("medicare", 2026), ("commercial", 2026), ("medicare", 2024)]
    found = [schedule.fee("97110", payer, year) for payer, year in asked]
    assert [fee.amount if fee else None for fee in found] == [
        Decimal("28.82"),
        Decimal("35.00"),
        None,
    ]
