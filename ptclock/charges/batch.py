"""The day's charges as a billing system receives them, and what changed since they were sent.

Pure: built from plain facts (the claims of ``ptclock.claims``, gathered by
``charges.sending``), no Qt, no SQL, no files. Every format (``csv_template``, ``hl7``,
``fhir``) writes one ``ChargeBatch``, so they cannot disagree.

**Sent once, amended in the open** (issue 18). A claim is known to the billing system by its
key — date of service, MRN, payer and unit rule — and each of its lines by a transaction id
(``<store tag>-<export>-<claim>-<line>``). ``settle`` compares the day's claims with what
earlier exports sent:

* a claim never sent is **new**: its lines are charges;
* a claim sent and unchanged is left out (sending it again would bill it twice);
* a claim sent and changed since (a correction with its reason, another visit of the same
  date) is **amended**: every line sent before is cancelled under its own transaction id,
  then the claim's lines as they stand now are charged under new ids — cancel-and-replace,
  the way charge interfaces reverse a posted charge (HL7 v2 FT1-6 ``CD`` credit against
  ``CG`` charge; FHIR ChargeItem ``entered-in-error``);
* a claim sent that has nothing billable left is **cancelled**: its lines are cancelled;
* a claim sent that is no longer on the day at all is left as sent (``missing``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


class Action(str, Enum):
    CHARGE = "charge"
    CANCEL = "cancel"


class ClaimStatus(str, Enum):
    NEW = "new"
    AMENDED = "amended"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Person:
    """A provider as the claim names them: the visit's own name, credentials and NPI."""

    name: str
    npi: str
    credentials: str = ""


@dataclass(frozen=True)
class ChargeLine:
    transaction: str
    """This line's id; a cancellation carries the id of the charge it cancels."""
    action: Action
    code: str
    descriptor: str
    modifiers: tuple[str, ...]
    units: int
    minutes: int
    rendering: Person
    """Whose NPI the line is billed under: the treating physical therapist."""
    supervising: Person | None = None
    """On a CQ line (furnished in whole or in part by a physical therapist assistant): the
    therapist who supervised. ptclock records that an assistant treated, not which one."""
    estimated_payment: Decimal | None = None

    def same_charge(self, other: ChargeLine) -> bool:
        """The same thing billed: everything but the transaction id and the action."""
        return self.facts() == other.facts()

    def facts(self) -> tuple[object, ...]:
        return (
            self.code,
            self.modifiers,
            self.units,
            self.minutes,
            self.rendering,
            self.supervising,
        )


@dataclass(frozen=True)
class VisitFacts:
    """One visit of a claim: the billing system's encounter."""

    key: str
    """Stable across exports: ``<store tag>-V<visit id>`` (or the clinic's id)."""
    started_at: datetime
    ended_at: datetime | None
    provider: Person


@dataclass(frozen=True)
class ClaimCharges:
    key: str
    """date of service | MRN | payer | rule: how a later export finds the claim again."""
    number: str
    """The claim's id in this export (``<tag>-<export>-<claim>``): HL7 MSH-10, the
    FHIR entries' ids."""
    date_of_service: date
    patient: str
    mrn: str
    date_of_birth: date | None
    payer: str
    """medicare, commercial or other."""
    rule: str
    """cms or ama: the unit rule the claim was billed under."""
    visits: tuple[VisitFacts, ...]
    lines: tuple[ChargeLine, ...]
    status: ClaimStatus = ClaimStatus.NEW
    reasons: tuple[str, ...] = ()
    """Why an amended or cancelled claim changed since it was sent (the corrections'
    reasons, a visit added)."""
    sent_before: str = ""
    """For an amended or cancelled claim: when and in which export it was sent before."""

    @property
    def note(self) -> str:
        """For an amended or cancelled claim, the sentence every format carries with its
        lines: what it amends and why ("" for a new claim)."""
        if not self.sent_before:
            return ""
        what = "Cancels" if self.status is ClaimStatus.CANCELLED else "Amends"
        return f"{what} the claim {self.sent_before}: " + "; ".join(self.reasons)

    @property
    def charges(self) -> tuple[ChargeLine, ...]:
        return tuple(line for line in self.lines if line.action is Action.CHARGE)

    @property
    def cancellations(self) -> tuple[ChargeLine, ...]:
        return tuple(line for line in self.lines if line.action is Action.CANCEL)

    def facts(self) -> tuple[object, ...]:
        """What the billing system holds of the claim: a change in any of it is an amendment."""
        return (
            self.patient,
            self.mrn,
            self.date_of_birth,
            tuple(visit.key for visit in self.visits),
            tuple(line.facts() for line in self.charges),
        )


