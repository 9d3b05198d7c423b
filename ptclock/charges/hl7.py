"""HL7 v2.5.1 DFT^P03 (post detail financial transaction): one message per claim.

The file is an HL7 batch (FHS, BHS, the messages, BTS with their count, FTS), segments
ended by a carriage return as the standard says, UTF-8 (MSH-18 ``UNICODE UTF-8``). Each
message:

* ``MSH`` sending application and facility from settings ("Charges"), the claim's number as
  message control id; ``EVN`` when the export was made;
* ``PID`` the MRN (PID-3, type MR), name, date of birth; ``PV1`` an outpatient visit with the
  treating therapist (NPI) and the visit's times;
* per line, the ``FINANCIAL`` group: ``FT1`` (FT1-2 transaction id, FT1-4 date of service,
  FT1-6 ``CG`` charge or ``CD`` credit, FT1-7 and FT1-25 the code — ``C4`` CPT-4, ``HCPCS``
  Level II — FT1-10 units, FT1-14 the payer, FT1-20 the rendering therapist, FT1-26 the
  modifiers), an ``NTE`` on an amended claim's lines saying why, ``PR1`` with the minutes
  (PR1-7 procedure minutes) and ``ROL`` rendering and, on CQ lines, supervising.

A credit (``CD``) carries the transaction id of the charge it reverses, with the units
that charge had. Amounts are left to the billing system's fee schedule (ptclock's payment is
an estimate). Field positions are HL7 v2.5.1 chapter 6 (FT1) and chapter 6.5.4 (PR1); the
tests re-parse every message with hl7apy in strict validation.
"""

from __future__ import annotations

from datetime import date, datetime

from ptclock.charges.batch import Action, ChargeBatch, ChargeLine, ClaimCharges, Person
from ptclock.charges.names import family_and_given, is_hcpcs_level_two

VERSION = "2.5.1"
SEGMENT_END = "\r"
PAYER_NAMES = {"medicare": "Medicare", "commercial": "Commercial", "other": "Other"}
NPI_AUTHORITY = "CMS&2.16.840.1.113883.4.6&ISO"
"""XCN-9: the NPI's assigning authority (CMS; the NPI's OID, HL7 v2 table 0363 usage)."""
LONGEST_TEXT = 199
"""The longest text component a strict HL7 reader takes (hl7apy's ST limit): a longer name
part (ptclock takes names of 300 characters) is cut there; the MRN identifies the patient."""
LONGEST_NAMESPACE = 20
"""HD-1 (namespace ID: the applications, facilities and the MRN's assigning authority) is an
IS of at most 20 characters in v2.5.1; a longer clinic name is cut there."""
TRANSACTION_TYPE = {Action.CHARGE: "CG", Action.CANCEL: "CD"}
"""HL7 table 0017: CG charge, CD credit."""


ESCAPES = {"\\": "\\E\\", "|": "\\F\\", "^": "\\S\\", "&": "\\T\\", "~": "\\R\\"}


def escaped(text: str, limit: int | None = None) -> str:
    """Text safe inside a field: the delimiters as HL7 escapes, line breaks and other
    control characters as spaces (a field holds one line). ``limit``: at most that many
    characters as written, cut between characters, never inside an escape."""
    text = "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text)
    out = ""
    for char in " ".join(text.split()):
        piece = ESCAPES.get(char, char)
        if limit is not None and len(out) + len(piece) > limit:
            break
        out += piece
    return out.rstrip(" ") if limit is not None else out


def _sub(*parts: str) -> str:
    """Subcomponents joined by ``&`` (each escaped)."""
    return "&".join(escaped(p) for p in parts).rstrip("&")


def _components(*parts: str) -> str:
    """Components joined by ``^``, trailing empty ones dropped (parts already escaped)."""
    return "^".join(parts).rstrip("^")


def _segment(name: str, fields: dict[int, str]) -> str:
    last = max((i for i, v in fields.items() if v), default=0)
    return "|".join([name] + [fields.get(i, "") for i in range(1, last + 1)])


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%z")


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


def _person(person: Person) -> str:
    """XCN: NPI, family, first given name, further given names (as PID-5), … assigning
    authority, identifier type NPI, and the credentials as professional suffix (XCN-21)."""
    family, given = family_and_given(person.name)
    first, _, further = given.partition(" ")
    parts = [
        escaped(person.npi),
        escaped(family, LONGEST_TEXT),
        escaped(first, LONGEST_TEXT),
        escaped(further, LONGEST_TEXT),
    ]
    parts += [""] * 17
    parts[8] = NPI_AUTHORITY if person.npi else ""
    parts[12] = "NPI" if person.npi else ""
    parts[20] = escaped(person.credentials)
    return _components(*parts)


