"""How a visit is shown by ``visit show``: JSON for tools, a plain summary for people.

The lines' units, modifiers and estimated payment, the totals and the billing checks are
the claim's (``ptclock.claim_desk.claim_for_visit_id``): the claim of the visit's patient,
payer and date of service, so units pooled with the date's other visits show here exactly
as ``ptclock claim`` prints them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ptclock.claim_desk import ModifierReason
from ptclock.claims import Claim
from ptclock.claims import claim_json as claim_shape
from ptclock.claims.view import money
from ptclock.cli.claim_command import claim_rows
from ptclock.cli.units_command import boundary_sentences, totals_json
from ptclock.formats import clock_text, wall_time
from ptclock.timing.clock import zone_from_name
from ptclock.timing.tally import VisitTally


def claim_json(
    claim: Claim,
    reasons: Sequence[ModifierReason] = (),
    on_claim: Sequence[VisitTally] = (),
) -> dict[str, Any]:
    """The visit's claim: exactly one claim of ``ptclock claim --json`` (``patient``, ``mrn``,
    ``payer``, ``rule``, ``visits``, ``lines``, ``warnings``), with the edits, the modifiers'
    reasons, the estimated payment, KX and — when several visits are on it — the pooling
    (``day``). ``on_claim``: the tallies of the claim's visits."""
    pooled = next((w for w in claim.warnings if w.startswith("Same-day pooling")), None)
    units = sum(line.units for line in claim.lines)
    apart = sum(t.billing.total_units for t in on_claim)
    student: dict[str, int] = {}
    for tally in on_claim:
        for line in tally.codes:
            student[line.code] = student.get(line.code, 0) + line.student_seconds
    return claim_shape(claim) | {
        "edits": [
            {
                "column1": f.edit.column1,
                "column2": f.edit.column2,
                "paid": f.edit.column1,
                "modifier_indicator": f.edit.modifier,
                "time_blocks": f.blocks.kind.value if f.blocks else None,
                "modifier_supportable": bool(f.blocks and f.blocks.supportable),
                "message": f.message,
            }
            for f in claim.edits
        ],
        "modifiers": [
            {"code": r.code, "modifier": r.modifier, "why": r.why, "overridden": r.overridden}
            for r in reasons
        ],
        "estimated_payment": money(claim.total_payment),
        "kx": None
        if claim.kx is None
        else {
            "year": claim.kx.year,
            "threshold": money(claim.kx.threshold),
            "year_to_date": money(claim.kx.year_to_date),
            "passed": claim.kx.passed,
            "approaching": claim.kx.approaching,
            "message": claim.kx.message,
        },
        "day": None
        if len(claim.visit_ids) < 2
        else {
            "visits": list(claim.visit_ids),
            "timed_minutes": claim.billing.timed_minutes,
            "total_units": units,
            "visits_units": apart,
            "difference": units - apart,
            "message": pooled,
        },
        "student_minutes": {code: sec // 60 for code, sec in student.items() if sec >= 60},
    }


def claim_totals(claim: Claim) -> dict[str, Any]:
    """``totals_json`` of the claim: the pooled minutes and hints, the units on its lines."""
    return totals_json(claim.billing) | {
        "timed_units": sum(line.units for line in claim.lines if line.timed),
        "total_units": sum(line.units for line in claim.lines),
    }


def code_payment(claim: Claim, code: str) -> Decimal | None:
    """The estimate of ``code``'s lines on the claim (None: no line, or no fee known)."""
    known = [line.estimated_payment for line in claim.lines_of(code)]
    priced = [amount for amount in known if amount is not None]
    return sum(priced, Decimal(0)) if priced else None


def visit_json(
    tally: VisitTally,
    claim: Claim | None = None,
    reasons: Sequence[ModifierReason] = (),
    on_claim: Sequence[VisitTally] = (),
) -> dict[str, Any]:
    """The ``visit show --json`` shape (documented in README). With the visit's ``claim``, the
    totals and each line's units, modifiers and estimated payment are the claim's; the
    minutes, seconds and blocks stay the visit's own timers."""
    visit = tally.record.visit
    return {
        "id": visit.id,
        "patient": visit.patient,
        "mrn": visit.mrn,
        "dob": visit.dob.isoformat() if visit.dob else None,
        "payer": visit.payer.value,
        "provider": {
            "name": visit.provider,
            "credentials": visit.provider_credentials,
            "npi": visit.provider_npi,
        },
        "status": visit.status.value,
        "concurrent": visit.concurrent,
        "date_of_service": visit.date_of_service.isoformat(),
        "time_zone": visit.zone,
        "started_at": visit.started_at.isoformat(),
        "ended_at": visit.ended_at.isoformat() if visit.ended_at else None,
        "elapsed_seconds": tally.elapsed_seconds,
        **(claim_totals(claim) if claim is not None else totals_json(tally.billing)),
        "still_running_check": list(tally.still_running_checks),
        "note": visit.note,
        "lines": [
            {
                "code": line.code,
                "descriptor": line.descriptor,
                "seconds": line.seconds,
                "minutes": line.minutes,
                "units": (
                    sum(billed.units for billed in claim.lines_of(line.code))
                    if claim is not None
                    else line.units
                ),
                "timed": line.timed,
                "running": line.running,
                "running_since": line.running_since.isoformat() if line.running_since else None,
                "corrected_seconds": line.adjusted_seconds,
                "assistant_seconds": line.assistant_seconds,
                "student_seconds": line.student_seconds,
                "modifiers": list(claim.modifiers_of(line.code)) if claim else [],
                "estimated_payment": money(code_payment(claim, line.code)) if claim else None,
                "blocks": [
                    {
                        "start": block.started_at.isoformat(),
                        "end": block.ended_at.isoformat() if block.ended_at else None,
                    }
                    for block in line.blocks
                ],
            }
            for line in tally.codes
        ],
        "corrections": [
            {
                "code": adjustment.code,
                "seconds": adjustment.seconds,
                "reason": adjustment.reason,
                "at": adjustment.made_at.isoformat(),
                "moved": adjustment.transfer_id is not None,
            }
            for adjustment in tally.record.adjustments
        ],
        "code_notes": [
            {"code": n.code, "body_part": n.body_part, "exercises": n.exercises, "goal": n.goal}
            for n in tally.record.code_notes
        ],
    } | ({"claim": claim_json(claim, reasons, on_claim)} if claim is not None else {})


def visit_text(
    tally: VisitTally, claim: Claim | None = None, reasons: Sequence[ModifierReason] = ()
) -> str:
    """A plain summary a therapist reads at the terminal: the visit's timers, then the claim
    it is billed on (with the date's other visits of the patient and payer, if any)."""
    visit = tally.record.visit
    zone = zone_from_name(visit.zone)

    rows = [
        f"Visit {visit.id}: {visit.patient}"
        + (f" (MRN {visit.mrn})" if visit.mrn else "")
        + f" — {visit.payer.value}, {tally.rule.in_words}",
        f"Date of service {visit.date_of_service.isoformat()}, "
        f"started {wall_time(visit.started_at, zone)}"
        + (
            f", ended {wall_time(visit.ended_at, zone)}"
            if visit.ended_at
            else f", {visit.status.value}"
        ),
        "",
        f"{'Code':<6} {'Service':<36} {'Time':>7}",
    ]
    for line in tally.codes:
        state = "  ▶ running" if line.running else ""
        if line.still_running_check:
            state += " — still running?"
        elapsed = clock_text(line.seconds)
        rows.append(f"{line.code:<6} {line.descriptor[:36]:<36} {elapsed:>7}{state}")
    billing = claim.billing if claim is not None else tally.billing
    units = sum(line.units for line in claim.lines) if claim else billing.total_units
    rows.append("")
    if claim is not None:
        others = [str(other) for other in claim.visit_ids if other != visit.id]
        rows.append(
            f"Claim for {claim.date_of_service.isoformat()}"
            + (
                f" (with visit{'s' if len(others) > 1 else ''} {', '.join(others)})"
                if others
                else ""
            )
            + ":"
        )
        rows += claim_rows(claim)
        rows.append("")
    rows += [
        f"Total timed minutes:   {billing.timed_minutes}",
        f"Total treatment time:  {billing.treatment_minutes} min",
        f"Total units:           {units}",
        *boundary_sentences(billing),
    ]
    if claim is None:
        rows += [tie.message for tie in billing.ties]
    rows += [f"{r.code} {r.modifier}: {r.why}" for r in reasons]
    if claim is not None:
        rows += [f"⚠ {warning}" for warning in claim.warnings]
    for adjustment in tally.record.adjustments:
        sign = "+" if adjustment.seconds > 0 else "−"
        rows.append(
            f"Correction {wall_time(adjustment.made_at, zone)}: {adjustment.code} {sign}"
            f"{abs(adjustment.seconds) // 60} min — {adjustment.reason}"
        )
    return "\n".join(rows)
