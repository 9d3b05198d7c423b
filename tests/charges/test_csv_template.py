"""Charges as CSV in a billing system's upload template: RFC 4180, formula-safe cells, the
clinic's own columns and date format, and a bad template refused in one sentence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ptclock.charges.csv_template import (
    DEFAULT_COLUMNS,
    FIELDS,
    Template,
    TemplateError,
    charges_csv,
    load_template,
    template_from_json,
)
from tests.charges.reading import csv_rows
from tests.charges.samples import (
    AMENDMENT_REASON,
    CANCEL_REASON,
    SAMPLES,
    amendment_day,
    plain_day,
)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_one_row_per_line_under_the_default_headers(sample: str) -> None:
    batch = SAMPLES[sample]()
    text = charges_csv(batch)
    assert not text.startswith("\ufeff")  # no byte order mark
    header, *rows = csv_rows(text)
    assert header == [name for name, _field in DEFAULT_COLUMNS]
    assert len(rows) == len(batch.lines)
    column = {name: index for index, name in enumerate(header)}
    for row, line in zip(rows, batch.lines, strict=True):
        assert row[column["action"]] == line.action.value
        assert row[column["transaction"]] == line.transaction
        assert row[column["code"]] == line.code
        assert row[column["modifiers"]] == " ".join(line.modifiers)
        assert int(row[column["units"]]) == line.units
        assert int(row[column["minutes"]]) == line.minutes
        assert row[column["rendering_npi"]] == line.rendering.npi


def test_the_plain_day_as_a_biller_reads_it() -> None:
    header, *rows = csv_rows(charges_csv(plain_day()))
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["patient"], r["mrn"], r["date_of_birth"], r["payer"]) for r in table] == [
        ("Lee, Dana", "M100", "1950-01-02", "medicare"),
        ("Lee, Dana", "M100", "1950-01-02", "medicare"),
        ("María José O'Neil-Ünal", "C200", "", "commercial"),
        ("María José O'Neil-Ünal", "C200", "", "commercial"),
    ]
    assert [r["estimated_payment"] for r in table] == ["87.42", "27.10", "", ""]
    assert [(r["supervising_provider"], r["supervising_npi"]) for r in table] == [
        ("", ""),
        ("", ""),
        ("", ""),
        ("Ana Ruiz", "1245319599"),
    ]
    assert {r["amendment"] for r in table} == {""}


def test_amendment_rows_cancel_then_charge_with_the_reason() -> None:
    header, *rows = csv_rows(charges_csv(amendment_day()))
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["action"], r["transaction"], r["code"], r["minutes"]) for r in table] == [
        ("cancel", "E11A8F-1-1-1", "97110", "38"),
        ("cancel", "E11A8F-1-1-2", "97140", "23"),
        ("charge", "E11A8F-2-1-1", "97110", "38"),
        ("charge", "E11A8F-2-1-2", "97140", "20"),
        ("cancel", "E11A8F-1-2-1", "97530", "30"),
        ("cancel", "E11A8F-1-2-2", "97110", "15"),
    ]
    # The claim's note on each of its rows: an amended claim's cancellations amend it.
    amends = f"Amends the claim sent 2026-11-27 17:02 (export 1): {AMENDMENT_REASON}"
    cancels = f"Cancels the claim sent 2026-11-27 17:02 (export 1): {CANCEL_REASON}"
    assert [r["amendment"] for r in table] == [amends] * 4 + [cancels] * 2
    assert [r["claim"] for r in table] == ["E11A8F-2-1"] * 4 + ["E11A8F-2-2"] * 2
    assert [r["patient"] for r in table[4:]] == ["María José O'Neil-Ünal"] * 2


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "+1", "@SUM(A1)", "-2+3", "Lee, =1+1"])
def test_a_name_a_spreadsheet_would_run_is_kept_as_text(name: str) -> None:
    batch = plain_day()
    batch = replace(
        batch, claims=(replace(batch.claims[0], patient=name, mrn="=cmd|' /C calc'!A0"),)
    )
    header, *rows = csv_rows(charges_csv(batch))
    patient = header.index("patient")
    mrn = header.index("mrn")
    for row in rows:
        for cell in (row[patient], row[mrn]):
            for segment in cell.replace(";", ",").split(","):
                assert not segment.lstrip(" ").startswith(("=", "+", "-", "@"))
        assert row[patient].startswith("'") or row[patient].startswith("Lee, '")
        assert row[mrn] == "'=cmd|' /C calc'!A0"


def test_control_and_bidi_characters_cannot_break_or_disguise_a_row() -> None:
    batch = plain_day()
    claim = replace(batch.claims[0], patient="Lee\r\nDana\u202e\x00")
    batch = replace(batch, claims=(claim,))
    header, *rows = csv_rows(charges_csv(batch))
    assert len(rows) == 2
    assert rows[0][header.index("patient")] == "Lee<U+000D><U+000A>Dana<U+202E><U+0000>"


def test_a_user_template_chooses_headers_order_and_date_format() -> None:
    template = template_from_json(
        {
            "columns": [
                ["Acct", "mrn"],
                ["DOS", "date_of_service"],
                ["Birth", "date_of_birth"],
                ["CPT", "code"],
                ["Mod1", "modifier_1"],
                ["Mod2", "modifier_2"],
                ["Units", "units"],
                ["Type", "action"],
            ],
            "date_format": "MM/DD/YYYY",
        }
    )
    assert template.date_format == "MM/DD/YYYY"
    rows = csv_rows(charges_csv(plain_day(), template))
    assert rows == [
        ["Acct", "DOS", "Birth", "CPT", "Mod1", "Mod2", "Units", "Type"],
        ["M100", "11/27/2026", "01/02/1950", "97110", "GP", "", "3", "charge"],
        ["M100", "11/27/2026", "01/02/1950", "97140", "GP", "", "1", "charge"],
        ["C200", "11/27/2026", "", "97530", "59", "", "2", "charge"],
        ["C200", "11/27/2026", "", "97110", "GP", "CQ", "1", "charge"],
    ]


def test_template_headers_are_trimmed_and_formula_safe() -> None:
    template = template_from_json({"columns": [["  =Units ", " units "]]})
    assert template.columns == (("=Units", "units"),)
    assert csv_rows(charges_csv(plain_day(), template))[0] == ["'=Units"]


def test_every_field_of_the_template_language_renders() -> None:
    template = template_from_json({"columns": [[name, name] for name in FIELDS]})
    header, *rows = csv_rows(charges_csv(amendment_day(), template))
    assert header == list(FIELDS)
    assert len(rows) == 6
    row = dict(zip(header, rows[0], strict=True))
    assert row["claim"] == "E11A8F-2-1"
    assert row["claim_status"] == "amended"
    assert row["rule"] == "cms"
    assert row["rendering_credentials"] == "PT, DPT"
    assert row["visits"] == "E11A8F-V1"
    assert row["modifier_1"] == "GP"
    assert row["modifier_4"] == ""
    cancelled = dict(zip(header, rows[4], strict=True))
    assert (cancelled["claim"], cancelled["claim_status"], cancelled["action"]) == (
        "E11A8F-2-2",
        "cancelled",
        "cancel",
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([["MRN", "mrn"]], 'expected a JSON object with "columns"'),
        ("columns", 'expected a JSON object with "columns"'),
        ({"columns": [["MRN", "mrn"]], "dateformat": "MM/DD/YYYY"}, "unknown setting 'dateformat'"),
        ({}, '"columns" must be a list'),
        ({"columns": []}, '"columns" must be a list'),
        ({"columns": {"MRN": "mrn"}}, '"columns" must be a list'),
        ({"columns": [["MRN", "mrn"], ["DOS"]]}, "column 2 must be"),
        ({"columns": [["MRN", "mrn", "x"]]}, "column 1 must be"),
        ({"columns": [["MRN", 5]]}, "column 1 must be"),
        ({"columns": ["mrn"]}, "column 1 must be"),
        ({"columns": [["MRN", "mrn"], ["  ", "code"]]}, "column 2 needs a header"),
        ({"columns": [["H" * 101, "code"]]}, "column 1 needs a header"),
        ({"columns": [["MRN", "mrn"], ["DOS", "dos"]]}, "column 2 (DOS): unknown field 'dos'"),
        ({"columns": [["MRN", "mrn"]], "date_format": "DD.MM.YYYY"}, "date_format 'DD.MM.YYYY'"),
        ({"columns": [["MRN", "mrn"]], "date_format": None}, "date_format None"),
        ({"columns": [["U", "units"]] * 61}, "more than 60 columns"),
    ],
)
def test_a_bad_template_is_refused_naming_what_is_wrong(data: Any, words: str) -> None:
    with pytest.raises(TemplateError) as raised:
        template_from_json(data, "charges-template.json")
    message = str(raised.value)
    assert message.startswith("charges-template.json: ")
    assert words in message


def test_load_template_missing_file_is_the_default(tmp_path: Path) -> None:
    assert load_template(tmp_path / "charges-template.json") == Template()
    assert Template().columns == DEFAULT_COLUMNS
    assert Template().date_format == "YYYY-MM-DD"


def test_load_template_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "charges-template.json"
    data = {"columns": [["Acct", "mrn"], ["CPT", "code"]], "date_format": "MM/DD/YYYY"}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_template(path) == Template((("Acct", "mrn"), ("CPT", "code")), "MM/DD/YYYY")


def test_load_template_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "charges-template.json"
    path.write_text('{\n  "columns": [\n    ["Acct", "mrn"],\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        load_template(path)
    assert str(raised.value).startswith(f"{path}: not JSON (line 4")


def test_load_template_bad_content_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "charges-template.json"
    path.write_text('{"columns": [["Acct", "account"]]}', encoding="utf-8")
    with pytest.raises(TemplateError, match="unknown field 'account'") as raised:
        load_template(path)
    assert str(raised.value).startswith(str(path))


def test_load_template_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "charges-template.json"
    path.write_bytes('{"columns": [["Naïve", "mrn"]]}'.encode("latin-1"))
    with pytest.raises(TemplateError, match="cannot be read"):
        load_template(path)
