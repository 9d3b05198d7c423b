"""FHIR R4 (4.0.1) charges: one transaction Bundle per export.

Per claim: the ``Patient`` (created only if the receiving server has no patient with that
MRN: ``ifNoneExist``), each visit as an ``Encounter`` (ambulatory, finished, its times),
each treating therapist as a ``Practitioner`` (NPI, created only if new), and per line a
``Procedure`` and a ``ChargeItem``. Encounters, procedures and charge items are written with
conditional updates on their ptclock identifiers, so importing the same file twice changes
nothing.

* Codes carry their systems: CPT ``http://www.ama-assn.org/go/cpt``, HCPCS Level II
  ``http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets`` (HL7 Terminology).
* Units are ``ChargeItem.quantity``. FHIR has no element for the minutes or the modifiers of
  a charge, so each is an extension (the spec's way to carry what the base resource lacks):
  ``minutes`` as a UCUM Quantity (``min``), each ``modifier`` as a Coding.
* The rendering therapist and, on CQ lines, the supervising one are
  ``ChargeItem.performer`` with their function.
* A cancelled line is its ChargeItem (and Procedure) again, under the same identifier, with
  status ``entered-in-error``; an amended claim's new lines are ``billable`` with a note
  saying what they amend and why.

**ChargeItem is trial-use** in R4 (maturity level 0): receiving systems may not support it,
or may expect a profile of their own. The Encounter and Procedure carry the same facts in
normative-track resources. The tests validate every bundle with fhir.resources (R4B models,
which are the R4 ones for every resource used here).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

from ptclock.charges.batch import Action, ChargeBatch, ChargeLine, ClaimCharges, Person
from ptclock.charges.names import family_and_given, is_hcpcs_level_two

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NPI = "http://hl7.org/fhir/sid/us-npi"
UCUM = "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
DEFAULT_MRN_SYSTEM = "urn:ptclock:mrn"
VISIT_SYSTEM = "urn:ptclock:visit"
CHARGE_SYSTEM = "urn:ptclock:charge"
PROCEDURE_SYSTEM = "urn:ptclock:procedure"
EXPORT_SYSTEM = "urn:ptclock:export"
ROLE_SYSTEM = "urn:ptclock:role"
MINUTES_EXTENSION = "urn:ptclock:fhir:extension:minutes"
MODIFIER_EXTENSION = "urn:ptclock:fhir:extension:modifier"
NAMESPACE = uuid.UUID("5b0f8a8e-3c52-4d43-9d7f-0f1d6a1c2e77")
"""Entry ids are UUID v5 of what they name: the same export always gives the same file."""


def _uuid(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _coding(code: str, display: str = "") -> dict[str, str]:
    coding = {"system": HCPCS if is_hcpcs_level_two(code) else CPT, "code": code}
    if display:
        coding["display"] = display
    return coding


def _search(system: str, value: str) -> str:
    """``system|value`` as a token search parameter's value: FHIR's search escapes (``\\``,
    ``|``, ``,`` and ``$`` get a backslash), then URL-encoded, so an MRN like ``12,34`` or
    ``A&B`` finds that MRN and nothing else."""

    def escape(text: str) -> str:
        for char in ("\\", "|", ",", "$"):
            text = text.replace(char, "\\" + char)
        return quote(text, safe=":/")

    return f"{escape(system)}|{escape(value)}"


def _name(name: str) -> list[dict[str, Any]]:
    """A HumanName (none for an empty name: FHIR strings are never empty)."""
    if not name.strip():
        return []
    family, given = family_and_given(name)
    entry: dict[str, Any] = {"text": " ".join(name.split())}
    if family:
        entry["family"] = family
    if given:
        entry["given"] = given.split()
    return [entry]


class _Entries:
    def __init__(self, batch: ChargeBatch) -> None:
        self.batch = batch
        self.entries: list[dict[str, Any]] = []
        self.known: set[str] = set()
        self.mrn_system = batch.sender.mrn_system or DEFAULT_MRN_SYSTEM

    def add(self, full_url: str, resource: dict[str, Any], request: dict[str, str]) -> str:
        if full_url not in self.known:
            self.known.add(full_url)
            self.entries.append({"fullUrl": full_url, "resource": resource, "request": request})
        return full_url

    def patient(self, claim: ClaimCharges) -> str:
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "identifier": [
                {
                    "use": "usual",
                    "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}]},
                    "system": self.mrn_system,
                    "value": claim.mrn,
                }
            ],
        }
        if claim.patient.strip():
            resource["name"] = _name(claim.patient)
        if claim.date_of_birth:
            resource["birthDate"] = claim.date_of_birth.isoformat()
        condition = f"identifier={_search(self.mrn_system, claim.mrn)}"
        request = {"method": "POST", "url": "Patient", "ifNoneExist": condition}
        return self.add(_uuid("patient", self.mrn_system, claim.mrn), resource, request)

    def practitioner(self, person: Person) -> str:
        resource: dict[str, Any] = {
            "resourceType": "Practitioner",
            "identifier": [{"system": NPI, "value": person.npi}],
        }
        if person.name.strip():
            resource["name"] = _name(person.name)
        if person.credentials:
            resource["qualification"] = [{"code": {"text": person.credentials}}]
        request = {
            "method": "POST",
            "url": "Practitioner",
            "ifNoneExist": f"identifier={_search(NPI, person.npi)}",
        }
        return self.add(_uuid("practitioner", person.npi), resource, request)

    def encounter(self, claim: ClaimCharges, index: int, patient: str) -> str:
        visit = claim.visits[index]
        period = {"start": visit.started_at.isoformat()}
        if visit.ended_at is not None:
            period["end"] = visit.ended_at.isoformat()
        resource = {
            "resourceType": "Encounter",
            "identifier": [{"system": VISIT_SYSTEM, "value": visit.key}],
            "status": "finished",
            "class": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
            "subject": {"reference": patient},
            "participant": [{"individual": {"reference": self.practitioner(visit.provider)}}],
            "period": period,
        }
        request = {
            "method": "PUT",
            "url": f"Encounter?identifier={_search(VISIT_SYSTEM, visit.key)}",
        }
        return self.add(_uuid("encounter", visit.key), resource, request)

    def line(
        self, claim: ClaimCharges, line: ChargeLine, patient: str, encounters: list[str]
    ) -> None:
        cancelled = line.action is Action.CANCEL
        performers = [("rendering", "Rendering provider", line.rendering)]
        if line.supervising is not None:
            performers.append(("supervising", "Supervising provider", line.supervising))
        performer = [
            {
                "function": {"coding": [{"system": ROLE_SYSTEM, "code": code}], "text": words},
                "actor": {"reference": self.practitioner(person)},
            }
            for code, words, person in performers
        ]
        code = {
            "coding": [_coding(line.code, line.descriptor)],
            "text": line.descriptor or line.code,
        }
        procedure_url = _uuid("procedure", line.transaction, line.action.value)
        procedure: dict[str, Any] = {
            "resourceType": "Procedure",
            "identifier": [{"system": PROCEDURE_SYSTEM, "value": line.transaction}],
            "status": "entered-in-error" if cancelled else "completed",
            "code": code,
            "subject": {"reference": patient},
            "performedDateTime": claim.date_of_service.isoformat(),
            "performer": [{"function": p["function"], "actor": p["actor"]} for p in performer],
        }
        if encounters:
            procedure["encounter"] = {"reference": encounters[0]}
        self.add(
            procedure_url,
            procedure,
            {
                "method": "PUT",
                "url": f"Procedure?identifier={_search(PROCEDURE_SYSTEM, line.transaction)}",
            },
        )
        extensions: list[dict[str, Any]] = [
            {
                "url": MINUTES_EXTENSION,
                "valueQuantity": {
                    "value": line.minutes,
                    "unit": "min",
                    "system": UCUM,
                    "code": "min",
                },
            }
        ]
        extensions += [
            {"url": MODIFIER_EXTENSION, "valueCoding": _coding(modifier)}
            for modifier in line.modifiers
        ]
        charge: dict[str, Any] = {
            "resourceType": "ChargeItem",
            "extension": extensions,
            "identifier": [{"system": CHARGE_SYSTEM, "value": line.transaction}],
            "status": "entered-in-error" if cancelled else "billable",
            "code": code,
            "subject": {"reference": patient},
            "occurrenceDateTime": claim.date_of_service.isoformat(),
            "performer": performer,
            "quantity": {"value": line.units},
            "enteredDate": self.batch.made_at.isoformat(),
            "service": [{"reference": procedure_url}],
        }
        if encounters:
            charge["context"] = {"reference": encounters[0]}
        if len(encounters) > 1:
            charge["supportingInformation"] = [{"reference": e} for e in encounters[1:]]
        if claim.note:
            charge["note"] = [{"text": claim.note}]
        self.add(
            _uuid("charge", line.transaction, line.action.value),
            charge,
            {
                "method": "PUT",
                "url": f"ChargeItem?identifier={_search(CHARGE_SYSTEM, line.transaction)}",
            },
        )


def fhir_bundle(batch: ChargeBatch) -> dict[str, Any]:
    entries = _Entries(batch)
    for claim in batch.claims:
        patient = entries.patient(claim)
        encounters = [entries.encounter(claim, i, patient) for i in range(len(claim.visits))]
        for line in claim.lines:
            entries.line(claim, line, patient, encounters)
    export = f"{batch.tag}-{batch.export_number}"
    return {
        "resourceType": "Bundle",
        "identifier": {"system": EXPORT_SYSTEM, "value": export},
        "type": "transaction",
        "timestamp": batch.made_at.isoformat(),
        "entry": entries.entries,
    }


def fhir_json(batch: ChargeBatch) -> str:
    return json.dumps(fhir_bundle(batch), indent=2, ensure_ascii=False) + "\n"
