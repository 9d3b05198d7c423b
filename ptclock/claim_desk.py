"""The claim desk: the one way to get *the claim* of a visit or of a date from the Timekeeper.

``ptclock.claims`` is pure — it builds claims from tallies, rules, overrides and each
Medicare patient's spending earlier in the year. Gathering those from the store is done
here, once, for every reader: ``ptclock claim``, ``visit show``/``visit list``, the visit and
day reports (PDF and CSV) and the window. None of them gathers on its own, so they cannot
disagree.

* ``claims_on(keeper, day)``: the date's claims, one per patient, payer and rule.
* ``claim_for_visit_id(keeper, visit_id=None)``: the claim a visit is billed on (the open
  visit when ``None``) — the same claim ``claims_on`` has for it, pooled units included.
* ``modifier_reasons(keeper, claim)``: each modifier on the claim with one sentence saying
  why (the therapist's own reason for an override).
* ``override_modifier(keeper, code, modifier, add, reason)``: the therapist adds or removes
  a modifier on a line, with a reason (one event, audited).

The claims carry every warning about their visits (``ptclock.claims`` says them all: a
sleep or a clock change while a timer ran, lines over 24 hours, student minutes, overlaps,
edits, pooling, KX).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from weakref import WeakKeyDictionary

from ptclock.billing.edits import BYPASS_MODIFIERS
from ptclock.billing_data import edit_table, fee_schedule
from ptclock.claims import Claim, ClaimRules, build_claims, claims_for_date, medicare_spending
from ptclock.claims.claim import ASSISTANT_MODIFIER, KX_MODIFIER, PT_MODIFIER, Overrides
from ptclock.entries import reason as checked_reason
from ptclock.timekeeper import Timekeeper, TimekeeperError
from ptclock.timing.records import ModifierOverride, Payer, Visit
from ptclock.timing.tally import VisitTally

_SpentKey = tuple[int, date]
_spent: WeakKeyDictionary[Timekeeper, tuple[tuple[int, int], dict[_SpentKey, Decimal]]] = (
    WeakKeyDictionary()
)
"""Per timekeeper: each Medicare patient's spending before a date, valid until a write."""


def claim_rules(keeper: Timekeeper) -> ClaimRules:
    """Codes, the edits in force, the fee schedule and the KX thresholds."""
    return ClaimRules(
        keeper.catalog, edit_table(keeper), fee_schedule(keeper), keeper.settings.kx_thresholds
    )


def claims_on(keeper: Timekeeper, day: date) -> list[Claim]:
    """The claims of date of service ``day`` (every patient), in visit order."""
    return _claims(keeper, day, keeper.store.visits_on(day))


def claim_for_visit_id(keeper: Timekeeper, visit_id: int | None = None) -> Claim:
    """The claim visit ``visit_id`` (default: the open one) is billed on: its patient's, payer's
    and date's, with the other visits it pools with. TimekeeperError for an unknown visit."""
    visit = keeper.visit(visit_id)
    day = visit.date_of_service
    if visit.patient_id:
        visits = keeper.store.visits_of_patient(visit.patient_id, day, day)
    else:  # a visit without a patient record is grouped by name and MRN, as in the claims
        visits = keeper.store.visits_on(day)
    for claim in _claims(keeper, day, visits):
        if visit.id in claim.visit_ids:
            return claim
    raise TimekeeperError(f"visit {visit.id} is on no claim")


def claim_with_the_clinic(keeper: Timekeeper, visit_id: int | None = None) -> Claim:
    """``claim_for_visit_id``, and on a workstation of a clinic pooled with the same
    patient's visits of that date on other workstations (the records the sync pulled,
    matched by MRN): the window's live units, edits and CQ see the patient's whole day.

    Another workstation's visit is on the claim with a negative id (it has none here); its
    own workstation bills it too, so the clinic's claim (``claim --clinic``) is the one a
    biller sends."""
    claim = claim_for_visit_id(keeper, visit_id)
    visit = keeper.visit(visit_id)
    elsewhere = _elsewhere(keeper, visit)
    if not elsewhere:
        return claim
    day = visit.date_of_service
    visits = keeper.store.visits_of_patient(visit.patient_id, day, day) if visit.patient_id else []
    tallies = [*keeper.tallies([v.id for v in visits]), *elsewhere]
    overrides = overrides_of(keeper, (v.id for v in visits))
    medicare = sorted({v.patient_id for v in visits if v.payer is Payer.MEDICARE and v.patient_id})
    spent = _spent_before(keeper, medicare, day)
    for pooled in claims_for_date(day, tallies, claim_rules(keeper), overrides, spent):
        if visit.id in pooled.visit_ids:
            return pooled
    return claim


