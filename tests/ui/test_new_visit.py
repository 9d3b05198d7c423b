"""Starting the next patient's visit: another patient's running timer is asked about, never
hidden or stopped without a word; the performer and a returning patient's details are right."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ptclock.settings import Settings
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, Performer
from ptclock.ui.code_tile import RUNNING_MARK, STOPPED_MARK
from ptclock.ui.main_window import MainWindow
from ptclock.ui.start_visit_dialog import StartVisitDialog
from tests.ui.conftest import WindowMaker


def start_visit(
    window: MainWindow,
    name: str,
    payer: Payer | None = None,
    mrn: str | None = None,
    answer: str = "",
) -> list[str]:
    """Start a visit through the window's own door; the questions it asked."""
    asked: list[str] = []

    def fill(dialog: StartVisitDialog) -> bool:
        dialog.name_edit.setText(name)
        if payer is not None:
            dialog.payer_box.setCurrentIndex(dialog.payer_box.findData(payer.value))
        if mrn is not None:
            dialog.mrn_edit.setText(mrn)
        return True

    def other_timers(timers: list[str], patient: str) -> str:
        asked.append(f"{', '.join(timers)} → {patient}")
        return answer

    window.ask_visit = fill  # type: ignore[method-assign]
    window.ask_other_timers = other_timers  # type: ignore[method-assign]
    window.new_visit()
    return asked


@pytest.fixture
def treating_ada(window: MainWindow, clock: FakeClock) -> MainWindow:
    start_visit(window, "Ada", Payer.MEDICARE)
    window.controller.toggle("97110")
    clock.advance(minutes=12, seconds=5)
    window.tick()
    return window


def test_stop_it_stops_the_other_timer_in_the_same_event(treating_ada: MainWindow) -> None:
    window = treating_ada
    asked = start_visit(window, "Grace", Payer.COMMERCIAL, answer="stop")
    assert asked == ["97110 for Ada → Grace"]
    assert window.header.patient_label.text() == "Grace"
    store = window.controller.keeper.store
    assert store.running_segments() == []
    assert not window.elsewhere.isVisible()
    new_visit = [e for e in store.audit_trail() if e.action == "visit_new"][-1]
    assert new_visit.after["other_timers"] == "stop"
    assert new_visit.after["running"] == [[1, "97110"]]
    stops = [e for e in store.audit_trail() if e.action == "timer_stop"]
    assert stops[-1].after["why"] == "new visit"
    assert stops[-1].at == new_visit.at  # one event


def test_keep_it_running_shows_it_and_says_when_it_stops(
    treating_ada: MainWindow, clock: FakeClock, qtbot: QtBot
) -> None:
    window = treating_ada
    start_visit(window, "Grace", Payer.COMMERCIAL, answer="keep")
    assert window.header.patient_label.text() == "Grace"
    assert window.elsewhere.isVisible()
    assert window.elsewhere.text_label.text() == "Also running: 97110 for Ada (12:05)"
    clock.advance(seconds=30)
    window.tick()
    assert window.elsewhere.text_label.text() == "Also running: 97110 for Ada (12:35)"
    store = window.controller.keeper.store
    new_visit = [e for e in store.audit_trail() if e.action == "visit_new"][-1]
    assert new_visit.after["other_timers"] == "keep"
    # Starting Grace's first timer stops Ada's, and the window says so.
    window.controller.toggle("97140")
    assert window.banner.messages()[0] == (
        "Stopped 97110 for Ada: a therapist's minute is billed for one patient only."
    )
    assert not window.elsewhere.isVisible()
    assert window.tiles["97140"].state_label.text() == RUNNING_MARK


def test_show_button_opens_the_other_visit(treating_ada: MainWindow, qtbot: QtBot) -> None:
    window = treating_ada
    start_visit(window, "Grace", answer="keep")
    assert window.elsewhere.show_button.text() == "Show Ada"
    window.elsewhere.show_button.click()
    assert window.header.patient_label.text() == "Ada"
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK
    assert not window.elsewhere.isVisible()


def test_cancel_starts_nothing(treating_ada: MainWindow) -> None:
    window = treating_ada
    start_visit(window, "Grace", answer="cancel")
    assert window.header.patient_label.text() == "Ada"
    assert len(window.controller.keeper.store.open_visits()) == 1
    assert window.tiles["97110"].state_label.text() == RUNNING_MARK


def test_no_question_when_nothing_runs(window: MainWindow) -> None:
    start_visit(window, "Ada")
    window.controller.toggle("97110")
    window.controller.toggle("97110")
    assert start_visit(window, "Grace", answer="cancel") == []
    assert window.header.patient_label.text() == "Grace"
    assert window.tiles["97110"].state_label.text() == STOPPED_MARK


def test_performer_starts_again_as_the_provider_for_each_visit(window: MainWindow) -> None:
    start_visit(window, "Ada")
    box = window.header.performer_box
    box.setCurrentIndex(box.findData(Performer.PTA.value))
    assert window.controller.performer is Performer.PTA
    start_visit(window, "Grace")
    assert window.controller.performer is Performer.PT
    assert box.currentText() == "Performed by PT"
    window.controller.toggle("97110")
    (segment,) = window.controller.keeper.store.running_segments()
    assert segment.performer is Performer.PT


def test_an_assistants_own_visits_are_pta_time(make_window: WindowMaker) -> None:
    window = make_window(settings=Settings(provider="Sam Lee", credentials="PTA"))
    start_visit(window, "Ada")
    assert window.header.performer_box.currentText() == "Performed by PTA"
    assert window.controller.performer is Performer.PTA


def test_a_returning_patient_brings_their_payer_and_mrn(window: MainWindow) -> None:
    start_visit(window, "Ada Lovelace", Payer.COMMERCIAL, mrn="MRN-111")
    window.controller.end_visit()
    dialog = StartVisitDialog(
        window.controller.patient_names(), window.controller.returning_patient, window
    )
    assert dialog.payer() is Payer.MEDICARE  # the dialog's default
    dialog.name_edit.setText("Ada Lovelace")
    assert dialog.payer() is Payer.COMMERCIAL
    assert dialog.mrn() == "MRN-111"
    assert dialog.returning_label.text() == "Returning patient: payer and MRN from the last visit."
    dialog.name_edit.setText("Grace Hopper")
    assert dialog.returning_label.text() == ""
