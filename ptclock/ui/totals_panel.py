"""The billing details beside (wide window) or under (narrow window) the tiles: units, rule,
minutes, the distance to the next unit, ties, modifiers, the estimate and the checks.

None of it moves with the seconds: its texts change when a minute or the claim does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ptclock.billing import Rule
from ptclock.timing.tally import VisitTally
from ptclock.ui import words

if TYPE_CHECKING:
    from ptclock.claims import Claim


class TotalsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("totals")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.units_label = self._label(6, bold=True, name="Total units")
        self.rule_label = self._label(0, name="Billing rule")
        self.timed_label = self._label(3, name="Total timed minutes")
        self.treatment_label = self._label(3, name="Total treatment time")
        self.next_label = self._label(3, bold=True, name="Minutes to the next unit")
        self.floor_label = self._label(1, name="Unit lost below")
        self.allocation_label = self._label(1, name="Units per code")
        self.tie_label = self._label(0, name="Tie notice")
        self.tie_label.setObjectName("tie")
        self.payment_label = self._label(1, name="Estimated payment")
        self.modifiers_label = self._label(0, name="Modifiers")
        self.checks_label = self._label(0, name="Billing checks")
        self.checks_label.setObjectName("warning")
        self._labels = (
            self.units_label,
            self.rule_label,
            self.timed_label,
            self.treatment_label,
            self.next_label,
            self.floor_label,
            self.allocation_label,
            self.tie_label,
            self.payment_label,
            self.modifiers_label,
            self.checks_label,
        )
        """In the order of describe() + describe_claim()."""
        layout = QVBoxLayout(self)
        for label in self._labels:
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addStretch()
        self.show_tally(None)

    def _label(self, point_delta: int, bold: bool = False, name: str = "") -> QLabel:
        label = QLabel(self)
        font = QFont(label.font())
        font.setPointSizeF(font.pointSizeF() + point_delta)
        font.setBold(bold)
        label.setFont(font)
        label.setAccessibleName(name)
        return label

    def show_tally(self, tally: VisitTally | None, claim: Claim | None = None) -> None:
        texts = (
            ["No visit", "", "", "", "", "", "", ""] if tally is None else describe(tally, claim)
        )
        texts += describe_claim(claim)
        for label, text in zip(self._labels, texts, strict=True):
            if label.text() != text:
                label.setText(text)
            label.setVisible(bool(text))


def describe_claim(claim: Claim | None) -> list[str]:
    """Estimated payment, modifiers per code, and the checks (edits, pooling, KX)."""
    if claim is None:
        return ["", "", ""]
    payment = (
        f"Estimated payment: ${claim.total_payment:,.2f}" if claim.total_payment is not None else ""
    )
    codes = dict.fromkeys(line.code for line in claim.lines if line.modifiers)
    modifiers = "; ".join(f"{code}: {' '.join(claim.modifiers_of(code))}" for code in codes)
    checks = "\n".join(f"⚠ {warning}" for warning in claim.warnings)
    return [payment, f"Modifiers — {modifiers}" if modifiers else "", checks]


def describe(tally: VisitTally, claim: Claim | None = None) -> list[str]:
    """The panel's sentences: units, rule, timed, treatment, next, floor, per code, tie —
    of the claim the visit is on (the day's pooled minutes), else of the visit alone."""
    billing = claim.billing if claim is not None else tally.billing
    more = billing.next_unit_words() if tally.record.visit.is_open else None
    next_unit = f"{more} for the next unit" if more is not None else ""
    losses = billing.unit_loss_words()
    floor = f"Unit lost {losses[0]}" if billing.rule is Rule.CMS and losses else "; ".join(losses)
    allocation = ", ".join(f"{line.code} × {line.units}" for line in billing.lines if line.units)
    rule = tally.rule.in_words
    ids = claim.visit_ids if claim else ()
    others = [v for v in ids if v != tally.record.visit.id and v > 0]
    elsewhere = sum(1 for v in ids if v < 0)  # the same patient today on other workstations
    if others:
        rule += " · one claim with visit " + ", ".join(str(v) for v in others)
    if elsewhere:
        rule += (
            f"{' and' if others else ' · one claim with'} {elsewhere} "
            f"visit{'' if elsewhere == 1 else 's'} on another workstation"
        )
    return [
        f"Total: {words.units(billing.total_units)}",
        rule,
        f"Timed minutes: {billing.timed_minutes}",
        f"Treatment time: {billing.treatment_minutes} min",
        next_unit,
        floor,
        f"Billed: {allocation}" if allocation else "Billed: nothing yet",
        " ".join(tie.message for tie in billing.ties),
    ]
