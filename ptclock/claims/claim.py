"""The claim: what a biller submits for one patient, one payer and one date of service.

Built purely from that day's visit tallies (``timing.tally.VisitTally``) and the rules
(``billing``). Every rule below is cited where it comes from; docs/billing.md is the
project's summary of them.

1. **Which visits** (issue 13, defects 1, 2, 9): one claim per patient (the patient record,
   told apart by MRN), payer *of the visit* and date of service, for the visits billed under
   one unit rule. Pooling never mixes payers or rules: visits of another payer are another
   claim, and visits of one payer under two rules are two claims, with a warning.
2. **Minutes** (defect 3): timed minutes are one-on-one minutes, an overlapping second counted
   once (``one_on_one``); untimed codes are billed once per session (Pub. 100-04 ch. 5 §20.2).
3. **Units** (defect 9): under the CMS 8-minute rule the day's timed minutes of all the
   claim's visits are pooled and billed on one line per code and modifier set (Pub. 100-04
   ch. 5 §20.2: the count is per date of service; a timed code split over two lines of one
   date is rejected — First Coast, as reported in the issue; Medicaid and commercial billing
   guides say the same: one claim line per code with the total units). Under the AMA per-code
   rule each timed code is billed on the day's total minutes of that code (CPT's time rule
   counts a code's time on the date of the encounter; codes are never pooled with each
   other). The hints (next unit, spare minutes) are the pooled ``Claim.billing``.
4. **Payer rules** (defect 11): ``billing.payer_rules`` — a Medicare-bundled code (97010) is
   left off with a warning; a code Medicare does not pay but names a substitute for (97014,
   unattended electrical stimulation) is billed as that substitute (G0283), with the
   payer's sentence; one without a substitute stays, estimated at $0.
5. **Ties** (defect 5): where the CMS allocation leaves a tie, the allocation under which no
   NCCI edit applies is preferred (the rule leaves the choice to the therapist).
6. **NCCI edits** (defects 5, 6): an edit applies only between codes on the claim with units
   (docs/billing.md, "NCCI edits"), checked across all the claim's visits of the
   date; the time blocks of all the visits are the 59/XU evidence (CMS "Proper Use of
   Modifier 59", Example 9, ``billing.time_blocks``).
7. **Modifiers**: GP on every Medicare line (PT services, Pub. 100-04 ch. 5 §20.1); XU
   (Medicare) or 59 (other payers) on the column-2 code only when the blocks support it; CQ
   per 15-minute unit (``assistant``), so a code is on two lines only when the modifiers
   differ; KX when the patient's Medicare spending this year (passed in) with this claim
   passes the year's threshold. The therapist's overrides (from every visit of the claim,
   oldest first) have the last word; adding or removing CQ changes the estimate.
8. **Payment** (defects 7, 10): ``payment`` — fee × units, CQ at 85%, the MPPR for Medicare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import combinations
from typing import NamedTuple

from ptclock.billing import Billing, Catalog, Rule, bill, payer_note
from ptclock.billing.edits import BYPASS_MODIFIERS, EditFinding, EditTable
from ptclock.billing.money import FeeSchedule, KxStatus
from ptclock.billing.payer_rules import PayerNote, PayerStatus
from ptclock.billing.time_blocks import check_blocks
from ptclock.claims.assistant import UnitSplit, split_units, untimed_needs_cq
from ptclock.claims.one_on_one import timed_minutes
from ptclock.claims.payment import Priced, estimate
from ptclock.formats import wall_time
from ptclock.timing.clock import zone_from_name
from ptclock.timing.records import ModifierOverride, Payer
from ptclock.timing.tally import VisitTally

PT_MODIFIER = "GP"
ASSISTANT_MODIFIER = "CQ"
KX_MODIFIER = "KX"


@dataclass(frozen=True)
class ClaimRules:
    """What the claim is judged by: codes, edits in force, fees and KX thresholds."""

    catalog: Catalog
    edits: EditTable
    fees: FeeSchedule
    kx_thresholds: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimLine:
    code: str
    modifiers: tuple[str, ...]
    units: int
    minutes: int
    estimated_payment: Decimal | None
    """None when no fee is known for the code."""
    descriptor: str = ""
    timed: bool = True


@dataclass(frozen=True)
class Claim:
    date_of_service: date
    patient: str
    patient_id: int
    mrn: str
    payer: Payer
    rule: Rule
    visit_ids: tuple[int, ...]
    lines: tuple[ClaimLine, ...]
    warnings: tuple[str, ...]
    billing: Billing
    """The day's pooled minutes and units: totals and next-unit hints for the window."""
    edits: tuple[EditFinding, ...] = ()
    kx: KxStatus | None = None

    @property
    def total_payment(self) -> Decimal | None:
        known = [line.estimated_payment for line in self.lines]
        priced = [amount for amount in known if amount is not None]
        return sum(priced, Decimal(0)) if priced else None

    def lines_of(self, code: str) -> tuple[ClaimLine, ...]:
        return tuple(line for line in self.lines if line.code == code)

    def modifiers_of(self, code: str) -> tuple[str, ...]:
        """Every modifier on ``code``'s lines, in line order, each once."""
        return tuple(dict.fromkeys(m for line in self.lines_of(code) for m in line.modifiers))


