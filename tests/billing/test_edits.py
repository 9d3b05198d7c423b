"""NCCI PTP edits: the shipped pairs, indicators, dates, and the CMS file import."""

from __future__ import annotations

import csv
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from ptclock.billing import load_catalog
from ptclock.billing.edits import (
    EditFileError,
    EditTable,
    PtpEdit,
    parse_cms_ptp,
    parse_pairs_csv,
    shipped_edits,
)

CATALOG = load_catalog()
TODAY = date(2026, 11, 27)


def shipped_rows() -> list[dict[str, str]]:
    text = resources.files("ptclock.resources").joinpath("ncci_pairs.csv").read_text()
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


REQUIRED = [
    ("97140", "97124"), ("97110", "36591"), ("97110", "36592"), ("97110", "96523"),
    ("97530", "97140"), ("97530", "97116"), ("97161", "97140"), ("97162", "97140"),
    ("97163", "97140"), ("97164", "97530"), ("97164", "97150"), ("97150", "97110"),
    ("97150", "97112"), ("97140", "97012"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second"), REQUIRED)
def test_each_shipped_pair_applies_in_either_order(first: str, second: str) -> None:
    table = EditTable(shipped_edits(CATALOG))
    for codes in ([first, second], [second, first]):
        (edit,) = table.applying(codes, TODAY)
        assert {edit.column1, edit.column2} == {first, second}
        assert edit.modifier in (0, 1)
        assert edit.source


def test_every_shipped_row_has_dates_and_a_source() -> None:
    rows = shipped_rows()
    assert len(rows) == len(shipped_edits(CATALOG)) >= len(REQUIRED)
    assert all(row["effective"] and row["source"] for row in rows)


def test_deleted_edit_never_applies() -> None:
    table = EditTable(shipped_edits(CATALOG))
    assert table.applying(["97530", "97161"], date(2020, 6, 1)) == []


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
