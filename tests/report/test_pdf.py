"""The PDF as a reader sees it: extractable text with every figure, pages, sizes, odd names."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from ptclock.billing_data import import_fees
from ptclock.report.export import ReportError, export_day, export_visit
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.report.conftest import CLINIC, morning_visit, pdf_text

DAY = date(2026, 11, 27)


def test_visit_pdf_has_every_figure(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    visit = morning_visit(clinic, clock)
    path = export_visit(clinic, visit, tmp_path / "visit.pdf")
    text = pdf_text(path)
    for expected in (
        "Riverside Physical Therapy", "Jordan Lee, PT, DPT", "NPI 1234567893",
        "Ada Lovelace", "Medicare", "Date of service 2026-11-27", "10:00–10:33",
        "97110", "Therapeutic exercise", "GP", "10:00–10:14, 10:23–10:33", "10:14–10:23",
        "Total timed code treatment minutes 36", "Total treatment time 36 minutes",
        "Total units 2", "CMS 8-minute rule", "left knee", "SLR 3×10, 2 lb",
        "climb stairs at home", "+3 min", "manual therapy began before the timer",
        "Tolerated well.", "Signature:", "Page 1 of 1", "ptclock 0.1.0",
    ):  # fmt: skip
        assert expected in text, expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(tmp_path.glob(".*partial")) == []


@pytest.mark.parametrize(("size", "width_points"), [("letter", 612), ("a4", 595)])
def test_page_sizes(
    qapp: QApplication,
    clinic: Timekeeper,
    clock: FakeClock,
    tmp_path: Path,
    size: str,
    width_points: int,
) -> None:
    clinic.settings = clinic.settings.changed(page_size=size)
    visit = morning_visit(clinic, clock)
    page = PdfReader(export_visit(clinic, visit, tmp_path / "v.pdf")).pages[0]
    assert round(float(page.mediabox.width)) == width_points


def test_names_and_notes_render_as_written(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    odd = 'Zoë O\'Brien-<Ünal> & "Jr" שרה'
    long_name = "Maximiliana" + "x" * 289
    visit = morning_visit(clinic, clock, odd)
    clinic.set_visit_note("<b>not bold</b> & 'quoted'\nsecond line", visit)
    text = pdf_text(export_visit(clinic, visit, tmp_path / "odd.pdf"))
    assert 'Zoë O\'Brien-<Ünal> & "Jr"' in text
    assert "<b>not bold</b> & 'quoted'" in text
    second = morning_visit(clinic, clock, long_name)
    reader = PdfReader(export_visit(clinic, second, tmp_path / "long.pdf"))
    joined = "".join(pdf_text(tmp_path / "long.pdf").split())
    assert long_name in joined  # wrapped, never cut
    assert "Total units 2" in pdf_text(tmp_path / "long.pdf")
    assert len(reader.pages) <= 2


def test_a_long_day_flows_over_pages_with_numbers(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    clock.jump_wall(minutes=-180)  # 07:00: thirty 33-minute visits end before midnight
    for number in range(30):
        morning_visit(clinic, clock, f"Patient {number:02d}")
    path = export_day(clinic, DAY, tmp_path / "day.pdf")
    reader = PdfReader(path)
    pages = len(reader.pages)
    assert pages >= 31  # the summary, then each visit on its own page(s)
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Day report 2026-11-27" in first
    assert f"Page 1 of {pages}" in first
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"Page {pages} of {pages}" in last
    text = pdf_text(path)
    assert "30 visits" in text and "1080" in text  # 30 × 36 billed timed minutes
    assert "Clock time covered by timers 990" in text


def test_day_csv_file(clinic: Timekeeper, clock: FakeClock, tmp_path: Path) -> None:
    morning_visit(clinic, clock)
    path = export_day(clinic, DAY, tmp_path / "day.csv")
    # One row per claim line (issue 13), with the payer, the estimate and the claim's visits.
    assert path.read_bytes() == (
        b"date_of_service,patient,mrn,payer,rule,provider,npi,code,modifiers,units,minutes,"
        b"estimated_payment,visits"
        b"\r\n2026-11-27,Ada Lovelace,,medicare,cms,Jordan Lee,1234567893,97110,GP,1,24,,1"
        b"\r\n2026-11-27,Ada Lovelace,,medicare,cms,Jordan Lee,1234567893,97140,GP,1,12,,1\r\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_refusals_leave_no_file(clinic: Timekeeper, clock: FakeClock, tmp_path: Path) -> None:
    morning_visit(clinic, clock)
    with pytest.raises(ReportError, match=r"unknown report format \.docx"):
        export_day(clinic, DAY, tmp_path / "day.docx")
    with pytest.raises(ReportError, match="no visits on 2026-11-28"):
        export_day(clinic, date(2026, 11, 28), tmp_path / "day.csv")
    with pytest.raises(ReportError, match="cannot write"):
        export_day(clinic, DAY, tmp_path / "missing-folder" / "day.csv")
    assert sorted(p.name for p in tmp_path.iterdir() if "day" in p.name) == []


def test_other_providers_visits_stay_out_of_the_day(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    morning_visit(clinic, clock, "Ada")
    clinic.settings = clinic.settings.changed(provider="Sam Ortiz")
    morning_visit(clinic, clock, "Grace")
    text = export_day(clinic, DAY, tmp_path / "sam.csv").read_text()
    assert "Grace" in text and "Ada" not in text


def test_report_text_without_any_system_font(tmp_path: Path, clock: FakeClock) -> None:
    """On a machine with no fonts at all, the PDF still has real text (shipped fonts)."""
    from tests.helpers import keeper

    data = tmp_path / "data"
    tk = keeper(clock, path=data / "ptclock.sqlite3", settings=CLINIC)
    tk.new_visit("Ada", Payer.MEDICARE)
    tk.add_minutes("97110", 33, "late start")
    tk.store.close()
    empty_fonts = tmp_path / "fonts.conf"
    empty_fonts.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>'
    )
    environment = dict(
        os.environ,
        PTCLOCK_DATA_DIR=str(data),
        FONTCONFIG_FILE=str(empty_fonts),
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(Path(__file__).parents[2]),
    )
    out = tmp_path / "nofonts.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "ptclock", "report", "--visit", "1", "--out", str(out)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    text = pdf_text(out)
    assert "Total units 2" in text and "Ada" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for font in PdfReader(out).pages[0]["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts)


def test_long_notes_flow_over_pages_with_the_table_header_repeated(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    visit = clinic.new_visit("Ada", Payer.MEDICARE)
    for number, code in enumerate(["97110", "97112", "97116", "97140", "97530", "97535"]):
        clinic.start(code)
        clock.advance(minutes=9)
        clinic.set_code_note(code, exercises=f"Exercise {number}, 3x10 with a band. " * 60)
    clinic.end()
    reader = PdfReader(export_visit(clinic, visit, tmp_path / "long.pdf"))
    assert len(reader.pages) >= 3
    continued = [" ".join(page.extract_text().split()) for page in reader.pages[1:]]
    continued = [text for text in continued if "3x10 with a band" in text]
    assert len(continued) >= 2  # the services table itself runs over pages
    for text in continued:
        assert "Code Service Minutes Time blocks" in text.replace("ﬁ", "fi")
    for page in reader.pages:
        assert "Visit summary · Ada · DOS 2026-11-27" in " ".join(page.extract_text().split())


def test_checks_modifiers_and_payment_in_the_pdf(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("code,amount\n97110,28.82\n97140,27.50\n")
    import_fees(clinic, fees)
    visit = morning_visit(clinic, clock)
    text = pdf_text(export_visit(clinic, visit, tmp_path / "v.pdf"))
    assert "Estimated payment $56.32" in text  # 97110 × 1 + 97140 × 1
    assert "Billing checks" in text
    assert "97110 GP: Physical therapy service billed to Medicare." in text


def test_the_printer_gets_the_same_document(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    """Print goes through the same painter as the PDF: a PDF-format printer shows it."""
    from datetime import datetime

    from PySide6.QtPrintSupport import QPrinter

    from ptclock.report.export import visit_model
    from ptclock.report.html import visit_document
    from ptclock.report.render import page_layout, paint_document

    visit = morning_visit(clinic, clock)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setPageLayout(page_layout("a4"))
    pages = paint_document(
        visit_document(visit_model(clinic, visit)),
        printer,
        "Visit summary",
        datetime.now().astimezone(),
    )
    text = pdf_text(tmp_path / "printed.pdf")
    assert pages == 1
    assert "Total units 2" in text and "Page 1 of 1" in text
