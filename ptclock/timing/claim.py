"""The claim review of a visit: NCCI edits against real time blocks, modifiers, same-day
pooling, estimated payment and the KX threshold — while the patient is still there.

Pure: it combines what the visit recorded (timing) with the rules (billing). Sources are in
the billing modules it calls; the sentences here are what the therapist reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ptclock.billing import Billing, Catalog, Rule, bill
from ptclock.billing.edits import EditTable, PtpEdit
from ptclock.billing.money import FeeSchedule, KxStatus, line_payment
from ptclock.billing.time_blocks import BlockCheck, check_blocks
from ptclock.timing.clock import zone_from_name
from ptclock.timing.records import Payer
from ptclock.timing.tally import VisitTally

CQ_SHARE = 0.10
"""CQ once a PT assistant furnished more than 10% of a line's minutes."""


@dataclass(frozen=True)
class ModifierOverride:
    code: str
    modifier: str
    add: bool
    reason: str


@dataclass(frozen=True)
class Modifier:
    code: str
    modifier: str
    why: str
    """One sentence: why ptclock suggests it, or the therapist's reason for an override."""
    overridden: bool = False


@dataclass(frozen=True)
class EditFinding:
    edit: PtpEdit
    blocks: BlockCheck | None

    @property
    def message(self) -> str:
        first, second = self.edit.column1, self.edit.column2
        head = f"{first} + {second}: only {first} is paid"
        if self.edit.modifier == 0:
            return f"{head}; no modifier can bypass this edit."
        if self.blocks is None:
            return f"{head} unless {second} has a modifier backed by documentation."
        if self.blocks.supportable:
            return f"{head} unless {second} gets 59/XU — {self.blocks.message}."
        reason = self.blocks.message.removeprefix("not supportable: ")
        return f"{head}; 59/XU not supportable: {reason}."


@dataclass(frozen=True)
class DayPool:
    """CMS pools one patient's timed minutes of one date of service across visits."""

    visit_ids: tuple[int, ...]
    billing: Billing
    """The timed codes' minutes of all the visits, pooled."""
    untimed_units: int
    """Untimed codes stay once per visit."""
    visits_units: int
    """Σ of each visit's own total units."""

    @property
    def total_units(self) -> int:
        return self.billing.total_units + self.untimed_units

    @property
    def difference(self) -> int:
        return self.total_units - self.visits_units

    @property
    def message(self) -> str:
        return (
            f"Same-day pooling (CMS): visits {', '.join(map(str, self.visit_ids))} together "
            f"have {self.billing.timed_minutes} timed minutes: {self.total_units} units; "
            f"billed separately they give {self.visits_units} ({self.difference:+d})."
        )


@dataclass(frozen=True)
class ClaimReview:
    edits: tuple[EditFinding, ...]
    modifiers: tuple[Modifier, ...]
    payments: dict[str, Decimal | None]
    total_payment: Decimal | None
    kx: KxStatus | None
    pool: DayPool | None
    student_minutes: dict[str, int]
    over_a_day: tuple[tuple[str, int], ...] = ()
    """(code, minutes) of lines with more than 24 hours on one code."""
    clock_notes: tuple[str, ...] = ()
    """Sleeps and clock changes while a timer ran, in words."""

    def modifiers_of(self, code: str) -> tuple[str, ...]:
        return tuple(m.modifier for m in self.modifiers if m.code == code)

    @property
    def warnings(self) -> tuple[str, ...]:
        found = [
            f"{code}: {minutes // 60} h {minutes % 60:02d} min on one code is more than 24 "
            "hours: check the timer (left running?) and correct the time with a reason."
            for code, minutes in self.over_a_day
        ]
        found += list(self.clock_notes)
        found += [finding.message for finding in self.edits]
        found += [
            f"{code}: {minutes} student minutes are not billable and are left out."
            for code, minutes in self.student_minutes.items()
        ]
        if self.pool is not None and self.pool.difference:
            found.append(self.pool.message)
        if self.kx is not None and (self.kx.passed or self.kx.approaching):
            found.append(self.kx.message)
        return tuple(found)


