"""The FHIR R4 transaction Bundle: validated by the R4B models (fhir.resources), and what the
models do not check — required bindings, references, identifiers — checked here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fhir.resources.R4B.bundle import Bundle

from ptclock.charges.batch import Action, ChargeBatch, Person
from ptclock.charges.fhir import fhir_bundle, fhir_json
from tests.charges.reading import resources
from tests.charges.samples import (
    AMENDMENT_REASON,
    CANCEL_REASON,
    SAMPLES,
    SUPERVISOR,
    THERAPIST,
    amendment_day,
    first_claim_treated_by,
    plain_day,
)

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
MINUTES = "urn:ptclock:fhir:extension:minutes"
MODIFIER = "urn:ptclock:fhir:extension:modifier"
CHARGE_ITEM_STATUS = {
    "planned",
    "billable",
    "not-billable",
    "aborted",
    "billed",
    "entered-in-error",
    "unknown",
}
ENCOUNTER_STATUS = {
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
}
EVENT_STATUS = {
    "preparation",
    "in-progress",
    "not-done",
    "on-hold",
    "stopped",
    "completed",
    "entered-in-error",
    "unknown",
}


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _code_system(code: str) -> str:
    return HCPCS if code[:1].isalpha() else CPT


def _token(query: str, parameter: str) -> tuple[str, str]:
    """A FHIR search query's one token parameter, read as a server reads it: URL-decoded,
    then split at the one unescaped "|" with the search escapes (\\\\ \\| \\, \\$) undone. An
    unescaped "," would make it an OR of two values, a "$" a composite, a lone "\\" is
    no escape at all: each is refused."""
    assert query.isascii() and query.isprintable(), f"not URL-encoded: {query!r}"
    assert " " not in query and "#" not in query, f"not URL-encoded: {query!r}"
    pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    assert [name for name, _value in pairs] == [parameter], pairs
    value = pairs[0][1]
    parts, current, index = [], "", 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            escaped = value[index + 1 : index + 2]
            assert escaped and escaped in "\\|,$", f"a lone backslash in {value!r}"
            current += escaped
            index += 2
            continue
        assert char not in ",$", f"{value!r} is not one value ({char!r} unescaped)"
        if char == "|":
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    assert len(parts) == 2, f"{value!r} is not system|value"
    return parts[0], parts[1]


def check_bundle(bundle: dict[str, Any], batch: ChargeBatch) -> None:
    """Everything a receiving server and a biller rely on, for any batch."""
    Bundle.model_validate(bundle)
    assert bundle["type"] == "transaction"
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(full_urls)) == len(full_urls)
    for entry in bundle["entry"]:
        assert entry["request"]["method"] in ("POST", "PUT")
        # Conditional create (Patient, Practitioner) or update (the rest): the search finds
        # exactly the resource's own identifier.
        resource, request = entry["resource"], entry["request"]
        if request["method"] == "POST":
            assert request["url"] == resource["resourceType"]
            query = request["ifNoneExist"]
        else:
            kind, _, query = request["url"].partition("?")
            assert kind == resource["resourceType"]
        identifier = resource["identifier"][0]
        assert _token(query, "identifier") == (identifier["system"], identifier["value"])
        if "name" in resource:
            (name,) = resource["name"]
            assert name["text"].strip()
    # One transaction may touch a resource once: no two conditional targets alike.
    targets = [e["request"].get("ifNoneExist") or e["request"]["url"] for e in bundle["entry"]]
    assert len(set(targets)) == len(targets)
    for reference in _references(bundle["entry"]):
        assert reference in full_urls, f"unresolved reference {reference}"
    for encounter in resources(bundle, "Encounter"):
        assert encounter["status"] in ENCOUNTER_STATUS
    for procedure in resources(bundle, "Procedure"):
        assert procedure["status"] in EVENT_STATUS
    patients = {p["identifier"][0]["value"]: p for p in resources(bundle, "Patient")}
    first_claims = {claim.mrn: claim for claim in reversed(batch.claims)}
    assert len(patients) == len(first_claims)
    for mrn, claim in first_claims.items():  # one Patient per MRN, the first claim's name
        patient = patients[mrn]
        if claim.patient.strip():
            assert patient["name"][0]["text"] == " ".join(claim.patient.split())
        else:
            assert "name" not in patient
    charges = resources(bundle, "ChargeItem")
    assert len(charges) == len(batch.lines)
    by_id = {item["identifier"][0]["value"]: item for item in charges}
    assert len(by_id) == len(charges)
    for line in batch.lines:
        item = by_id[line.transaction]
        assert item["status"] in CHARGE_ITEM_STATUS
        expected_status = "entered-in-error" if line.action is Action.CANCEL else "billable"
        assert item["status"] == expected_status
        (coding,) = item["code"]["coding"]
        assert coding["code"] == line.code
        assert coding["system"] == _code_system(line.code)
        assert item["quantity"]["value"] == line.units
        (minutes,) = [x for x in item["extension"] if x["url"] == MINUTES]
        assert minutes["valueQuantity"]["value"] == line.minutes
        assert minutes["valueQuantity"]["code"] == "min"
        modifiers = [x["valueCoding"] for x in item["extension"] if x["url"] == MODIFIER]
        assert [m["code"] for m in modifiers] == list(line.modifiers)
        for modifier in modifiers:
            assert modifier["system"] == _code_system(modifier["code"])


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_bundle_validates_and_holds_every_line(sample: str) -> None:
    batch = SAMPLES[sample]()
    check_bundle(fhir_bundle(batch), batch)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_json_is_the_bundle(sample: str) -> None:
    batch = SAMPLES[sample]()
    text = fhir_json(batch)
    assert json.loads(text) == fhir_bundle(batch)
    Bundle.model_validate_json(text)


def test_a_charge_names_its_patient_visit_procedure_and_therapists() -> None:
    bundle = fhir_bundle(plain_day())
    urls = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    item = next(
        r for r in resources(bundle, "ChargeItem") if r["identifier"][0]["value"] == "E11A8F-1-2-2"
    )
    patient = urls[item["subject"]["reference"]]
    assert patient["resourceType"] == "Patient"
    assert patient["identifier"][0]["value"] == "C200"
    assert patient["identifier"][0]["system"] == "urn:oid:2.16.840.1.113883.19.5"
    assert patient["name"][0]["family"] == "O'Neil-Ünal"
    assert patient["name"][0]["given"] == ["María", "José"]
    assert "birthDate" not in patient
    encounter = urls[item["context"]["reference"]]
    assert encounter["identifier"][0]["value"] == "E11A8F-V2"
    assert encounter["period"] == {
        "start": "2026-11-27T11:00:00-05:00",
        "end": "2026-11-27T11:50:00-05:00",
    }
    procedure = urls[item["service"][0]["reference"]]
    assert procedure["resourceType"] == "Procedure"
    assert procedure["identifier"][0]["value"] == "E11A8F-1-2-2"
    assert procedure["status"] == "completed"
    performers = {
        p["function"]["coding"][0]["code"]: urls[p["actor"]["reference"]]["identifier"][0]["value"]
        for p in item["performer"]
    }
    assert performers == {"rendering": THERAPIST.npi, "supervising": SUPERVISOR.npi}
    assert item["occurrenceDateTime"] == "2026-11-27"
    assert "note" not in item


def test_practitioners_and_patients_are_sent_once_and_only_if_new() -> None:
    bundle = fhir_bundle(plain_day())
    practitioners = resources(bundle, "Practitioner")
    assert sorted(p["identifier"][0]["value"] for p in practitioners) == sorted(
        [THERAPIST.npi, SUPERVISOR.npi]
    )
    assert all(
        p["identifier"][0]["system"] == "http://hl7.org/fhir/sid/us-npi" for p in practitioners
    )
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        if kind in ("Patient", "Practitioner"):
            assert entry["request"]["method"] == "POST"
            assert entry["request"]["ifNoneExist"].startswith("identifier=")
        else:
            # Conditional update on ptclock's identifier: importing twice changes nothing.
            assert entry["request"]["method"] == "PUT"
            value = entry["resource"]["identifier"][0]["value"]
            assert entry["request"]["url"].endswith("|" + value)


def test_cancelled_lines_reuse_the_identifier_of_the_earlier_charge() -> None:
    before = {
        item["identifier"][0]["value"]: item
        for item in resources(fhir_bundle(plain_day()), "ChargeItem")
    }
    bundle = fhir_bundle(amendment_day())
    cancelled = [i for i in resources(bundle, "ChargeItem") if i["status"] == "entered-in-error"]
    assert sorted(i["identifier"][0]["value"] for i in cancelled) == sorted(before)
    for item in cancelled:
        earlier = before[item["identifier"][0]["value"]]
        assert item["identifier"] == earlier["identifier"]
        assert item["code"] == earlier["code"]
        assert item["quantity"] == earlier["quantity"]
        # The note is the claim's: an amended claim's cancellations amend it, a cancelled
        # claim's (its time corrected away) cancel it.
        if item["identifier"][0]["value"].startswith("E11A8F-1-2-"):
            note = f"Cancels the claim sent 2026-11-27 17:02 (export 1): {CANCEL_REASON}"
        else:
            note = f"Amends the claim sent 2026-11-27 17:02 (export 1): {AMENDMENT_REASON}"
        assert item["note"] == [{"text": note}]
    # The cancelled procedures go with them.
    procedures = {p["identifier"][0]["value"]: p["status"] for p in resources(bundle, "Procedure")}
    assert {k: v for k, v in procedures.items() if k.startswith("E11A8F-1-")} == {
        k: "entered-in-error" for k in before
    }


def test_amended_charges_are_billable_with_the_reason() -> None:
    bundle = fhir_bundle(amendment_day())
    new = [i for i in resources(bundle, "ChargeItem") if i["status"] == "billable"]
    assert [i["identifier"][0]["value"] for i in new] == ["E11A8F-2-1-1", "E11A8F-2-1-2"]
    minutes = [
        x["valueQuantity"]["value"] for i in new for x in i["extension"] if x["url"] == MINUTES
    ]
    assert minutes == [38, 20]
    for item in new:
        assert item["note"][0]["text"] == (
            f"Amends the claim sent 2026-11-27 17:02 (export 1): {AMENDMENT_REASON}"
        )
    assert fhir_bundle(amendment_day())["identifier"]["value"] == "E11A8F-2"


def test_a_hcpcs_code_and_a_second_visit() -> None:
    batch = plain_day()
    claim = batch.claims[0]
    second = replace(claim.visits[0], key="E11A8F-V9")
    line = replace(claim.lines[0], code="G0283", descriptor="", modifiers=("GP", "KX"))
    batch = replace(batch, claims=(replace(claim, visits=(*claim.visits, second), lines=(line,)),))
    bundle = fhir_bundle(batch)
    check_bundle(bundle, batch)
    (item,) = resources(bundle, "ChargeItem")
    assert item["code"]["coding"][0]["system"] == HCPCS
    assert item["code"]["text"] == "G0283"  # no descriptor: the code, never an empty string
    assert len(resources(bundle, "Encounter")) == 2
    assert len(item["supportingInformation"]) == 1


def test_a_provider_known_by_npi_only_still_gives_a_valid_bundle() -> None:
    """Settings accept an NPI without a provider name, and sending checks only the NPI, so
    a visit's provider can be ``Person("", npi)``. FHIR strings may not be empty: the
    Practitioner has no name at all."""
    batch = first_claim_treated_by(Person("", THERAPIST.npi, "PT"))
    bundle = fhir_bundle(batch)
    check_bundle(bundle, batch)
    (practitioner,) = resources(bundle, "Practitioner")
    assert practitioner["identifier"] == [
        {"system": "http://hl7.org/fhir/sid/us-npi", "value": THERAPIST.npi}
    ]
    assert "name" not in practitioner
    assert practitioner["qualification"] == [{"code": {"text": "PT"}}]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_patient_without_a_name_has_no_name_element(name: str) -> None:
    batch = plain_day()
    batch = replace(batch, claims=(replace(batch.claims[0], patient=name),))
    bundle = fhir_bundle(batch)
    check_bundle(bundle, batch)
    (patient,) = resources(bundle, "Patient")
    assert "name" not in patient
    assert patient["identifier"][0]["value"] == "M100"


@pytest.mark.parametrize(
    ("name", "human_name"),
    [
        ("Lee, Dana", {"text": "Lee, Dana", "family": "Lee", "given": ["Dana"]}),
        ("  Dana   Q  Lee ", {"text": "Dana Q Lee", "family": "Lee", "given": ["Dana", "Q"]}),
        (", Dana", {"text": ", Dana", "family": "Dana"}),
        ("Lee,", {"text": "Lee,", "family": "Lee"}),
        (" , ", {"text": ",", "family": ","}),
    ],
)
def test_the_patient_name_as_typed_and_in_parts(name: str, human_name: dict[str, Any]) -> None:
    """HumanName.text is the name as typed (spaces collapsed); family and given as
    ``names.family_and_given`` splits it, never an empty string."""
    batch = plain_day()
    batch = replace(batch, claims=(replace(batch.claims[0], patient=name),))
    bundle = fhir_bundle(batch)
    check_bundle(bundle, batch)
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [human_name]


MRNS = [
    "M100",
    "MR 0042-7",
    "12,34",
    "A&B",
    "A|B",
    "A\\B",
    "$1",
    "a=b#c?d",
    "50%+1",
    "Ünal/7",
    "\\,",
]


@pytest.mark.parametrize("mrn", MRNS)
def test_the_patient_is_looked_up_by_exactly_its_mrn(mrn: str) -> None:
    """ifNoneExist is a search query: a value with search syntax in it must be escaped, or
    the server looks up another patient (``12,34`` is MRN 12 OR 34) or refuses the whole
    transaction (``A&B`` is a second parameter, ``B``)."""
    batch = plain_day()
    batch = replace(batch, claims=(replace(batch.claims[0], mrn=mrn),))
    (entry,) = [
        e for e in fhir_bundle(batch)["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert _token(entry["request"]["ifNoneExist"], "identifier") == (
        "urn:oid:2.16.840.1.113883.19.5",
        mrn,
    )


@pytest.mark.parametrize("key", ["E11A8F-V1", "clinic,7", "uid|7", "a b&c$d\\e"])
def test_conditional_updates_find_exactly_their_identifier(key: str) -> None:
    """Encounter, Procedure and ChargeItem are PUT to ``<type>?identifier=<system>|<value>``:
    the same escaping as ifNoneExist (a clinic's visit ids and the store tag are not
    ptclock's to choose)."""
    batch = plain_day()
    claim = batch.claims[0]
    claim = replace(
        claim,
        visits=(replace(claim.visits[0], key=key),),
        lines=tuple(replace(line, transaction=f"{key}-{n}") for n, line in enumerate(claim.lines)),
    )
    batch = replace(batch, claims=(claim,))
    bundle = fhir_bundle(batch)
    check_bundle(bundle, batch)  # every request's search against its resource's identifier
    urls = [e["request"]["url"] for e in bundle["entry"] if e["request"]["method"] == "PUT"]
    assert len(urls) == 1 + 2 * len(claim.lines)
    assert [url.partition("?")[0] for url in urls] == ["Encounter"] + [
        "Procedure",
        "ChargeItem",
    ] * len(claim.lines)