def _elsewhere(keeper: Timekeeper, visit: Visit) -> list[VisitTally]:
    """The same patient's visits of the same date on other workstations (by MRN), as
    tallies of this patient here, numbered -1, -2, …"""
    if not visit.mrn or keeper.store.clinic_link() is None:
        return []
    records = keeper.store.pulled_day(visit.date_of_service.isoformat())
    if not records:
        return []
    from ptclock.store.clinic_mirror import mirror
    from ptclock.timing.tally import tally

    try:
        store, _sources = mirror(records)
    except Exception:  # another workstation's records never stop this one
        return []
    try:
        found: list[VisitTally] = []
        for other in store.visits_on(visit.date_of_service):
            record = store.record(other.id) if other.mrn == visit.mrn else None
            if record is None:
                continue
            number = -(len(found) + 1)
            found.append(
                tally(
                    replace(
                        record,
                        visit=replace(
                            record.visit,
                            id=number,
                            patient_id=visit.patient_id,
                            patient=visit.patient,
                        ),
                        segments=tuple(replace(s, visit_id=number) for s in record.segments),
                        adjustments=tuple(replace(a, visit_id=number) for a in record.adjustments),
                    ),
                    keeper.clock.now(),
                    keeper.catalog,
                    keeper.settings.long_timer_minutes,
                )
            )
        return found
    finally:
        store.close()


def overrides_of(
    keeper: Timekeeper, visit_ids: Iterable[int]
) -> dict[int, tuple[ModifierOverride, ...]]:
    """The therapist's modifier overrides per visit, oldest first."""
    return {visit_id: tuple(keeper.store.modifier_overrides(visit_id)) for visit_id in visit_ids}


@dataclass(frozen=True)
class ModifierReason:
    code: str
    modifier: str
    why: str
    """One sentence: why the modifier is on the claim, or the therapist's reason."""
    overridden: bool = False


def modifier_reasons(keeper: Timekeeper, claim: Claim) -> tuple[ModifierReason, ...]:
    """Each modifier on ``claim``'s lines (each code and modifier once), with why."""
    return reasons_for(claim, overrides_of(keeper, claim.visit_ids))


def reasons_for(claim: Claim, overrides: Overrides) -> tuple[ModifierReason, ...]:
    """``modifier_reasons`` without the store: the claim and its visits' overrides."""
    last: dict[tuple[str, str], ModifierOverride] = {}
    for visit_id in claim.visit_ids:
        for override in overrides.get(visit_id, ()):
            last[override.code, override.modifier.upper()] = override
    found: list[ModifierReason] = []
    for line in claim.lines:
        for name in line.modifiers:
            if any((r.code, r.modifier) == (line.code, name) for r in found):
                continue
            added = last.get((line.code, name))
            if added is not None and added.add:
                why = f"Added by the therapist: {added.reason}"
                found.append(ModifierReason(line.code, name, why, True))
            else:
                found.append(ModifierReason(line.code, name, _why(claim, line.code, name)))
    return tuple(found)