class _Key(NamedTuple):
    day: date
    who: tuple[object, ...]
    """The patient: their record's id, else (name, MRN) for a visit without one."""
    payer: Payer
    rule: Rule


Overrides = Mapping[int, Sequence[ModifierOverride]]
"""The therapist's modifier overrides per visit id, oldest first."""


def build_claims(
    tallies: Iterable[VisitTally],
    rules: ClaimRules,
    overrides: Overrides | None = None,
    year_to_date: Mapping[int, Decimal] | None = None,
) -> list[Claim]:
    """The claims of these visits: one per date, patient, payer and rule, in visit order.

    ``year_to_date``: per patient id, the estimated Medicare spending of the patient's claims
    this year *before* the date (KX). ``overrides``: per visit id.
    """
    groups: dict[_Key, list[VisitTally]] = {}
    for tally in sorted(tallies, key=lambda t: (t.record.visit.started_at, t.record.visit.id)):
        visit = tally.record.visit
        who: tuple[object, ...] = (
            (visit.patient_id,) if visit.patient_id else (visit.patient, visit.mrn)
        )
        key = _Key(visit.date_of_service, who, visit.payer, tally.rule)
        groups.setdefault(key, []).append(tally)
    rules_per_payer: dict[tuple[object, ...], list[Rule]] = {}
    for key in groups:
        rules_per_payer.setdefault((key.day, key.who, key.payer), []).append(key.rule)
    claims = []
    for key, group in groups.items():
        mixed = rules_per_payer[key.day, key.who, key.payer]
        others = mixed if len(mixed) > 1 else []
        claims.append(_claim(group, rules, overrides or {}, year_to_date or {}, others))
    return sorted(claims, key=lambda claim: min(claim.visit_ids))


def claims_for_date(
    day: date,
    tallies: Iterable[VisitTally],
    rules: ClaimRules,
    overrides: Overrides | None = None,
    year_to_date: Mapping[int, Decimal] | None = None,
) -> list[Claim]:
    """The claims of one date of service (tallies of other dates are left out)."""
    return build_claims(
        [t for t in tallies if t.record.visit.date_of_service == day],
        rules,
        overrides,
        year_to_date,
    )


def claim_for_visit(
    visit_id: int,
    tallies: Iterable[VisitTally],
    rules: ClaimRules,
    overrides: Overrides | None = None,
    year_to_date: Mapping[int, Decimal] | None = None,
) -> Claim:
    """The claim a visit is billed on (``tallies``: that date's visits of the patient, or
    all the date's visits). KeyError when the visit is not among the tallies."""
    for claim in build_claims(tallies, rules, overrides, year_to_date):
        if visit_id in claim.visit_ids:
            return claim
    raise KeyError(visit_id)


def medicare_spending(claims: Iterable[Claim]) -> dict[int, Decimal]:
    """Estimated Medicare payment per patient id (the KX year-to-date of later claims)."""
    spent: dict[int, Decimal] = {}
    for claim in claims:
        if claim.payer is Payer.MEDICARE and claim.patient_id:
            spent[claim.patient_id] = spent.get(claim.patient_id, Decimal(0)) + (
                claim.total_payment or Decimal(0)
            )
    return spent


@dataclass
class _Code:
    """One code's day on the claim."""

    code: str
    descriptor: str
    timed: bool
    minutes: int = 0
    assistant_minutes: int = 0
    seconds: int = 0
    assistant_seconds: int = 0
    visits: set[int] = field(default_factory=set)
    """Untimed: the visits it was performed in (one unit each; the same service recorded
    under two codes of one visit, 97014 and G0283, is still one)."""
    student_seconds: int = 0
    corrected_seconds: int = 0

    @property
    def sessions(self) -> int:
        return len(self.visits)


