"""The window's Report menu says "Saved" only for a file that was written and verified;
otherwise one sentence naming the file and the problem, and the folder is not remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.controller import SessionController
from ptclock.ui.report_actions import ReportActions
from ptclock.ui.words import sentence
from tests.reliability.test_export_safety import Disk
from tests.report.conftest import morning_visit, pdf_text


class Said:
    def __init__(self, controller: SessionController) -> None:
        self.failed: list[str] = []
        self.notices: list[str] = []
        controller.failed.connect(self.failed.append)
        controller.notice.connect(self.notices.append)


@pytest.fixture
def actions(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> ReportActions:
    visit = morning_visit(clinic, clock)
    controller = SessionController(clinic)
    controller.visit_id = visit
    parent = QWidget()
    reports = ReportActions(controller, parent, save_to_disk=False)
    out = tmp_path / "out"
    out.mkdir()

    def answer(title: str, suggested: Path, pattern: str) -> Path | None:
        return out / suggested.name

    reports.ask_save_path = answer  # type: ignore[method-assign]
    return reports


def test_saved_only_once_written_and_verified(actions: ReportActions, tmp_path: Path) -> None:
    said = Said(actions.controller)
    actions.export_visit_pdf()
    written = tmp_path / "out" / "2026-11-27-AL-visit-1.pdf"
    assert said.failed == []
    assert said.notices == [f"Saved {written}"]
    assert actions.last_written == written
    assert "Total units 2" in pdf_text(written)


@pytest.mark.parametrize(
    ("disk", "says"),
    [
        ({"free": 5000}, "The disk is full: {path} was not written; nothing was left behind."),
        ({"lie": True}, "{path} was not saved: the file did not read back whole"),
    ],
)
def test_a_failed_export_is_one_sentence_and_never_saved(
    actions: ReportActions,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    disk: dict[str, object],
    says: str,
) -> None:
    said = Said(actions.controller)
    folder_before = actions.controller.settings.export_folder
    Disk(monkeypatch, **disk)  # type: ignore[arg-type]
    actions.export_visit_pdf()
    actions.export_day(".csv")
    monkeypatch.undo()
    pdf = tmp_path / "out" / "2026-11-27-AL-visit-1.pdf"
    assert said.notices == []
    assert len(said.failed) == 2
    assert said.failed[0].startswith(says.format(path=pdf))
    assert str(tmp_path / "out" / "2026-11-27-day.csv") in said.failed[1]
    for message in said.failed:
        assert message.endswith(".") and "\n" not in message
    assert actions.last_written is None
    assert actions.controller.settings.export_folder == folder_before
    assert list((tmp_path / "out").iterdir()) == []


def test_sentence() -> None:
    assert sentence("the disk is full: x was not written") == "The disk is full: x was not written."
    assert sentence("Open a visit first.") == "Open a visit first."


def test_printing_paints_the_same_summary_on_the_printer(
    actions: ReportActions, tmp_path: Path
) -> None:
    """Visit → Print goes through print_visit: the preview's printer gets the signed summary
    (here a PDF printer stands in for the paper one)."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    printed = tmp_path / "printed.pdf"

    def print_to_file(preview: QPrintPreviewDialog) -> None:
        printer = preview.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        preview.paintRequested.emit(printer)  # what the preview's Print button does

    actions.ask_print = print_to_file  # type: ignore[method-assign]
    said = Said(actions.controller)
    actions.print_visit()
    assert said.failed == []
    text = pdf_text(printed)
    assert "Visit summary" in text
    assert "Total units 2" in text
    assert "97110" in text


def test_send_days_charges_from_the_report_menu(
    qapp: QApplication, clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    """Report → Send day's charges…: the format asked, the file asked (named for the day and
    the format), then the banner says what went; a second time, that nothing new did."""
    visit = clinic.new_visit("Grace Hopper", Payer.MEDICARE, mrn="G-7")
    clinic.start("97110")
    clock.advance(minutes=25)
    clinic.end()
    controller = SessionController(clinic)
    controller.visit_id = visit
    reports = ReportActions(controller, QWidget(), save_to_disk=False)
    asked: list[str] = []

    def answer(title: str, suggested: Path, pattern: str) -> Path | None:
        asked.append(f"{title} {suggested.name} {pattern}")
        return tmp_path / suggested.name

    reports.ask_save_path = answer  # type: ignore[method-assign]
    reports.ask_charges_format = lambda day: "hl7"  # type: ignore[method-assign]
    said = Said(controller)
    reports.send_charges()
    assert asked == ["Send day's charges 2026-11-27-charges-1.hl7 HL7 (*.hl7 *.txt)"]
    assert said.failed == []
    assert said.notices == [
        f"Sent 1 claim (1 charge line) as export 1 to {tmp_path / '2026-11-27-charges-1.hl7'}."
    ]
    assert "|CG|97110^Therapeutic exercise^C4|||2|" in (
        tmp_path / "2026-11-27-charges-1.hl7"
    ).read_text(encoding="utf-8")
    reports.send_charges()
    assert said.notices[-1].startswith("Nothing new to send for 2026-11-27")
    assert said.failed == []
    reports.ask_charges_format = lambda day: None  # type: ignore[method-assign]
    reports.send_charges()
    assert len(asked) == 2  # cancelled at the format: no file asked for