def _parties(batch: ChargeBatch) -> list[str]:
    """MSH-3 to MSH-6 (and FHS, BHS): sending application and facility, receiving
    application and facility, each an HD namespace ID."""
    sender = batch.sender
    return [
        escaped(name, LONGEST_NAMESPACE)
        for name in (
            sender.application,
            sender.facility,
            sender.receiving_application,
            sender.receiving_facility,
        )
    ]


def _code(code: str, descriptor: str) -> str:
    system = "HCPCS" if is_hcpcs_level_two(code) else "C4"
    return _components(escaped(code), escaped(descriptor), system)


def _modifiers(modifiers: tuple[str, ...]) -> str:
    return "~".join(
        _components(escaped(m), "", "HCPCS" if is_hcpcs_level_two(m) else "CPTM") for m in modifiers
    )


def message(batch: ChargeBatch, claim: ClaimCharges) -> list[str]:
    """The DFT^P03 of one claim, as its segments."""
    sender = batch.sender
    msh = "|".join(
        [
            "MSH",
            "^~\\&",
            *_parties(batch),
            _timestamp(batch.made_at),
            "",
            "DFT^P03^DFT_P03",
            escaped(claim.number),
            "P",
            VERSION,
            "",
            "",
            "",
            "",
            "",
            "UNICODE UTF-8",
        ]
    )
    family, given = family_and_given(claim.patient)
    first, _, further = given.partition(" ")
    authority = escaped(sender.facility, LONGEST_NAMESPACE)
    segments = [
        msh,
        _segment("EVN", {1: "P03", 2: _timestamp(batch.made_at)}),
        _segment(
            "PID",
            {
                1: "1",
                3: _components(escaped(claim.mrn), "", "", authority, "MR"),
                5: _components(
                    escaped(family, LONGEST_TEXT),
                    escaped(first, LONGEST_TEXT),
                    escaped(further, LONGEST_TEXT),
                ),
                7: _day(claim.date_of_birth) if claim.date_of_birth else "",
            },
        ),
        _segment("PV1", _visit_fields(claim)),
    ]
    note = claim.note
    for number, line in enumerate(claim.lines, start=1):
        segments += _financial(batch, claim, line, number, note)
    return segments


def _visit_fields(claim: ClaimCharges) -> dict[int, str]:
    first = claim.visits[0] if claim.visits else None
    fields = {1: "1", 2: "O"}
    if first is not None:
        fields[7] = _person(first.provider)
        fields[19] = _components(escaped(first.key))
        fields[44] = _timestamp(first.started_at)
        ends = [visit.ended_at for visit in claim.visits if visit.ended_at is not None]
        if ends:
            fields[45] = _timestamp(max(ends))
    return fields


def _financial(
    batch: ChargeBatch, claim: ClaimCharges, line: ChargeLine, number: int, note: str
) -> list[str]:
    code = _code(line.code, line.descriptor)
    payer = claim.payer
    ft1 = _segment(
        "FT1",
        {
            1: str(number),
            2: escaped(line.transaction),
            4: _day(claim.date_of_service),
            5: _day(batch.made_at.date()),
            6: TRANSACTION_TYPE[line.action],
            7: code,
            10: str(line.units),
            14: _components(escaped(payer.upper()), escaped(PAYER_NAMES.get(payer, payer)), "L"),
            20: _person(line.rendering),
            25: code,
            26: _modifiers(line.modifiers),
        },
    )
    segments = [ft1]
    if note:
        segments.append(_segment("NTE", {1: "1", 3: escaped(note)}))
    segments.append(
        _segment(
            "PR1",
            {
                1: str(number),
                3: code,
                5: _day(claim.date_of_service),
                7: str(line.minutes),
                16: _modifiers(line.modifiers),
            },
        )
    )
    roles = [("RENDERING", "Rendering provider", line.rendering)]
    if line.supervising is not None:
        roles.append(("SUPERVISING", "Supervising provider", line.supervising))
    for role, words, person in roles:
        segments.append(
            _segment("ROL", {2: "AD", 3: _components(role, words, "L"), 4: _person(person)})
        )
    return segments


def hl7_batch(batch: ChargeBatch) -> str:
    """The whole file: FHS, BHS, one DFT^P03 per claim, BTS (message count), FTS."""
    messages = [message(batch, claim) for claim in batch.claims]
    opening = [
        *_parties(batch),
        _timestamp(batch.made_at),
    ]
    name = escaped(f"{batch.tag}-{batch.export_number}")
    fhs = "|".join(["FHS", "^~\\&", *opening, "", name])
    bhs = "|".join(["BHS", "^~\\&", *opening, "", name])
    segments = [fhs, bhs, *(s for m in messages for s in m)]
    segments += [f"BTS|{len(messages)}", "FTS|1"]
    return SEGMENT_END.join(segments) + SEGMENT_END
