"""How a visit is shown by ``visit show``: JSON for tools, a plain summary for people."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ptclock.cli.units_command import boundary_sentences, totals_json
from ptclock.timing.claim import ClaimReview
from ptclock.timing.clock import zone_from_name
from ptclock.timing.tally import VisitTally


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def claim_json(claim: ClaimReview) -> dict[str, Any]:
    pool = claim.pool
    return {
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
            {"code": m.code, "modifier": m.modifier, "why": m.why, "overridden": m.overridden}
            for m in claim.modifiers
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
        if pool is None
        else {
            "visits": list(pool.visit_ids),
            "timed_minutes": pool.billing.timed_minutes,
            "total_units": pool.total_units,
            "visits_units": pool.visits_units,
            "difference": pool.difference,
            "message": pool.message,
        },
        "student_minutes": claim.student_minutes,
        "warnings": list(claim.warnings),
    }


def visit_json(tally: VisitTally, claim: ClaimReview | None = None) -> dict[str, Any]:
    """The ``visit show --json`` shape (documented in README)."""
    visit = tally.record.visit
    billing = tally.billing
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
        **totals_json(billing),
        "still_running_check": list(tally.still_running_checks),
        "note": visit.note,
        "lines": [
            {
                "code": line.code,
                "descriptor": line.descriptor,
                "seconds": line.seconds,
                "minutes": line.minutes,
                "units": line.units,
                "timed": line.timed,
                "running": line.running,
                "running_since": line.running_since.isoformat() if line.running_since else None,
                "corrected_seconds": line.adjusted_seconds,
                "assistant_seconds": line.assistant_seconds,
                "student_seconds": line.student_seconds,
                "modifiers": list(claim.modifiers_of(line.code)) if claim else [],
                "estimated_payment": money(claim.payments.get(line.code)) if claim else None,
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
    } | ({"claim": claim_json(claim)} if claim is not None else {})


def visit_text(tally: VisitTally, claim: ClaimReview | None = None) -> str:
    """A plain summary a therapist reads at the terminal."""
    visit = tally.record.visit
    zone = zone_from_name(visit.zone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%H:%M")

    rows = [
        f"Visit {visit.id}: {visit.patient}"
        + (f" (MRN {visit.mrn})" if visit.mrn else "")
        + f" — {visit.payer.value}, {tally.rule.in_words}",
        f"Date of service {visit.date_of_service.isoformat()}, started {local(visit.started_at)}"
        + (f", ended {local(visit.ended_at)}" if visit.ended_at else f", {visit.status.value}"),
        "",
        f"{'Code':<6} {'Service':<36} {'Time':>7} {'Units':>5}",
    ]
    for line in tally.codes:
        state = "  ▶ running" if line.running else ""
        if line.still_running_check:
            state += " — still running?"
        elapsed = f"{line.seconds // 60}:{line.seconds % 60:02d}"
        rows.append(
            f"{line.code:<6} {line.descriptor[:36]:<36} {elapsed:>7} {line.units:>5}{state}"
        )
    billing = tally.billing
    rows += [
        "",
        f"Total timed minutes:   {billing.timed_minutes}",
        f"Total treatment time:  {billing.treatment_minutes} min",
        f"Total units:           {billing.total_units}",
        *boundary_sentences(billing),
        *[tie.message for tie in billing.ties],
    ]
    if claim is not None:
        for line in tally.codes:
            mods = claim.modifiers_of(line.code)
            if mods:
                rows.append(f"{line.code} modifiers: {' '.join(mods)}")
        if claim.total_payment is not None:
            rows.append(f"Estimated payment:     ${claim.total_payment:,.2f}")
        rows += [f"⚠ {warning}" for warning in claim.warnings]
    for adjustment in tally.record.adjustments:
        sign = "+" if adjustment.seconds > 0 else "−"
        rows.append(
            f"Correction {local(adjustment.made_at)}: {adjustment.code} {sign}"
            f"{abs(adjustment.seconds) // 60} min — {adjustment.reason}"
        )
    return "\n".join(rows)
