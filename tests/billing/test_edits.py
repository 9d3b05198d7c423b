"""NCCI PTP edits: the shipped pairs, indicators, dates, and the CMS file import."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ptclock.billing import load_catalog
from ptclock.billing.edits import (
    EditFileError,
    EditFinding,
    EditTable,
    PtpEdit,
    parse_cms_ptp,
    parse_pairs_csv,
    parse_sources,
    shipped_edits,
    shipped_sources,
    source_keys,
)
from ptclock.billing.time_blocks import check_blocks

CATALOG = load_catalog()
TODAY = date(2026, 11, 27)


def shipped_rows() -> list[dict[str, str]]:
    text = resources.files("ptclock.resources").joinpath("ncci_pairs.csv").read_text()
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


# (column 1, column 2): the code that is paid, then the code that carries 59/XU.
REQUIRED = [
    # CMS MLN1783722 "Proper Use of Modifiers 59, XE, XP, XS & XU", Example 9: "CPT code
    # 97530 should not be reported" without distinct time: 97530 is column 2 (issue 13, #4).
    ("97140", "97530"),
    # AAPC PM&R Coding Alert, "Get Confident With Your Modifier 59 Placement": 59 on 97140,
    # the column-2 code, against mechanical traction 97012.
    ("97012", "97140"),
    # Coding Ahead / Massage Today: one or the other; column order unverified (see the note).
    ("97140", "97124"),
    # ADVANCE "What's the correct use of CCI edits and modifier 59?": 97116 and 97110 are
    # components (column 2) of 97530 and 97113.
    ("97530", "97116"),
    ("97113", "97110"),
    # MAC LCD (group and individual codes) and AAPC Eli's Rehab Report: 97150 is paid.
    ("97150", "97110"),
    ("97150", "97112"),
    # APTA "Correct Coding Initiative (CCI)", 2020 update: 59/X for 97140 with an evaluation.
    ("97161", "97140"),
    ("97162", "97140"),
    ("97163", "97140"),
    # First Coast (CO 236) and Elite Learning: 59 goes on the re-evaluation 97164.
    ("97530", "97164"),
    ("97150", "97164"),
]


@pytest.mark.parametrize(("first", "second"), REQUIRED)
def test_each_shipped_pair_applies_in_either_order(first: str, second: str) -> None:
    table = EditTable(shipped_edits(CATALOG))
    for codes in ([first, second], [second, first]):
        (edit,) = table.applying(codes, TODAY)
        assert (edit.column1, edit.column2) == (first, second)
        assert edit.modifier == 1
        assert edit.source and edit.note


def test_every_shipped_row_has_dates_a_note_and_cited_sources() -> None:
    """Issue 13, #4: "The shipped NCCI table has a source column" naming real sources."""
    rows = shipped_rows()
    sources = shipped_sources()
    assert len(rows) == len(shipped_edits(CATALOG)) >= len(REQUIRED)
    for row in rows:
        assert row["effective"] and row["note"], row
        keys = row["source"].split(";")
        assert keys and all(key in sources for key in keys), row
    for citation in sources.values():
        assert "http" in citation  # every source has its address
    used = {key for row in rows for key in row["source"].split(";")}
    # Every source is cited by a row or by the header's column definitions.
    assert set(sources) - used <= {"APTA-2020-01-16"}


def test_no_two_shipped_rows_repeat_a_pair() -> None:
    pairs = [frozenset((e.column1, e.column2)) for e in shipped_edits(CATALOG)]
    assert len(pairs) == len(set(pairs))


def test_old_wrong_column_orders_are_gone() -> None:
    """Issue 13, #4: 59/XU went on the wrong line for these pairs."""
    edits = {(e.column1, e.column2) for e in shipped_edits(CATALOG)}
    for wrong in [("97530", "97140"), ("97140", "97012"), ("97164", "97530"), ("97164", "97150")]:
        assert wrong not in edits


def test_evaluation_and_manual_therapy_edits_begin_in_2020() -> None:
    # APTA "Correct Coding Initiative (CCI)", 2020 update; APTA News 2020-01-02.
    table = EditTable(shipped_edits(CATALOG))
    for evaluation in ("97161", "97162", "97163"):
        assert table.applying([evaluation, "97140"], date(2019, 12, 31)) == []
        (edit,) = table.applying([evaluation, "97140"], date(2020, 1, 1))
        assert edit.effective == date(2020, 1, 1)


def test_deleted_january_2020_evaluation_edits_never_apply() -> None:
    """Elite Learning / APTA 2020-01-24: the evaluation was paid and 97530 or 97150 denied;
    CMS withdrew the edits retroactively, which its file marks with indicator 9 and a
    deletion date equal to the effective date (Tadchiev; tingtau sample rows)."""
    edits = shipped_edits(CATALOG)
    table = EditTable(edits)
    for evaluation in ("97161", "97162", "97163"):
        for other in ("97530", "97150"):
            (row,) = [e for e in edits if {e.column1, e.column2} == {evaluation, other}]
            assert (row.column1, row.column2, row.modifier) == (evaluation, other, 9)
            assert row.deletion == row.effective == date(2020, 1, 1)
            for day in (date(2020, 1, 1), date(2020, 6, 1), TODAY):
                assert table.applying([evaluation, other], day) == []


