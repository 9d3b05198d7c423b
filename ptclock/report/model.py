"""The report model: every figure a visit summary or a day report shows, as plain data.

Pure: built from tallies (timing), the claims (``ptclock.claims``, gathered by the caller —
``report.export`` asks ``ptclock.claim_desk``) and settings; no Qt, no SQL. The units,
modifiers, estimated payment and billing checks are the claim's — one per patient, payer and
date of service — so the PDF, the printer, the CSV, ``ptclock claim`` and ``visit show``
cannot disagree; a visit's own timers (minutes, clock-time blocks, notes, corrections) are
the visit's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from ptclock.billing import Rule
from ptclock.claims import Claim, ClaimLine
from ptclock.formats import wall_time
from ptclock.settings import Settings
from ptclock.timing.clock import zone_from_name
from ptclock.timing.records import Payer, Visit
from ptclock.timing.tally import VisitTally

PAYER_NAMES = {Payer.MEDICARE: "Medicare", Payer.COMMERCIAL: "Commercial", Payer.OTHER: "Other"}


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
    """One code's time in this visit (its own timers; the units are the claim's)."""

    code: str
    descriptor: str
    minutes: int
    timed: bool
    blocks: tuple[str, ...]
    """Clock-time blocks it was performed in (10:02–10:17): the evidence for distinct blocks."""
    body_part: str = ""
    exercises: str = ""
    goal: str = ""


@dataclass(frozen=True)
class ClaimSummary:
    """The claim of one patient, payer and date of service, as the reports show it."""

    date_of_service: date
    patient: str
    mrn: str
    payer: Payer
    rule: Rule
    rule_words: str
    visit_ids: tuple[int, ...]
    providers: tuple[Provider, ...]
    """The providers of its visits (one, but for a patient seen by two on one date)."""
    lines: tuple[ClaimLine, ...]
    """The claim's own lines (estimated payment: fee × units, CQ at 85%, MPPR; None: no fee)."""
    timed_minutes: int
    """Total timed code treatment minutes of the claim's visits (one-on-one, pooled)."""
    treatment_minutes: int
    allocation_words: str
    """How the rule gives units, in words."""
    allocations: tuple[str, ...]
    """Per code: its minutes and how its units were allocated."""
    warnings: tuple[str, ...]
    """Edits, pooling, KX, overlaps, clock notes and student-time notices."""
    modifier_notes: tuple[str, ...] = ()
    """Each modifier with its one-sentence reason."""
    total_payment: Decimal | None = None

    @property
    def total_units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def payer_name(self) -> str:
        return PAYER_NAMES[self.payer]


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
    """This visit's own timed minutes (the claim's, pooled, are ``claim.timed_minutes``)."""
    treatment_minutes: int
    corrections: tuple[Correction, ...]
    note: str
    claim: ClaimSummary
    """The claim this visit is billed on (with the date's other visits of the patient and
    payer)."""

    @property
    def other_visits(self) -> tuple[int, ...]:
        """The other visits billed on the same claim."""
        return tuple(v for v in self.claim.visit_ids if v != self.visit_id)

    @property
    def total_units(self) -> int:
        return self.claim.total_units

    @property
    def total_payment(self) -> Decimal | None:
        return self.claim.total_payment

    @property
    def checks(self) -> tuple[str, ...]:
        return self.claim.warnings

    @property
    def modifier_notes(self) -> tuple[str, ...]:
        return self.claim.modifier_notes


@dataclass(frozen=True)
class DaySummary:
    day: date
    provider: Provider
    claims: tuple[ClaimSummary, ...]
    """The date's claims with a visit of this provider's, one row per claim line."""
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
        known = [c.total_payment for c in self.claims if c.total_payment is not None]
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


def _minutes_change(seconds: int) -> str:
    sign = "+" if seconds > 0 else "−"
    whole, rest = divmod(abs(seconds), 60)
    return f"{sign}{whole} min" + (f" {rest} s" if rest else "")


def allocation_words(timed: bool, minutes: int, units: int, full_units: int, rule: Rule) -> str:
    """How a line got its units, in words (the evidence a biller or auditor reads)."""
    if not timed:
        return "untimed: billed once per session" if units else "untimed: not billed"
    if minutes == 0:
        return "no time recorded"
    if rule is Rule.AMA:
        return f"counted alone: {units or 'no'} unit{'' if units == 1 else 's'}"
    if units == 0:
        return "no unit: its minutes count in the pooled total"
    parts = []
    full_units = min(full_units, units)
    if full_units:
        parts.append(f"{full_units} full 15-minute unit{'s' if full_units > 1 else ''}")
    if units > full_units:
        parts.append("1 unit for its remaining minutes")
    return " + ".join(parts)


