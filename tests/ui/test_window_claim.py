"""The window's totals show the claim the visit is billed on: what visit show, the PDFs and
the CSV say (issue 13: "The window's totals … agree with it")."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ptclock.claim_desk import claim_for_visit_id
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.main_window import MainWindow


def test_a_second_visit_of_the_day_shows_the_pooled_claim(
    window: MainWindow, clock: FakeClock, qtbot: QtBot
) -> None:
    # CMS Pub. 100-04 ch. 5 §20.2: a patient's timed minutes of one date are counted
    # together; 20 + 20 minutes of 97110 are 3 units, not 1 + 1.
    controller = window.controller
    controller.start_visit("Ada Lovelace", Payer.MEDICARE, "MRN-1")
    controller.toggle("97110")
    clock.advance(minutes=20)
    controller.end_visit()
    controller.start_visit("Ada Lovelace", Payer.MEDICARE, "MRN-1")
    controller.toggle("97110")
    clock.advance(minutes=20)
    window.tick()
    claim = claim_for_visit_id(controller.keeper, controller.visit_id)
    assert [(line.code, line.units, line.modifiers) for line in claim.lines] == [
        ("97110", 3, ("GP",))
    ]
    assert window.totals.units_label.text() == "Total: 3 units"
    assert window.totals.rule_label.text().endswith("one claim with visit 1")
    assert window.totals.allocation_label.text() == "Billed: 97110 × 3"
    assert window.totals.modifiers_label.text() == "Modifiers — 97110: GP"
    assert window.tiles["97110"].time_label.text() == "20:00"  # this visit's own timer