def _claim(
    tallies: list[VisitTally],
    rules: ClaimRules,
    overrides: Overrides,
    year_to_date: Mapping[int, Decimal],
    mixed_rules: list[Rule],
) -> Claim:
    first = tallies[0].record.visit
    day, payer, rule = first.date_of_service, first.payer, tallies[0].rule
    medicare = payer is Payer.MEDICARE
    visit_ids = tuple(sorted(t.record.visit.id for t in tallies))
    timed = timed_minutes(tallies)
    codes: dict[str, _Code] = {}
    substituted: dict[str, PayerNote] = {}
    """Codes the payer does not pay but names a substitute for (97014 → G0283 on Medicare):
    their time is billed as the substitute, on the substitute's one line (the claim is what
    the biller submits; a 97014 line would carry a code Medicare does not recognise)."""
    for tally in tallies:
        visit_id = tally.record.visit.id
        for line in tally.codes:
            key, descriptor, is_timed = line.code, line.descriptor, line.timed
            note = payer_note(line.code, payer.value, rules.catalog)
            if (
                note is not None
                and note.status is PayerStatus.NOT_PAYABLE
                and note.instead is not None
                and note.instead in rules.catalog
            ):
                substituted[line.code] = note
                instead = rules.catalog[note.instead]
                key, descriptor, is_timed = instead.code, instead.descriptor, instead.timed
            entry = codes.setdefault(key, _Code(key, descriptor, is_timed))
            entry.seconds += line.seconds
            entry.assistant_seconds += line.assistant_seconds
            entry.student_seconds += line.student_seconds
            entry.corrected_seconds += line.adjusted_seconds
            if line.timed:
                entry.minutes += timed.minutes[visit_id, line.code]
                entry.assistant_minutes += timed.assistant_minutes[visit_id, line.code]
            else:
                entry.minutes += line.minutes
                if line.units:
                    entry.visits.add(visit_id)
    billing = bill([(c.code, c.minutes) for c in codes.values()], rule, rules.catalog)
    units = {
        line.code: line.units if line.timed else codes[line.code].sessions for line in billing.lines
    }
    # Sleeps and clock changes while a timer ran first: they qualify the minutes below.
    warnings = [
        note.message(zone_from_name(tally.record.visit.zone))
        for tally in tallies
        for note in tally.record.clock_notes
    ]
    warnings += [overlap.message for overlap in timed.overlaps]
    warnings += [
        f"{line.code} has {line.minutes // 60} h {line.minutes % 60:02d} min, which is more "
        "than 24 hours: check the timer (was it left running?) and correct the time with a "
        "reason (Visit → Correct time…)."
        for line in billing.over_a_day
    ]
    if mixed_rules:
        warnings.append(
            f"This patient's {_payer_visits(payer)} of {day.isoformat()} use "
            f"{_and([_rule_name(r) for r in mixed_rules])}, so they are billed as "
            f"{len(mixed_rules)} claims, but a payer bills a date under one rule: switch them "
            "to one rule (Visit → Switch billing rule)."
        )

    warnings += [
        note.message for code, note in substituted.items() if units.get(note.instead or "", 0)
    ]
    if medicare:
        # A correction records no performer: its minutes count as the therapist's, so a
        # correction of an assistant's time would lose the CQ it needs.
        warnings += [
            f"{entry.code}: some of its minutes were a PT assistant's and some were added by "
            "a correction, which counts as the therapist's time: if the corrected minutes "
            "were the assistant's, add CQ with a reason (Visit → Change modifiers…)."
            for entry in codes.values()
            if entry.assistant_seconds and entry.corrected_seconds
        ]
    warnings += [
        f"{entry.code} is billed {entry.sessions} times because it was recorded in "
        f"{entry.sessions} visits of this date: if it was done only once (an evaluation "
        "seldom is twice a day), take its minutes off the other visits (Visit → Correct "
        "time…)."
        for entry in codes.values()
        if not entry.timed and entry.sessions > 1
    ]
    notes: dict[str, PayerNote] = {}
    for code in codes:
        note = payer_note(code, payer.value, rules.catalog)
        if note is not None and units[code]:
            notes[code] = note
            warnings.append(note.message)
            if note.status is PayerStatus.BUNDLED:
                units[code] = 0  # never paid separately: no line for it

    ties = _prefer_no_edit(billing, units, rules.edits, day, payer.value)
    warnings += ties
    on_claim = [code for code in codes if units[code] > 0]

    zone = zone_from_name(first.zone)
    bypass = "XU" if medicare else "59"
    findings = []
    for edit in rules.edits.applying(on_claim, day, payer.value):
        blocks = None
        if edit.bypassable:
            blocks = check_blocks(
                edit.column1,
                _intervals(tallies, edit.column1),
                edit.column2,
                _intervals(tallies, edit.column2),
                zone,
                {code: entry.minutes for code, entry in codes.items()},
            )
        findings.append(EditFinding(edit, blocks, "Medicare" if medicare else "", bypass))
    edits_at = len(warnings)  # their sentences go here, once the overrides are known

    modifiers: dict[str, list[str]] = {code: [] for code in on_claim}
    for code in on_claim:
        if medicare:
            modifiers[code].append(PT_MODIFIER)
        for finding in findings:
            supported = finding.blocks is not None and finding.blocks.supportable
            if finding.edit.column2 == code and supported and bypass not in modifiers[code]:
                modifiers[code].append(bypass)
    special: dict[tuple[str, str], bool] = {}
    for visit_id in visit_ids:
        for override in overrides.get(visit_id, ()):
            if override.code not in modifiers:
                continue
            name = override.modifier.upper()
            if name in (ASSISTANT_MODIFIER, KX_MODIFIER):
                special[override.code, name] = override.add
                continue
            modifiers[override.code] = [m for m in modifiers[override.code] if m != name]
            if override.add:
                modifiers[override.code].append(name)

    findings = [
        replace(
            finding,
            on_line=tuple(m for m in modifiers[finding.edit.column2] if m in BYPASS_MODIFIERS),
        )
        for finding in findings
    ]
    warnings[edits_at:edits_at] = [finding.message for finding in findings]

    unpaid = {
        f.edit.column2
        for f in findings
        if not f.edit.bypassable
        or not any(m in BYPASS_MODIFIERS for m in modifiers.get(f.edit.column2, ()))
    }
    unpaid |= {code for code, note in notes.items() if note.status is PayerStatus.NOT_PAYABLE}

    planned: list[tuple[str, bool, int, int]] = []
    for code in on_claim:
        entry = codes[code]
        split = _split(entry, units[code], medicare, special.get((code, ASSISTANT_MODIFIER)))
        if split.plain_units:
            planned.append((code, False, split.plain_units, split.plain_minutes))
        if split.assistant_units:
            planned.append((code, True, split.assistant_units, split.assistant_minutes))
    priced = [
        Priced(code, count, cq, rules.fees.fee(code, payer.value, day.year), code not in unpaid)
        for code, cq, count, _ in planned
    ]
    money = estimate(priced, medicare)
    if money.missing_pe_share:
        warnings.append(
            "The estimated payment is too high: Medicare's multiple procedure payment "
            "reduction (50% of the practice-expense part of the day's second and later units) "
            "is left out because the fee schedule has no practice-expense share (pe_share) for "
            f"{_and(money.missing_pe_share)}: add pe_share to the fee file and import it again."
        )

    kx = None
    known = [amount for amount in money.payments if amount is not None]
    if medicare:
        year = day.year
        before = year_to_date.get(first.patient_id, Decimal(0))
        kx = KxStatus(year, rules.kx_thresholds.get(year), before + sum(known, Decimal(0)))
        if kx.passed or kx.approaching:
            warnings.append(kx.message)

    lines = []
    for (code, cq, count, minutes), payment in zip(planned, money.payments, strict=True):
        names = list(modifiers[code])
        if cq:
            names.append(ASSISTANT_MODIFIER)
        if special.get((code, KX_MODIFIER), kx is not None and kx.passed):
            names.append(KX_MODIFIER)
        entry = codes[code]
        lines.append(
            ClaimLine(code, tuple(names), count, minutes, payment, entry.descriptor, entry.timed)
        )

    warnings += [
        f"{c.code}: {c.student_seconds // 60} student minutes are not billable and are left out."
        for c in codes.values()
        if c.student_seconds >= 60
    ]
    pooled = _pool_sentence(tallies, billing, rule, timed.minutes, rules.catalog)
    if pooled:
        warnings.append(pooled)
    mrn = next((t.record.visit.mrn for t in tallies if t.record.visit.mrn), "")
    return Claim(
        date_of_service=day,
        patient=first.patient,
        patient_id=first.patient_id,
        mrn=mrn,
        payer=payer,
        rule=rule,
        visit_ids=visit_ids,
        lines=tuple(lines),
        warnings=tuple(dict.fromkeys(warnings)),
        billing=billing,
        edits=tuple(findings),
        kx=kx,
    )


