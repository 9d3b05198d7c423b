"""The window's report doors: export the visit or the day as PDF or CSV, and print.

"Saved" is said only once the export returned, which is after the file was written, synced,
read back and verified; anything else is one sentence naming the file and the problem.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

from ptclock.refusals import REFUSALS
from ptclock.settings import SettingsError, save_settings
from ptclock.timing.clock import today
from ptclock.ui.controller import SessionController
from ptclock.ui.words import sentence

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from ptclock.report.model import Provider, VisitSummary


def _export_refusals() -> tuple[type[Exception], ...]:
    """What an export can fail with, each in one sentence (the file, or the data behind it)."""
    from ptclock.report.export import ReportError

    return (ReportError, *REFUSALS)


def export_title(title: str) -> str:
    """A save dialog's title: "Export visit PDF — the file will not be encrypted"."""
    return f"{title} — the file will not be encrypted"


class ReportActions:
    def __init__(self, controller: SessionController, parent: QWidget, save_to_disk: bool) -> None:
        self.controller = controller
        self.parent = parent
        self.save_to_disk = save_to_disk
        self.last_written: Path | None = None

    # -- asking -----------------------------------------------------------------------------

    def ask_save_path(self, title: str, suggested: Path, pattern: str) -> Path | None:
        """The file dialog, which says that what it saves is not encrypted (the database
        is; a report the user chose to write is a file like any other); tests replace
        this method."""
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent, export_title(title), str(suggested), pattern
        )
        return Path(chosen) if chosen else None

    def _folder(self) -> Path:
        folder = Path(self.controller.settings.export_folder or Path.home())
        return folder if folder.is_dir() else Path.home()

    def _remember(self, path: Path) -> None:
        settings = self.controller.settings.changed(export_folder=str(path.parent))
        if self.save_to_disk:
            # The report was written; failing to save only loses the folder memory.
            with suppress(OSError, SettingsError):
                save_settings(settings)
        self.controller.apply_settings(settings)

    def _unsigned(self, provider: Provider) -> bool:
        """A PDF needs the provider's name and NPI: without them, say what to fill in (before
        a file is asked for) and do nothing else."""
        refusal = provider.pdf_refusal()
        if refusal is not None:
            self.controller.failed.emit(sentence(refusal))
        return refusal is not None

    def _done(self, path: Path) -> None:
        self.last_written = path
        self._remember(path)
        self.controller.notice.emit(f"Saved {path}")

    # -- doors ---------------------------------------------------------------------------------

    def _signed_visit_summary(self) -> VisitSummary | None:
        """The visit shown, as a report model, when it can be reported: a visit is open and
        its provider is named (else one sentence, and None)."""
        from ptclock.report.export import visit_model

        visit_id = self.controller.visit_id
        if visit_id is None:
            self.controller.failed.emit("Open a visit first.")
            return None
        try:
            summary = visit_model(self.controller.keeper, visit_id)
        except REFUSALS as error:
            self.controller.failed.emit(sentence(str(error)))
            return None
        return None if self._unsigned(summary.provider) else summary

    # The report modules (and Qt's print support) load on first use, not at start-up.

    def export_visit_pdf(self) -> None:
        from ptclock.report.export import export_visit, suggested_name

        summary = self._signed_visit_summary()
        if summary is None:
            return
        path = self.ask_save_path(
            "Export visit summary", self._folder() / suggested_name(summary), "PDF (*.pdf)"
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(".pdf")
        try:
            written = export_visit(self.controller.keeper, summary.visit_id, path)
        except _export_refusals() as error:
            self.controller.failed.emit(sentence(str(error)))
            return
        self._done(written)

    def export_day(self, extension: str) -> None:
        from ptclock.report.export import export_day
        from ptclock.report.model import Provider

        keeper = self.controller.keeper
        day = today(keeper.clock)
        tally = self.controller.tally()
        if tally is not None:
            day = tally.record.visit.date_of_service
        kind = "PDF (*.pdf)" if extension == ".pdf" else "CSV (*.csv)"
        if extension == ".pdf" and self._unsigned(Provider.from_settings(keeper.settings)):
            return
        path = self.ask_save_path(
            "Export day report", self._folder() / f"{day.isoformat()}-day{extension}", kind
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(extension)
        try:
            written = export_day(keeper, day, path)
        except _export_refusals() as error:
            self.controller.failed.emit(sentence(str(error)))
            return
        self._done(written)

    # -- charges to billing (issue 18) -------------------------------------------------------

    CHARGE_FORMATS = (
        ("hl7", "HL7 v2 DFT^P03 — the interface message for charges", "HL7 (*.hl7 *.txt)"),
        ("fhir", "FHIR R4 Bundle — Encounter, Procedure and ChargeItem (JSON)", "JSON (*.json)"),
        ("csv", "CSV — the columns of the clinic's charge template", "CSV (*.csv)"),
    )

    def ask_charges_format(self, day: str) -> str | None:
        """Which format the billing system accepts (None: cancelled); tests replace this."""
        from PySide6.QtWidgets import QInputDialog

        labels = [label for _fmt, label, _pattern in self.CHARGE_FORMATS]
        chosen, ok = QInputDialog.getItem(
            self.parent,
            "Send day's charges",
            f"Hand the charges of {day} to billing as:\n"
            "(claims sent before are sent again only when they were amended; "
            "the visits sent are locked)",
            labels,
            0,
            False,
        )
        if not ok:
            return None
        return next(fmt for fmt, label, _pattern in self.CHARGE_FORMATS if label == chosen)

    def send_charges(self) -> None:
        """Report → Send day's charges…: the date's claims (the open visit's date, else
        today) in the format chosen, to the file chosen; what was sent, or why nothing was,
        in the banner."""
        from ptclock.charges.sending import (
            SUFFIXES,
            NothingToSend,
            send_day_charges,
            suggested_name,
        )

        keeper = self.controller.keeper
        day = today(keeper.clock)
        tally = self.controller.tally()
        if tally is not None:
            day = tally.record.visit.date_of_service
        fmt = self.ask_charges_format(day.isoformat())
        if fmt is None:
            return
        suffix = SUFFIXES[fmt]
        pattern = next(p for f, _label, p in self.CHARGE_FORMATS if f == fmt)
        path = self.ask_save_path(
            "Send day's charges", self._folder() / suggested_name(keeper, day, fmt), pattern
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(suffix)
        try:
            # A workstation of a clinic sends the clinic's charges: one ledger for all.
            sent = send_day_charges(keeper, day, fmt, path, self.controller.clinic_joined())
        except NothingToSend as error:
            self.controller.notice.emit(sentence(str(error)))
            return
        except _export_refusals() as error:
            self.controller.failed.emit(sentence(str(error)))
            return
        self.last_written = sent.path
        self._remember(sent.path)
        self.controller.notice.emit(sent.words() + ".")

    def print_visit(self) -> None:
        """The same document as the PDF, to a printer, through a print preview."""
        from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

        from ptclock.report.html import visit_document
        from ptclock.report.render import RenderError, page_layout, paint_document

        summary = self._signed_visit_summary()
        if summary is None:
            return
        html = visit_document(summary)
        header = f"Visit summary · {summary.patient} · DOS {summary.date_of_service.isoformat()}"
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout(self.controller.settings.page_size))
        preview = QPrintPreviewDialog(printer, self.parent)

        def paint(target: QPrinter) -> None:
            try:
                paint_document(html, target, header, self.controller.local_now())
            except RenderError as error:
                self.controller.failed.emit(sentence(f"the visit could not be printed: {error}"))

        preview.paintRequested.connect(paint)
        self.ask_print(preview)

    def ask_print(self, preview: QPrintPreviewDialog) -> None:
        """The print preview, until the therapist prints or closes it; tests replace this
        method."""
        preview.exec()