@dataclass(frozen=True)
class Sender:
    """Who sends and who receives (settings, "Charges"): HL7 MSH-3 to MSH-6, the FHIR
    identifier system of the clinic's MRNs."""

    application: str = "PTCLOCK"
    facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    mrn_system: str = ""


@dataclass(frozen=True)
class ChargeBatch:
    day: date
    export_number: int
    made_at: datetime
    """When the export was made (aware)."""
    tag: str
    sender: Sender
    claims: tuple[ClaimCharges, ...]
    clinic: bool = False

    @property
    def lines(self) -> tuple[ChargeLine, ...]:
        return tuple(line for claim in self.claims for line in claim.lines)


@dataclass(frozen=True)
class Sent:
    """A claim as an earlier export left it with the billing system."""

    claim: ClaimCharges
    export_number: int
    sent_at: str
    """Its local wall time, as the audit trail shows it ("2026-11-27 17:02")."""


def numbered(claims: Sequence[ClaimCharges], tag: str, export: int) -> tuple[ClaimCharges, ...]:
    """The claims with the ids of export number ``export`` under the store's charge ``tag``:
    ``<tag>-<export>-<claim>`` for a claim, ``…-<line>`` for each of its lines."""
    out = []
    for index, claim in enumerate(claims, start=1):
        prefix = f"{tag}-{export}-{index}"
        lines = tuple(
            replace(line, transaction=f"{prefix}-{n}") for n, line in enumerate(claim.lines, 1)
        )
        out.append(replace(claim, number=prefix, lines=lines))
    return tuple(out)


def settle(
    current: Sequence[ClaimCharges],
    sent: Mapping[str, Sent],
    reasons: Mapping[str, Sequence[str]],
) -> tuple[ClaimCharges, ...]:
    """What to send now: the new, amended and cancelled claims (module docstring), in the
    day's order. ``reasons``: per claim key, why it changed.

    A claim sent before that is not among ``current`` at all is left as it was sent, never
    cancelled: a claim's key (date, MRN, payer, rule) cannot change once its visits were
    sent, so a missing one means missing data (an older backup restored), not a charge to
    take back (``missing`` names them)."""
    out: list[ClaimCharges] = []
    for claim in current:
        before = sent.get(claim.key)
        if before is None:
            if claim.charges:
                out.append(claim)
            continue
        if before.claim.facts() == claim.facts():
            continue
        cancels = _cancellations(before.claim)
        status = ClaimStatus.AMENDED if claim.charges else ClaimStatus.CANCELLED
        out.append(
            replace(
                claim,
                lines=cancels + claim.charges,
                status=status,
                reasons=tuple(reasons.get(claim.key, ())) or ("changed since it was sent",),
                sent_before=_sent_words(before),
            )
        )
    return tuple(out)


def missing(current: Sequence[ClaimCharges], sent: Mapping[str, Sent]) -> tuple[Sent, ...]:
    """Claims sent before (with charges) that are not among the day's claims now."""
    keys = {claim.key for claim in current}
    return tuple(entry for key, entry in sent.items() if key not in keys and entry.claim.charges)


def _cancellations(claim: ClaimCharges) -> tuple[ChargeLine, ...]:
    return tuple(replace(line, action=Action.CANCEL) for line in claim.charges)


def _sent_words(sent: Sent) -> str:
    return f"sent {sent.sent_at} (export {sent.export_number})"