def _split(entry: _Code, units: int, medicare: bool, cq_override: bool | None) -> UnitSplit:
    """The code's units without and with CQ: per unit for timed codes (Medicare), the whole
    service for untimed ones; an override adds or removes CQ on every unit of the code."""
    if cq_override is not None:
        return (
            UnitSplit(0, units, 0, entry.minutes)
            if cq_override
            else UnitSplit(units, 0, entry.minutes, 0)
        )
    if not medicare:
        return UnitSplit(units, 0, entry.minutes, 0)
    if entry.timed:
        therapist = entry.minutes - entry.assistant_minutes
        return split_units(units, therapist, entry.assistant_minutes)
    if untimed_needs_cq(entry.seconds, entry.assistant_seconds):
        return UnitSplit(0, units, 0, entry.minutes)
    return UnitSplit(units, 0, entry.minutes, 0)


def _intervals(tallies: list[VisitTally], code: str) -> list[tuple[datetime, datetime]]:
    """``code``'s clock-time blocks in all the claim's visits (the 59/XU evidence)."""
    found: list[tuple[datetime, datetime]] = []
    for tally in tallies:
        if any(line.code == code for line in tally.codes):
            found.extend(tally.evidence_intervals(code))
    return found


def _prefer_no_edit(
    billing: Billing, units: dict[str, int], edits: EditTable, day: date, payer: str
) -> list[str]:
    """Where the CMS allocation leaves a tie, give the tied unit(s) to the codes that bring no
    NCCI edit onto the claim (issue 13, defect 5); the rule leaves the choice open, so the
    claim that is paid as billed is preferred. Changes ``units``; the sentences to show."""
    sentences = []
    for tie in billing.ties:
        base = {code: units[code] - (code in tie.chosen) for code in tie.codes}

        def edits_with(chosen: tuple[str, ...], base: dict[str, int] = base) -> int:
            trial = dict(units) | {code: base[code] + (code in chosen) for code in base}
            return len(edits.applying([c for c, n in trial.items() if n > 0], day, payer))

        options = list(combinations(tie.codes, tie.units))
        best = min(options, key=edits_with)  # the first (code order) among the fewest edits
        if edits_with(best) < edits_with(tie.chosen):
            for code in tie.codes:
                units[code] = base[code] + (code in best)
            others = [code for code in tie.codes if code not in best]
            went = "unit goes" if tie.units == 1 else "units go"
            sentences.append(
                f"Tie: {_and(tie.codes)} each have {tie.remaining_minutes} minutes beyond full "
                f"units; the {went} to {_and(best)}, not {_and(others)}, so that no two codes "
                "that are not paid together are billed — the rule lets you choose: bill the "
                "code that was clinically most appropriate."
            )
        else:
            sentences.append(tie.message)
    return sentences