def _why(claim: Claim, code: str, name: str) -> str:
    if name == PT_MODIFIER:
        return "Physical therapy service billed to Medicare."
    if name in BYPASS_MODIFIERS:
        for finding in claim.edits:
            if finding.edit.column2 == code and finding.blocks and finding.blocks.supportable:
                evidence = finding.blocks.message.split(": ", 1)[-1]
                return (
                    f"Performed in a distinct time block from {finding.edit.column1}: {evidence}."
                )
    if name == ASSISTANT_MODIFIER:
        lines = claim.lines_of(code)
        assisted = sum(line.units for line in lines if ASSISTANT_MODIFIER in line.modifiers)
        if not all(line.timed for line in lines):
            return "A PT assistant furnished more than 10% of this service; Medicare pays 85%."
        total = sum(line.units for line in lines)
        return (
            f"A PT assistant furnished more than 10% of {assisted} of the {total} "
            f"unit{'' if total == 1 else 's'} (judged per 15-minute unit); Medicare pays 85% "
            "for them."
        )
    if name == KX_MODIFIER and claim.kx is not None and claim.kx.threshold is not None:
        return (
            f"The patient's estimated Medicare therapy spending this year "
            f"(${claim.kx.year_to_date:,.2f}) is past the {claim.kx.year} threshold "
            f"(${claim.kx.threshold:,.2f}); document medical necessity."
        )
    return "On the claim."  # pragma: no cover - every other modifier comes from an override


# -- gathering ---------------------------------------------------------------------------


def _claims(keeper: Timekeeper, day: date, visits: Sequence[Visit]) -> list[Claim]:
    tallies = keeper.tallies([visit.id for visit in visits])
    overrides = overrides_of(keeper, (visit.id for visit in visits))
    medicare = {v.patient_id for v in visits if v.payer is Payer.MEDICARE and v.patient_id}
    spent = _spent_before(keeper, sorted(medicare), day)
    return claims_for_date(day, tallies, claim_rules(keeper), overrides, spent)


def _spent_before(keeper: Timekeeper, patients: Sequence[int], day: date) -> dict[int, Decimal]:
    """Each patient's estimated Medicare spending on their claims of ``day``'s year before
    ``day`` (the KX year-to-date); recomputed only after a write. The earlier visits of all
    the patients not known yet are read and billed together."""
    version = (keeper.revision, keeper.store.data_version())
    cached = _spent.get(keeper)
    if cached is None or cached[0] != version:
        cached = (version, {})
        _spent[keeper] = cached
    known = cached[1]
    wanted = [patient for patient in patients if (patient, day) not in known]
    if wanted and not keeper.store.fees():
        # No fee schedule: no claim has an estimated payment, so every year-to-date is 0
        # without billing the year again.
        known.update({(patient, day): Decimal(0) for patient in wanted})
        wanted = []
    if wanted:
        earlier = [
            visit
            for patient in wanted
            for visit in keeper.store.visits_of_patient(
                patient, date(day.year, 1, 1), day - timedelta(days=1)
            )
        ]
        before = build_claims(
            keeper.tallies([visit.id for visit in earlier]),
            claim_rules(keeper),
            overrides_of(keeper, (visit.id for visit in earlier)),
        )
        spending = medicare_spending(before)
        for patient in wanted:
            known[patient, day] = spending.get(patient, Decimal(0))
    return {patient: known[patient, day] for patient in patients}


def tallies_of(keeper: Timekeeper, claim: Claim) -> list[VisitTally]:
    """The tallies of the claim's visits recorded here, in visit order."""
    return [keeper.tally(visit_id) for visit_id in claim.visit_ids if visit_id > 0]


__all__ = [
    "ModifierReason",
    "claim_for_visit_id",
    "claim_rules",
    "claim_with_the_clinic",
    "claims_on",
    "modifier_reasons",
    "overrides_of",
    "reasons_for",
    "tallies_of",
]


def override_modifier(
    keeper: Timekeeper,
    code: str,
    modifier: str,
    add: bool,
    reason: str,
    visit_id: int | None = None,
) -> None:
    """The therapist adds or removes a modifier on a line, with a reason (audited)."""
    code = keeper.catalog[code].code
    name = modifier.strip().upper()
    if not (len(name) == 2 and name.isalnum()):
        raise TimekeeperError(f"{modifier!r} is not a modifier (two letters or digits, like 59)")
    why = checked_reason(reason)
    with keeper.event() as (now, _zone):
        visit = keeper.visit(visit_id)
        override = ModifierOverride(code, name, add, why)
        keeper.store.add_modifier_override(visit.id, override, now)
        keeper.audit(
            "modifier_override",
            visit_id=visit.id,
            code=code,
            after={"modifier": name, "action": "add" if add else "remove", "reason": why},
        )
