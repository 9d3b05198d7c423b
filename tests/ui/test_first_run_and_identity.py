"""Issue 13, defect 14, in the window: the first run asks who treats, the start-visit dialog
records the patient's MRN and date of birth, and a PDF without the provider is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ptclock.settings import Settings, load_settings
from ptclock.timing.records import Payer
from ptclock.ui.main_window import MainWindow
from ptclock.ui.start_visit_dialog import StartVisitDialog
from tests.report.conftest import CLINIC
from tests.ui.conftest import WindowMaker

PROVIDER_FIRST = (
    "Set the provider's name and NPI first: Tools → Settings… in the window, or ptclock "
    "setup --provider NAME --credentials TEXT --npi NPI --clinic NAME."
)


@pytest.fixture
def saving_window(make_window: WindowMaker) -> Callable[..., MainWindow]:
    """A window as ptclock opens it (its settings saved to the test's config folder); with
    ``asked``, the first-run question is replaced by a note in that list."""

    def make(settings: Settings, asked: list[str] | None = None) -> MainWindow:
        window = make_window(settings=settings, save_to_disk=True)
        if asked is not None:  # replaced before the event loop runs the first-run question
            window.ask_provider = lambda: asked.append("provider")  # type: ignore[method-assign]
        return window

    return make


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(provider="Jordan Lee"), Settings(npi="1234567893")],
    ids=["nothing", "no NPI", "no name"],
)
def test_the_first_run_asks_for_the_provider(
    saving_window: Callable[..., MainWindow], qtbot: QtBot, settings: Settings
) -> None:
    """Defect 14: nothing asked for provider, NPI and clinic before the first PDF."""
    asked: list[str] = []
    saving_window(settings, asked)
    qtbot.waitUntil(lambda: asked == ["provider"])


def test_no_question_once_the_provider_is_set(
    saving_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    asked: list[str] = []
    saving_window(CLINIC, asked)
    qtbot.wait(50)
    assert asked == []


def test_the_first_run_question_saves_the_provider_and_the_next_visit_keeps_it(
    saving_window: Callable[..., MainWindow], qtbot: QtBot
) -> None:
    window = saving_window(Settings())
    qtbot.waitUntil(lambda: window.provider_dialog is not None)
    dialog = window.provider_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.provider.setText("Jordan Lee")
    dialog.credentials.setText("PT, DPT")
    dialog.npi.setText("1234567890")  # a typo: the check digit is 3
    dialog.clinic_name.setText("Riverside Physical Therapy")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    save.click()
    assert dialog.isVisible()
    assert dialog.problem.text() == "NPI: 1234567890 is not a valid 10-digit NPI"
    dialog.npi.setText("1234567893")
    save.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = load_settings()
    assert (saved.provider, saved.credentials, saved.npi, saved.clinic_name) == (
        "Jordan Lee",
        "PT, DPT",
        "1234567893",
        "Riverside Physical Therapy",
    )
    assert window.controller.settings.npi == "1234567893"
    window.controller.start_visit("Ada", Payer.MEDICARE)
    visit = window.controller.keeper.visit()
    assert (visit.provider, visit.provider_credentials, visit.provider_npi) == (
        "Jordan Lee",
        "PT, DPT",
        "1234567893",
    )


def start_visit(window: MainWindow, name: str, mrn: str = "", dob: str = "") -> None:
    def fill(dialog: StartVisitDialog) -> bool:
        dialog.name_edit.setText(name)
        dialog.mrn_edit.setText(mrn)
        dialog.dob_edit.setText(dob)
        return True

    window.ask_visit = fill  # type: ignore[method-assign]
    window.new_visit()


def test_the_start_dialog_records_the_mrn_and_date_of_birth(window: MainWindow) -> None:
    """Defect 14: the window could not record a patient identifier."""
    start_visit(window, "Ada Lovelace", "MRN-1", "1950-04-30")
    visit = window.controller.keeper.visit()
    assert (visit.patient, visit.mrn, visit.dob and visit.dob.isoformat()) == (
        "Ada Lovelace",
        "MRN-1",
        "1950-04-30",
    )
    window.controller.end_visit()
    dialog = StartVisitDialog(
        window.controller.patient_names(), window.controller.returning_patient, window
    )
    dialog.name_edit.setText("Ada Lovelace")
    assert (dialog.mrn(), dialog.dob()) == ("MRN-1", "1950-04-30")
    dialog.name_edit.setText("Ada Lovelace-King")  # another patient: what was filled goes
    assert (dialog.mrn(), dialog.dob()) == ("", "")


def test_a_date_of_birth_that_is_not_a_date_keeps_the_dialog_open(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = StartVisitDialog([], window.controller.returning_patient, window)
    dialog.show()
    dialog.name_edit.setText("Ada")
    dialog.dob_edit.setText("1950-13-01")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert dialog.problem.text() == (
        "The date of birth '1950-13-01' is not a date like 1950-04-30."
    )
    dialog.dob_edit.setText("1950-12-01")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == StartVisitDialog.DialogCode.Accepted


def test_namesakes_are_told_apart_by_the_mrn(window: MainWindow) -> None:
    """Defect 1 in the window: a second John Smith is another patient, and the dialog says
    that the name alone no longer says which."""
    start_visit(window, "John Smith", "111")
    start_visit(window, "John Smith", "222")
    keeper = window.controller.keeper
    assert [v.mrn for v in keeper.store.open_visits()] == ["111", "222"]
    dialog = StartVisitDialog([], window.controller.returning_patient, window)
    dialog.name_edit.setText("John Smith")
    assert dialog.returning_label.text() == (
        "2 patients are called John Smith: type the MRN to say which one."
    )
    assert dialog.mrn() == ""
    start_visit(window, "John Smith")
    assert window.banner.messages()[0].startswith(
        "2 patients are called John Smith (MRNs 111, 222)"
    )
    assert len(keeper.store.open_visits()) == 2


def test_a_pdf_without_the_provider_is_refused_before_a_file_is_asked_for(
    make_window: WindowMaker, tmp_path: Path
) -> None:
    window = make_window(settings=Settings())
    start_visit(window, "Ada")
    window.controller.toggle("97110")
    asked: list[str] = []

    def answer(title: str, suggested: Path, pattern: str) -> Path:
        asked.append(title)
        return tmp_path / suggested.name

    window.reports.ask_save_path = answer  # type: ignore[method-assign]
    window.reports.export_visit_pdf()
    assert window.banner.messages()[0] == PROVIDER_FIRST
    window.banner.clear()
    window.reports.export_day(".pdf")
    assert window.banner.messages()[0] == PROVIDER_FIRST
    assert asked == []
    window.reports.export_day(".csv")  # the CSV is not signed
    assert asked == ["Export day report"]
    window.controller.apply_settings(CLINIC)  # the visit began before: the provider fills in
    window.reports.export_visit_pdf()
    assert asked[-1] == "Export visit summary"
    assert window.reports.last_written is not None
    assert window.reports.last_written.suffix == ".pdf"