def _pool_sentence(
    tallies: list[VisitTally],
    billing: Billing,
    rule: Rule,
    minutes: Mapping[tuple[int, str], int],
    catalog: Catalog,
) -> str | None:
    """Several visits billed as one date under CMS: say what pooling changed (each visit's
    one-on-one minutes billed on their own, against the pool)."""
    if len(tallies) < 2 or rule is not Rule.CMS:
        return None
    apart = sum(
        bill(
            [
                (code, count)
                for (visit, code), count in minutes.items()
                if visit == t.record.visit.id
            ],
            Rule.CMS,
            catalog,
        ).timed_units
        for t in tallies
    )
    together = billing.timed_units
    if apart == together:
        return None
    starts = _and(
        [wall_time(t.record.visit.started_at, zone_from_name(t.record.visit.zone)) for t in tallies]
    )
    return (
        f"Same-day pooling (CMS): the visits of {starts} are billed as one: "
        f"{billing.timed_minutes} timed minutes make {_units(together)} (billed apart they "
        f"would make {_units(apart)}), because the 8-minute rule counts a date's timed "
        "minutes together — nothing to change."
    )


def _payer_visits(payer: Payer) -> str:
    """ "Medicare visits", "commercial visits", "other-payer visits"."""
    return {Payer.MEDICARE: "Medicare visits", Payer.COMMERCIAL: "commercial visits"}.get(
        payer, "other-payer visits"
    )


def _rule_name(rule: Rule) -> str:
    """ "the CMS 8-minute rule" (``Rule.in_words`` without its explanation)."""
    return "the " + rule.in_words.split(" (")[0]


def _and(codes: Sequence[str]) -> str:
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " and " + codes[-1]


def _units(count: int) -> str:
    return f"{count} unit{'' if count == 1 else 's'}"