def test_unsourced_pairs_are_not_shipped() -> None:
    """No source could be found for these (see the file's header): not invented."""
    table = EditTable(shipped_edits(CATALOG))
    for pair in (["97110", "36591"], ["97110", "36592"], ["97110", "96523"]):
        assert table.applying(pair, TODAY) == []


def test_notes_are_read_and_the_note_column_is_optional() -> None:
    header = "column1,column2,modifier,effective,deletion,source,note\n"
    (edit,) = parse_pairs_csv(
        header + "97110,97112,1,2024-01-01,,our rule,Only 97110 is paid\n", CATALOG, "p.csv"
    )
    assert edit.note == "Only 97110 is paid"
    (edit,) = parse_pairs_csv(header + "97110,97112,1,2024-01-01,,our rule\n", CATALOG, "p.csv")
    assert edit.note == ""
    with pytest.raises(EditFileError, match="expected 6 or 7 columns, found 8"):
        parse_pairs_csv(header + "97110,97112,1,2024-01-01,,a,b,c\n", CATALOG, "p.csv")


def test_source_lines_are_read_as_a_key_table() -> None:
    text = "# source ABC-1: A title, 2024. https://example.org/a\n# other comment\ncolumn1\n"
    assert parse_sources(text) == {"ABC-1": "A title, 2024. https://example.org/a"}
    edit = PtpEdit("97110", "97112", 1, date(2024, 1, 1), source="ABC-1; DEF")
    assert source_keys(edit) == ("ABC-1", "DEF")


def test_indicators_and_dates() -> None:
    edits = [
        PtpEdit("97110", "97112", 0, date(2020, 1, 1)),
        PtpEdit("97110", "97116", 9, date(2020, 1, 1)),
        PtpEdit("97110", "97530", 1, date(2024, 1, 1), date(2025, 7, 1)),
    ]
    table = EditTable(edits)
    codes = ["97110", "97112", "97116", "97530"]
    assert [e.column2 for e in table.applying(codes, date(2019, 12, 31))] == []
    assert [e.column2 for e in table.applying(codes, date(2025, 6, 30))] == ["97112", "97530"]
    assert [e.column2 for e in table.applying(codes, date(2025, 7, 1))] == ["97112"]
    assert not edits[0].bypassable and edits[2].bypassable


def test_payer_pairs_apply_only_to_that_payer() -> None:
    table = EditTable([PtpEdit("97110", "97112", 1, date(2020, 1, 1), payer="commercial")])
    assert table.applying(["97110", "97112"], TODAY, "medicare") == []
    assert len(table.applying(["97110", "97112"], TODAY, "commercial")) == 1


PREAMBLE = [
    "CMS National Correct Coding Initiative",
    "Practitioner PTP Edits v322r0 Effective October 1, 2026",
    "",
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date "
    "*=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale",
]


def cms_file(rows: list[str]) -> list[str]:
    return [line + "\n" for line in PREAMBLE + rows]


def test_cms_file_with_preamble_keeps_catalog_codes() -> None:
    rows = [
        "97530\t97140\t\t20200101\t*\t1\tMisuse of column two code with column one code",
        "97140\t97124\t*\t19960101\t*\t1\tStandards of medical / surgical practice",
        "99213\t36415\t\t20100101\t*\t1\tNot a PT pair",
        "97110\t97112\t\t20200101\t20230101\t0\tDeleted example",
    ]
    result = parse_cms_ptp(cms_file(rows), CATALOG, "ptp.txt")
    assert (result.read, result.kept, result.rejected) == (4, 3, 1)
    assert result.edits[0] == PtpEdit(
        "97530",
        "97140",
        1,
        date(2020, 1, 1),
        None,
        "Misuse of column two code with column one code",
    )
    assert result.edits[2].deletion == date(2023, 1, 1)
    assert "4 edits read, 3 kept, 1 rejected" in result.summary


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("97530\t97140\t\t2020-01-01\t*\t1\tx", "effective date"),
        ("97530\t97140\t\t20200101\t*\t2\tx", "must be 0, 1 or 9"),
        ("97530\t97140\t\t20200101\t20190101\t1\tx", "before the effective date"),
        ("97530\t97140\t\t20200101", "expected 7 tab-separated columns"),
        ("garbage line", "expected two codes"),
    ],
)
def test_malformed_cms_row_names_its_line(bad: str, problem: str) -> None:
    good = "97530\t97116\t\t20200101\t*\t1\tx"
    with pytest.raises(EditFileError, match=problem) as caught:
        parse_cms_ptp(cms_file([good, bad]), CATALOG, "ptp.txt")
    assert caught.value.line == len(PREAMBLE) + 2
    assert "ptp.txt, line" in str(caught.value)