def claim_summary(
    claim: Claim, providers: Sequence[Provider], modifier_notes: Sequence[str] = ()
) -> ClaimSummary:
    """The claim as the reports show it; ``providers``: of its visits, ``modifier_notes``: each
    modifier with its reason (``claim_desk.modifier_reasons``)."""
    billing = claim.billing
    allocations = []
    for billed in billing.lines:
        units = sum(line.units for line in claim.lines_of(billed.code))
        if billed.minutes == 0 and units == 0:
            continue
        if not units and not (billed.timed and claim.rule is Rule.CMS):
            how = "not billed (see the billing checks)"
        else:
            how = allocation_words(
                billed.timed, billed.minutes, units, billed.full_units, claim.rule
            )
        allocations.append(f"{billed.code}: {billed.minutes} min — {how}")
    if claim.rule is Rule.CMS:
        timed_units = sum(line.units for line in claim.lines if line.timed)
        explanation = (
            f"{billing.timed_minutes} total timed minutes give {timed_units} timed "
            f"unit{'' if timed_units == 1 else 's'}; each code first gets its full 15-minute "
            "units, the rest go to the codes with the most remaining minutes."
        )
    else:
        explanation = (
            "Each timed code is counted alone: 8 minutes give the first unit, then one more "
            "every 15 minutes."
        )
    return ClaimSummary(
        date_of_service=claim.date_of_service,
        patient=claim.patient,
        mrn=claim.mrn,
        payer=claim.payer,
        rule=claim.rule,
        rule_words=claim.rule.in_words,
        visit_ids=claim.visit_ids,
        providers=tuple(dict.fromkeys(providers)),
        lines=claim.lines,
        timed_minutes=billing.timed_minutes,
        treatment_minutes=billing.treatment_minutes,
        allocation_words=explanation,
        allocations=tuple(allocations),
        warnings=claim.warnings,
        modifier_notes=tuple(modifier_notes),
        total_payment=claim.total_payment,
    )


def visit_summary(tally: VisitTally, provider: Provider, claim: ClaimSummary) -> VisitSummary:
    """The visit's summary: its own timers, and ``claim``, the claim it is billed on."""
    record = tally.record
    visit = record.visit
    if visit.id not in claim.visit_ids:
        raise ValueError(f"visit {visit.id} is not on the claim of visits {claim.visit_ids}")
    zone = zone_from_name(visit.zone)
    notes = {note.code: note for note in record.code_notes}
    lines = []
    for line in tally.codes:
        blocks = tuple(
            f"{wall_time(block.started_at, zone)}–"
            + (wall_time(block.ended_at, zone) if block.ended_at else "running")
            for block in line.blocks
            if block.ended_at is None or block.ended_at > block.started_at
        )
        note = notes.get(line.code)
        lines.append(
            SummaryLine(
                code=line.code,
                descriptor=line.descriptor,
                minutes=line.minutes,
                timed=line.timed,
                blocks=blocks,
                body_part=note.body_part if note else "",
                exercises=note.exercises if note else "",
                goal=note.goal if note else "",
            )
        )
    corrections = tuple(
        Correction(
            wall_time(adj.made_at, zone),
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
        payer=PAYER_NAMES[visit.payer],
        date_of_service=visit.date_of_service,
        start_time=wall_time(visit.started_at, zone),
        end_time=wall_time(visit.ended_at, zone) if visit.ended_at else "in progress",
        status=visit.status.value,
        rule=tally.rule,
        rule_words=tally.rule.in_words,
        lines=tuple(lines),
        timed_minutes=tally.billing.timed_minutes,
        treatment_minutes=tally.billing.treatment_minutes,
        corrections=corrections,
        note=visit.note,
        claim=claim,
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


def _timed_intervals(tallies: Sequence[VisitTally]) -> list[tuple[datetime, datetime]]:
    return [
        (block.started_at, block.ended_at or tally.now)
        for tally in tallies
        for line in tally.codes
        if line.timed
        for block in line.blocks
        if (block.ended_at or tally.now) > block.started_at
    ]


def day_summary(
    day: date,
    tallies: Sequence[VisitTally],
    provider: Provider,
    claims: Sequence[ClaimSummary],
    claimed: Sequence[VisitTally] | None = None,
) -> DaySummary:
    """The provider's day: ``tallies`` are their visits, ``claims`` the date's claims those
    visits are on (each visit on exactly one), ``claimed`` every visit on those claims
    (default: ``tallies``). A claim another provider shares (one patient, one day, both
    treating) bills their minutes too, so the clock time its minutes are checked against
    is every claimed visit's; the overlap warning stays this provider's own."""
    claim_of = {visit_id: claim for claim in claims for visit_id in claim.visit_ids}
    visits = tuple(
        visit_summary(
            tally, provider.for_visit(tally.record.visit), claim_of[tally.record.visit.id]
        )
        for tally in tallies
    )
    covered, overlap = covered_and_overlap(_timed_intervals(tallies))
    if claimed is not None:
        covered = covered_and_overlap(_timed_intervals(claimed))[0]
    return DaySummary(
        day=day,
        provider=provider,
        claims=tuple(claims),
        visits=visits,
        timed_minutes=sum(c.timed_minutes for c in claims),
        treatment_minutes=sum(c.treatment_minutes for c in claims),
        total_units=sum(c.total_units for c in claims),
        covered_minutes=covered,
        overlap_minutes=overlap,
    )
