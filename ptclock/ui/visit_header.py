"""The visit header: who, which payer and rule, the date, how long, Pause/Resume, End."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ptclock.billing import Rule
from ptclock.timing.records import Performer, VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import words

PAYER_WORDS = {"medicare": "Medicare", "commercial": "Commercial", "other": "Other payer"}


class VisitHeader(QStackedWidget):
    start_visit = Signal()
    switch_rule = Signal(object)
    pause_resume = Signal()
    end_visit = Signal()
    performer_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton("Start visit  (Ctrl+N)")
        self.start_button.setAccessibleName("Start visit")
        self.start_button.setMinimumHeight(64)
        big = QFont(self.start_button.font())
        big.setPointSizeF(big.pointSizeF() + 6)
        big.setBold(True)
        self.start_button.setFont(big)
        self.start_button.clicked.connect(self.start_visit)

        self.patient_label = QLabel()
        self.patient_label.setFont(big)
        self.patient_label.setAccessibleName("Patient")
        self.details_label = QLabel()
        self.details_label.setAccessibleName("Payer, date of service and visit time")
        self.rule_button = QPushButton()
        self.rule_button.setMinimumHeight(44)
        self.rule_button.clicked.connect(self._switch_rule)
        self.pause_button = QPushButton()
        self.pause_button.setMinimumHeight(44)
        self.pause_button.clicked.connect(self.pause_resume)
        self.performer_box = QComboBox()
        self.performer_box.setAccessibleName("Who performs the next timer")
        self.performer_box.setMinimumHeight(44)
        for performer, words_ in (
            (Performer.PT, "Performed by PT"),
            (Performer.PTA, "Performed by PTA"),
            (Performer.STUDENT, "Student (not billable)"),
        ):
            self.performer_box.addItem(words_, performer.value)
        self.performer_box.currentIndexChanged.connect(
            lambda _index: self.performer_changed.emit(Performer(self.performer_box.currentData()))
        )
        self.end_button = QPushButton("End visit")
        self.end_button.setMinimumHeight(44)
        self.end_button.setAccessibleName("End visit")
        self.end_button.clicked.connect(self.end_visit)

        who = QVBoxLayout()
        who.addWidget(self.patient_label)
        who.addWidget(self.details_label)
        visit_row = QHBoxLayout()
        visit_row.addLayout(who, 1)
        visit_row.addWidget(self.performer_box)
        visit_row.addWidget(self.rule_button)
        visit_row.addWidget(self.pause_button)
        visit_row.addWidget(self.end_button)
        visit_page = QWidget()
        visit_page.setLayout(visit_row)
        self.addWidget(self.start_button)
        self.addWidget(visit_page)
        self._rule = Rule.CMS

    def show_performer(self, performer: Performer) -> None:
        index = self.performer_box.findData(performer.value)
        if index != self.performer_box.currentIndex():
            self.performer_box.setCurrentIndex(index)

    def _switch_rule(self) -> None:
        self.switch_rule.emit(Rule.AMA if self._rule is Rule.CMS else Rule.CMS)

    def show_tally(self, tally: VisitTally | None) -> None:
        if tally is None:
            self.setCurrentIndex(0)
            return
        self.setCurrentIndex(1)
        visit = tally.record.visit
        self._rule = tally.rule
        _set(self.patient_label, visit.patient)
        state = {
            VisitStatus.OPEN: "",
            VisitStatus.PAUSED: " · PAUSED",
            VisitStatus.ENDED: " · ENDED",
        }[visit.status]
        details = (
            f"{PAYER_WORDS.get(visit.payer.value, visit.payer.value)} · {tally.rule.in_words}"
            f" · Date of service {visit.date_of_service.isoformat()}"
            f" · Visit time {words.elapsed(tally.elapsed_seconds)}{state}"
        )
        _set(self.details_label, details)
        other = Rule.AMA if tally.rule is Rule.CMS else Rule.CMS
        other_words = "AMA per-code" if other is Rule.AMA else "CMS 8-minute"
        _set(self.rule_button, f"Use {other_words} rule")
        self.rule_button.setAccessibleName(f"Switch the billing rule to {other_words}")
        paused = visit.status is VisitStatus.PAUSED
        _set(self.pause_button, "▶ Resume  (Space)" if paused else "❚❚ Pause  (Space)")
        self.pause_button.setAccessibleName("Resume visit" if paused else "Pause visit")
        self.pause_button.setEnabled(visit.is_open)
        self.end_button.setEnabled(visit.is_open)


def _set(widget: QLabel | QPushButton, text: str) -> None:
    if widget.text() != text:
        widget.setText(text)