def after_sending(sent: Mapping[str, Sent], batch: ChargeBatch, sent_at: str) -> dict[str, Sent]:
    """What the billing system holds once ``batch`` is imported: the next export's ``sent``."""
    now = dict(sent)
    for claim in batch.claims:
        if claim.status is ClaimStatus.CANCELLED:
            now.pop(claim.key, None)
        else:
            settled = replace(
                claim, lines=claim.charges, status=ClaimStatus.NEW, reasons=(), sent_before=""
            )
            now[claim.key] = Sent(settled, batch.export_number, sent_at)
    return now


# -- kept in the store as JSON ---------------------------------------------------------------


def sent_to_json(sent: Mapping[str, Sent]) -> list[dict[str, Any]]:
    return [
        {
            "export": entry.export_number,
            "sent_at": entry.sent_at,
            "claim": _claim_json(entry.claim),
        }
        for entry in sent.values()
    ]


def sent_from_json(data: Any) -> dict[str, Sent]:
    """The inverse of ``sent_to_json``; ValueError for anything else."""
    if not isinstance(data, list):
        raise ValueError("the sent charges are not a list")
    out = {}
    try:
        for entry in data:
            claim = _claim_from_json(entry["claim"])
            out[claim.key] = Sent(claim, int(entry["export"]), str(entry["sent_at"]))
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise ValueError(f"the sent charges cannot be read ({error})") from None
    return out


def _person_json(person: Person | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {"name": person.name, "npi": person.npi, "credentials": person.credentials}


def _person(data: Any) -> Person | None:
    if data is None:
        return None
    return Person(str(data["name"]), str(data["npi"]), str(data["credentials"]))


def _claim_json(claim: ClaimCharges) -> dict[str, Any]:
    return {
        "key": claim.key,
        "number": claim.number,
        "date_of_service": claim.date_of_service.isoformat(),
        "patient": claim.patient,
        "mrn": claim.mrn,
        "date_of_birth": claim.date_of_birth.isoformat() if claim.date_of_birth else None,
        "payer": claim.payer,
        "rule": claim.rule,
        "visits": [
            {
                "key": visit.key,
                "started_at": visit.started_at.isoformat(),
                "ended_at": visit.ended_at.isoformat() if visit.ended_at else None,
                "provider": _person_json(visit.provider),
            }
            for visit in claim.visits
        ],
        "lines": [
            {
                "transaction": line.transaction,
                "code": line.code,
                "descriptor": line.descriptor,
                "modifiers": list(line.modifiers),
                "units": line.units,
                "minutes": line.minutes,
                "rendering": _person_json(line.rendering),
                "supervising": _person_json(line.supervising),
                "estimated_payment": (
                    None if line.estimated_payment is None else str(line.estimated_payment)
                ),
            }
            for line in claim.charges
        ],
    }


def _claim_from_json(data: Any) -> ClaimCharges:
    born = data["date_of_birth"]
    return ClaimCharges(
        key=str(data["key"]),
        number=str(data["number"]),
        date_of_service=date.fromisoformat(data["date_of_service"]),
        patient=str(data["patient"]),
        mrn=str(data["mrn"]),
        date_of_birth=date.fromisoformat(born) if born else None,
        payer=str(data["payer"]),
        rule=str(data["rule"]),
        visits=tuple(
            VisitFacts(
                str(visit["key"]),
                datetime.fromisoformat(visit["started_at"]),
                datetime.fromisoformat(visit["ended_at"]) if visit["ended_at"] else None,
                _person(visit["provider"]) or Person("", ""),
            )
            for visit in data["visits"]
        ),
        lines=tuple(
            ChargeLine(
                transaction=str(line["transaction"]),
                action=Action.CHARGE,
                code=str(line["code"]),
                descriptor=str(line["descriptor"]),
                modifiers=tuple(str(m) for m in line["modifiers"]),
                units=int(line["units"]),
                minutes=int(line["minutes"]),
                rendering=_person(line["rendering"]) or Person("", ""),
                supervising=_person(line["supervising"]),
                estimated_payment=(
                    None
                    if line["estimated_payment"] is None
                    else Decimal(line["estimated_payment"])
                ),
            )
            for line in data["lines"]
        ),
    )