def test_a_file_without_edits_is_refused() -> None:
    with pytest.raises(EditFileError, match="no edits found"):
        parse_cms_ptp(["just a title\n", "\n"], CATALOG, "x.txt")


def test_payer_csv_errors() -> None:
    header = "column1,column2,modifier,effective,deletion,source\n"
    with pytest.raises(EditFileError, match="line 2: unknown code '12345'"):
        parse_pairs_csv(header + "97110,12345,1,2024-01-01,,x\n", CATALOG, "p.csv")
    with pytest.raises(EditFileError, match="paired with itself"):
        parse_pairs_csv(header + "97110,97110,1,2024-01-01,,x\n", CATALOG, "p.csv")
    edits = parse_pairs_csv(
        header + "97110,97112,0,2024-01-01,,our rule\n", CATALOG, "p.csv", "commercial"
    )
    assert edits == [PtpEdit("97110", "97112", 0, date(2024, 1, 1), None, "our rule", "commercial")]


def test_million_line_import_streams(tmp_path: Path) -> None:
    """A CMS-size file is read line by line; memory holds only the kept rows."""
    path = tmp_path / "ptp.txt"
    with path.open("w") as out:
        out.writelines(line + "\n" for line in PREAMBLE)
        for number in range(200_000):
            out.write(f"{10000 + number % 89999:05d}\t36415\t\t20100101\t*\t1\tfiller\n")
        out.write("97530\t97140\t\t20200101\t*\t1\tkept\n")
    with path.open() as lines:
        result = parse_cms_ptp(lines, CATALOG, str(path))
    assert (result.read, result.kept) == (200_001, 1)


# -- the sentence the therapist reads ------------------------------------------------------

PAIR = PtpEdit("97140", "97530", 1, date(1996, 1, 1))
NEW_YORK = ZoneInfo("America/New_York")
TEN = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York


def blocks(*spans: tuple[int, int]) -> list[tuple[datetime, datetime]]:
    return [(TEN + timedelta(minutes=a), TEN + timedelta(minutes=b)) for a, b in spans]


def test_an_edit_no_modifier_bypasses_says_the_column_two_code_is_denied() -> None:
    finding = EditFinding(PtpEdit("97530", "97116", 0, date(1996, 1, 1)), None, "Medicare")
    assert finding.message == (
        "97530 and 97116 are billed together: only 97530 is paid and no modifier changes that, "
        "so 97116 will be denied — check that 97116 belongs on this claim."
    )


def test_distinct_blocks_say_what_ptclock_added_and_why() -> None:
    check = check_blocks("97140", blocks((2, 14)), "97530", blocks((14, 31)), NEW_YORK)
    finding = EditFinding(PAIR, check, "Medicare", "XU", ("XU",))
    assert finding.message == (
        "97140 and 97530 are billed together: Medicare pays both only if they were done in "
        "separate time blocks — they were (97140 at 10:02–10:14; 97530 at 10:14–10:31), so XU "
        "is added to 97530."
    )
    # Another payer, and nothing known of the line yet: 59, and no payer named.
    other = EditFinding(PAIR, check, modifier="59")
    assert other.message.startswith("97140 and 97530 are billed together: both are paid only")
    assert other.message.endswith("so 59 is added to 97530.")


def test_overlapping_blocks_say_when_and_what_to_do() -> None:
    check = check_blocks("97140", blocks((0, 9)), "97530", blocks((5, 20)), NEW_YORK)
    finding = EditFinding(PAIR, check, "Medicare", "XU", ())
    assert finding.message == (
        "97140 and 97530 are billed together: Medicare pays both only if they were done in "
        "separate time blocks, but they overlapped 10:05–10:09, so 97530 will not be paid: if "
        "they were separate, document the blocks and add XU with a reason (Visit → Change "
        "modifiers…); if not, bill only one of them."
    )
    by_hand = EditFinding(PAIR, check, "Medicare", "XU", ("59",))
    assert by_hand.message.endswith(
        "but they overlapped 10:05–10:09; 59 was added to 97530 by hand, so make sure your "
        "note documents the separate blocks."
    )


def test_a_bypassable_edit_without_a_block_check_names_the_modifier() -> None:
    assert EditFinding(PAIR, None).message == (
        "97140 and 97530 are billed together: both are paid only if 97530 carries 59 or XU and "
        "your note shows they were separate services."
    )


def test_no_sentence_lists_a_zero_length_block() -> None:
    # A run of seconds (started and stopped at once) is no block: "10:00–10:00" never shows.
    blink = [(TEN, TEN + timedelta(seconds=40))]
    check = check_blocks("97140", blink + blocks((1, 12)), "97530", blocks((12, 27)), NEW_YORK)
    message = EditFinding(PAIR, check, "Medicare", "XU", ("XU",)).message
    assert "10:00–10:00" not in message
    assert "(97140 at 10:01–10:12; 97530 at 10:12–10:27)" in message
