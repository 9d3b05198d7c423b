"""The report model: every figure a visit summary or a day report shows, as plain data.

Pure: built from tallies (timing) and settings; no Qt, no SQL. The renderers only lay it
out, so what the PDF, the printer and the CSV say cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from ptclock.billing import Rule
from ptclock.settings import Settings
from ptclock.timing.claim import ClaimReview
from ptclock.timing.clock import zone_from_name
from ptclock.timing.records import Payer, Visit
from ptclock.timing.tally import VisitTally


@dataclass(frozen=True)
class Provider:
    name: str
    credentials: str
    npi: str
    clinic_name: str
    clinic_address: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Provider:
        return cls(
            settings.provider,
            settings.credentials,
            settings.npi,
            settings.clinic_name,
            settings.clinic_address,
        )

    @property
    def signature_name(self) -> str:
        return ", ".join(part for part in (self.name, self.credentials) if part)

    def for_visit(self, visit: Visit) -> Provider:
        """The provider of ``visit``, as stored with it when it started; this (the configured
        provider) fills only what was never recorded: a visit started before any provider
        was set is this install's provider's, and a visit an older ptclock recorded with the
        name only takes this provider's credentials and NPI when the name is the same. The
        clinic is the configured one."""
        if not visit.provider and not visit.provider_npi:
            return self
        if not visit.provider_npi and visit.provider == self.name:
            return replace(self, credentials=visit.provider_credentials or self.credentials)
        return replace(
            self,
            name=visit.provider,
            credentials=visit.provider_credentials,
            npi=visit.provider_npi,
        )

    def treated(self, visit: Visit) -> bool:
        """Whether ``visit`` belongs in this provider's day report: recorded for them (the
        same name, and the same NPI when both are known), or before any provider was set
        (an install's first visits, whose provider is the one configured since)."""
        if not visit.provider and not visit.provider_npi:
            return True
        if visit.provider_npi and self.npi and visit.provider_npi != self.npi:
            return False
        return visit.provider == self.name

    def pdf_refusal(self) -> str | None:
        """Why a PDF cannot be signed by this provider (no name or no NPI), or None."""
        if self.name and self.npi:
            return None
        return f"set the provider's name and NPI first: {PROVIDER_SETUP}"


PROVIDER_SETUP = (
    "Tools → Settings… in the window, or ptclock setup --provider NAME --credentials TEXT "
    "--npi NPI --clinic NAME"
)
"""Where the provider and clinic are filled in (the window, or headless)."""


@dataclass(frozen=True)
class SummaryLine:
    code: str
    descriptor: str
    modifiers: tuple[str, ...]
    minutes: int
    units: int
    timed: bool
    blocks: tuple[str, ...]
    """Clock-time blocks it was performed in (10:02–10:17): the evidence for distinct blocks."""
    allocation: str
    body_part: str = ""
    exercises: str = ""
    goal: str = ""
    payment: Decimal | None = None
    """Estimated payment (fee schedule × units, CQ at 85%); None without a fee."""


@dataclass(frozen=True)
class Correction:
    at: str
    code: str
    change: str
    reason: str


@dataclass(frozen=True)
class VisitSummary:
    visit_id: int
    provider: Provider
    patient: str
    mrn: str
    payer: str
    date_of_service: date
    start_time: str
    end_time: str
    status: str
    rule: Rule
    rule_words: str
    lines: tuple[SummaryLine, ...]
    timed_minutes: int
    treatment_minutes: int
    total_units: int
    allocation_words: str
    ties: tuple[str, ...]
    corrections: tuple[Correction, ...]
    note: str
    checks: tuple[str, ...] = ()
    """Edits, pooling, KX and student-time notices from the claim review."""
    modifier_notes: tuple[str, ...] = ()
    """Each modifier with its one-sentence reason."""
    total_payment: Decimal | None = None

    @property
    def billed_lines(self) -> tuple[SummaryLine, ...]:
        return tuple(line for line in self.lines if line.units > 0)


@dataclass(frozen=True)
class DayRow:
    visit_id: int
    time: str
    patient: str
    codes: str
    timed_minutes: int
    units: int


@dataclass(frozen=True)
class DaySummary:
    day: date
    provider: Provider
    rows: tuple[DayRow, ...]
    visits: tuple[VisitSummary, ...]
    timed_minutes: int
    treatment_minutes: int
    total_units: int
    covered_minutes: int
    """Clock time covered by the provider's timers that day (overlaps counted once)."""
    overlap_minutes: int
    """Clock time during which two or more of the provider's timers ran at once."""

    @property
    def total_payment(self) -> Decimal | None:
        known = [v.total_payment for v in self.visits if v.total_payment is not None]
        return sum(known, Decimal(0)) if known else None

    @property
    def warnings(self) -> tuple[str, ...]:
        found = []
        if self.overlap_minutes:
            found.append(
                f"Timers of this provider overlapped for {self.overlap_minutes} minutes: "
                "check that concurrent time was allowed."
            )
        if self.timed_minutes > self.covered_minutes:
            found.append(
                f"Billed timed minutes ({self.timed_minutes}) exceed the clock time covered by "
                f"timers ({self.covered_minutes}); the difference comes from manual corrections "
                "— check that it is documented."
            )
        return tuple(found)


def _clock(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def _minutes_change(seconds: int) -> str:
    sign = "+" if seconds > 0 else "−"
    whole, rest = divmod(abs(seconds), 60)
    return f"{sign}{whole} min" + (f" {rest} s" if rest else "")


def modifiers_for(payer: Payer, timed_or_untimed: bool) -> tuple[str, ...]:
    """GP marks physical therapy services on Medicare claims (BILLING_RULES.md, modifiers)."""
    return ("GP",) if payer is Payer.MEDICARE and timed_or_untimed else ()


def allocation_words(
    timed: bool, minutes: int, units: int, full_units: int, extra_unit: bool, rule: Rule
) -> str:
    """How a line got its units, in words (the evidence a biller or auditor reads)."""
    if not timed:
        return "untimed: billed once per visit" if units else "untimed: no time recorded"
    if minutes == 0:
        return "no time recorded"
    if rule is Rule.AMA:
        return f"{minutes} minutes counted alone: {'no unit' if not units else f'{units} unit(s)'}"
    if units == 0:
        return "no unit: its minutes count in the pooled total"
    parts = []
    if full_units:
        parts.append(f"{full_units} full 15-minute unit{'s' if full_units > 1 else ''}")
    if extra_unit:
        parts.append("1 unit for its remaining minutes")
    return " + ".join(parts)


def visit_summary(
    tally: VisitTally, provider: Provider, claim: ClaimReview | None = None
) -> VisitSummary:
    record = tally.record
    visit = record.visit
    zone = zone_from_name(visit.zone)
    notes = {note.code: note for note in record.code_notes}
    billing = tally.billing
    lines = []
    for line, billed in zip(tally.codes, billing.lines, strict=True):
        blocks = tuple(
            f"{_clock(block.started_at, zone)}–"
            + (_clock(block.ended_at, zone) if block.ended_at else "running")
            for block in line.blocks
            if block.ended_at is None or block.ended_at > block.started_at
        )
        allocation = allocation_words(
            line.timed, line.minutes, line.units, billed.full_units, billed.extra_unit, tally.rule
        )
        note = notes.get(line.code)
        lines.append(
            SummaryLine(
                code=line.code,
                descriptor=line.descriptor,
                modifiers=(
                    claim.modifiers_of(line.code) if claim else modifiers_for(visit.payer, True)
                ),
                minutes=line.minutes,
                units=line.units,
                timed=line.timed,
                blocks=blocks,
                allocation=allocation,
                body_part=note.body_part if note else "",
                exercises=note.exercises if note else "",
                goal=note.goal if note else "",
                payment=claim.payments.get(line.code) if claim else None,
            )
        )
    if tally.rule is Rule.CMS:
        explanation = (
            f"{billing.timed_minutes} total timed minutes give {billing.timed_units} timed "
            "units; each code first gets its full 15-minute units, the rest go to the codes "
            "with the most remaining minutes."
        )
    else:
        explanation = (
            "Each timed code is counted alone: 8 minutes give the first unit, then one more "
            "every 15 minutes."
        )
    corrections = tuple(
        Correction(
            adj.made_at.astimezone(zone).strftime("%H:%M"),
            adj.code,
            _minutes_change(adj.seconds) + (" (moved)" if adj.transfer_id is not None else ""),
            adj.reason,
        )
        for adj in record.adjustments
    )
    return VisitSummary(
        visit_id=visit.id,
        provider=provider,
        patient=visit.patient,
        mrn=visit.mrn,
        payer={"medicare": "Medicare", "commercial": "Commercial", "other": "Other"}[
            visit.payer.value
        ],
        date_of_service=visit.date_of_service,
        start_time=_clock(visit.started_at, zone),
        end_time=_clock(visit.ended_at, zone) if visit.ended_at else "in progress",
        status=visit.status.value,
        rule=tally.rule,
        rule_words=tally.rule.in_words,
        lines=tuple(lines),
        timed_minutes=billing.timed_minutes,
        treatment_minutes=billing.treatment_minutes,
        total_units=billing.total_units,
        allocation_words=explanation,
        ties=tuple(tie.message for tie in billing.ties),
        corrections=corrections,
        note=visit.note,
        checks=claim.warnings if claim else (),
        modifier_notes=tuple(f"{m.code} {m.modifier}: {m.why}" for m in claim.modifiers)
        if claim
        else (),
        total_payment=claim.total_payment if claim else None,
    )


def covered_and_overlap(intervals: list[tuple[datetime, datetime]]) -> tuple[int, int]:
    """Whole minutes covered by the union of intervals, and minutes covered more than once."""
    total = sum(((end - start) for start, end in intervals), timedelta())
    union = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                union += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        union += current[1] - current[0]
    return int(union.total_seconds() // 60), int((total - union).total_seconds() // 60)


def day_summary(
    day: date,
    tallies: list[VisitTally],
    provider: Provider,
    claims: list[ClaimReview] | None = None,
) -> DaySummary:
    reviews: list[ClaimReview | None] = list(claims) if claims else [None] * len(tallies)
    visits = tuple(
        visit_summary(tally, provider.for_visit(tally.record.visit), claim)
        for tally, claim in zip(tallies, reviews, strict=True)
    )
    rows = tuple(
        DayRow(
            summary.visit_id,
            summary.start_time,
            summary.patient,
            ", ".join(f"{line.code}×{line.units}" for line in summary.billed_lines) or "—",
            summary.timed_minutes,
            summary.total_units,
        )
        for summary in visits
    )
    intervals = [
        (block.started_at, block.ended_at or tally.now)
        for tally in tallies
        for line in tally.codes
        if line.timed
        for block in line.blocks
        if (block.ended_at or tally.now) > block.started_at
    ]
    covered, overlap = covered_and_overlap(intervals)
    return DaySummary(
        day=day,
        provider=provider,
        rows=rows,
        visits=visits,
        timed_minutes=sum(v.timed_minutes for v in visits),
        treatment_minutes=sum(v.treatment_minutes for v in visits),
        total_units=sum(v.total_units for v in visits),
        covered_minutes=covered,
        overlap_minutes=overlap,
    )