def review(
    tally: VisitTally,
    catalog: Catalog,
    edits: EditTable,
    fees: FeeSchedule,
    kx_threshold: Decimal | None = None,
    year_to_date_before: Decimal = Decimal(0),
    same_day: list[VisitTally] | None = None,
    overrides: tuple[ModifierOverride, ...] = (),
) -> ClaimReview:
    visit = tally.record.visit
    medicare = visit.payer is Payer.MEDICARE
    zone = zone_from_name(visit.zone)
    billed = [line for line in tally.codes if line.seconds > 0 or line.units > 0]
    findings = []
    for edit in edits.applying(
        [line.code for line in billed], visit.date_of_service, visit.payer.value
    ):
        blocks = (
            check_blocks(
                edit.column1,
                tally.evidence_intervals(edit.column1),
                edit.column2,
                tally.evidence_intervals(edit.column2),
                zone,
            )
            if edit.modifier == 1
            else None
        )
        findings.append(EditFinding(edit, blocks))

    suggested: list[Modifier] = []
    for line in tally.codes:
        if line.units == 0:
            continue
        if medicare:
            suggested.append(
                Modifier(line.code, "GP", "Physical therapy service billed to Medicare.")
            )
        for finding in findings:
            if finding.edit.column2 == line.code and finding.blocks and finding.blocks.supportable:
                name = "XU" if medicare else "59"
                suggested.append(
                    Modifier(
                        line.code,
                        name,
                        f"Performed in a distinct time block from {finding.edit.column1}: "
                        f"{finding.blocks.message.removeprefix('59/XU supportable: ')}.",
                    )
                )
        if medicare and line.seconds and line.assistant_seconds > CQ_SHARE * line.seconds:
            suggested.append(
                Modifier(
                    line.code,
                    "CQ",
                    f"A PT assistant furnished {line.assistant_seconds // 60} of "
                    f"{line.seconds // 60} minutes (more than 10%); Medicare pays 85%.",
                )
            )

    year = visit.date_of_service.year
    payments: dict[str, Decimal | None] = {}
    unpaid = edited_out(findings, apply_overrides(suggested, overrides))
    for line in tally.codes:
        cq = any(m.code == line.code and m.modifier == "CQ" for m in suggested)
        units = 0 if line.code in unpaid else line.units
        payments[line.code] = line_payment(
            fees.amount(line.code, visit.payer.value, year), units, cq
        )
    known = [amount for amount in payments.values() if amount is not None]
    total = sum(known, Decimal(0)) if known else None

    kx = None
    if medicare:
        kx = KxStatus(year, kx_threshold, year_to_date_before + (total or Decimal(0)))
        if kx.passed:
            for line in tally.codes:
                if line.units:
                    suggested.append(
                        Modifier(
                            line.code,
                            "KX",
                            f"The patient's estimated therapy spending this year "
                            f"(${kx.year_to_date:,.2f}) is past the {year} threshold "
                            f"(${kx_threshold:,.2f}); document medical necessity.",
                        )
                    )

    modifiers = apply_overrides(suggested, overrides)
    pool = None
    if same_day and tally.rule is Rule.CMS:
        pool = day_pool([tally, *same_day], catalog)
    student = {
        line.code: line.student_seconds // 60 for line in tally.codes if line.student_seconds >= 60
    }
    long_lines = tuple((line.code, line.minutes) for line in tally.billing.over_a_day)
    return ClaimReview(
        tuple(findings),
        tuple(modifiers),
        payments,
        total,
        kx,
        pool,
        student,
        long_lines,
        tuple(note.message(zone) for note in tally.record.clock_notes),
    )


BYPASS_MODIFIERS = {"59", "XE", "XS", "XP", "XU"}


def edited_out(findings: list[EditFinding], modifiers: list[Modifier]) -> set[str]:
    """Column-2 codes an edit leaves unpaid: indicator 0, or no 59/X modifier on the line."""
    unpaid = set()
    for finding in findings:
        second = finding.edit.column2
        bypassed = any(m.code == second and m.modifier in BYPASS_MODIFIERS for m in modifiers)
        if finding.edit.modifier == 0 or not bypassed:
            unpaid.add(second)
    return unpaid


def apply_overrides(
    suggested: list[Modifier], overrides: tuple[ModifierOverride, ...]
) -> list[Modifier]:
    """The therapist has the last word: an override adds or removes a modifier, with a reason."""
    result = list(suggested)
    for override in overrides:
        result = [
            m for m in result if not (m.code == override.code and m.modifier == override.modifier)
        ]
        if override.add:
            result.append(
                Modifier(
                    override.code,
                    override.modifier,
                    f"Added by the therapist: {override.reason}",
                    True,
                )
            )
    return result


def day_pool(tallies: list[VisitTally], catalog: Catalog) -> DayPool:
    minutes: dict[str, int] = {}
    untimed = 0
    for tally in tallies:
        for line in tally.codes:
            if line.timed:
                minutes[line.code] = minutes.get(line.code, 0) + line.minutes
            else:
                untimed += line.units
    pooled = bill(minutes, Rule.CMS, catalog)
    ids = tuple(sorted(t.record.visit.id for t in tallies))
    return DayPool(ids, pooled, untimed, sum(t.billing.total_units for t in tallies))
