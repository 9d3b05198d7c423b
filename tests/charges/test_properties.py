"""Any batch, however odd its names and numbers, comes out as a file the billing system can
read (hypothesis): every HL7 message passes strict validation and gives back the parties,
the MRN, the patient's name and the lines (here); every FHIR bundle validates and the CSV
parses to one row per line (``test_fhir_properties``, with these strategies)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ptclock.charges.batch import (
    Action,
    ChargeBatch,
    ChargeLine,
    ClaimCharges,
    ClaimStatus,
    Person,
    Sender,
    VisitFacts,
)
from ptclock.charges.fhir import fhir_bundle
from ptclock.charges.hl7 import hl7_batch
from ptclock.charges.names import family_and_given
from ptclock.entries import MAX_NAME
from tests.charges.reading import (
    batch_segment,
    financial_groups,
    message_texts,
    parse_strict,
    repetitions,
    text_of,
)
from tests.charges.samples import DAY, SENDER, SUPERVISOR, TAG, THERAPIST, at, plain_day
from tests.charges.test_fhir import check_bundle

CODES = {
    "97110": "Therapeutic exercise",
    "97140": "Manual therapy",
    "97530": "Therapeutic activities",
    "97112": "Neuromuscular re-education",
    "G0283": "Electrical stimulation, unattended",
    "97161": "PT evaluation, low complexity",
}
MODIFIERS = ("GP", "CQ", "KX", "59", "XU")
NPIS = ("1234567893", "1245319599", "1003000126")
ODD_PIECES = [
    "|",
    "^",
    "~",
    "\\",
    "&",
    "\\F\\",
    ",",
    " ",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x1c",
    "\x85",
    "\u2028",
    "\u202e",
    "\u200f",
    "🙂",
    "👩‍⚕️",
    "שלום",
    "مريم",
    "Ünal",
    "O'Neil",
    "=1+1",
    "Lee",
]


def _without_controls(text: str) -> str:
    """What an HL7 field can hold of ``text``: controls as spaces, whitespace collapsed."""
    spaced = "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text)
    return " ".join(spaced.split())


odd_text = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(ODD_PIECES) | st.text(max_size=4), max_size=10).map("".join),
).filter(lambda text: len(text) <= 60)
"""Any text (no lone surrogates: those cannot be written as UTF-8) up to 60 characters, so
that even escaped three times over it stays within hl7apy's 199-character limit."""

names = odd_text.filter(lambda name: any(map(_without_controls, family_and_given(name))))
"""ptclock keeps no empty name (``entries.patient_name``, which also refuses control
characters): something is left to write in PID-5 (HL7 requires it)."""

LONGEST_PART = 199
"""hl7apy's limit for a text component (ST), as written: PID-5's and XCN's name parts are
cut there."""
NAMESPACE = 20
"""HD-1 (IS) in v2.5.1, as written: the applications and facilities are cut there."""
DELIMITERS = "|^~\\&"
NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉüñçØ'-" + DELIMITERS


def long_names(longest: int) -> st.SearchStrategy[str]:
    """Names up to ``longest`` characters with one long part (67 or more characters: 67
    delimiters, three characters each written, are more than ``LONGEST_PART``), placed
    among up to three short ones."""
    word = st.text(st.sampled_from(NAME_CHARACTERS), min_size=1, max_size=30)
    long_word = st.text(st.sampled_from(NAME_CHARACTERS), min_size=67, max_size=longest)
    return st.tuples(
        st.lists(word, max_size=3), long_word, st.integers(0, 3), st.sampled_from([" ", ", "])
    ).map(
        lambda drawn: (
            drawn[3]
            .join([*drawn[0][: drawn[2]], drawn[1], *drawn[0][drawn[2] :]])[:longest]
            .strip()
        )
    )


patient_names = names | long_names(MAX_NAME)
"""As long as ptclock takes (``entries.MAX_NAME``)."""
provider_names = names | long_names(200)
"""As long as settings take (``settings.py``: provider, 200)."""
parties = odd_text | long_names(200)
"""Applications and facilities: settings take 20 characters, the clinic's name (the
facility when none is set) 200."""


def _name_parts(name: str) -> tuple[str, str, str]:
    """PID-5 as XPN: family name (XPN-1), first given name (XPN-2), the further given names
    (XPN-3)."""
    family, given = family_and_given(name)
    first, *further = given.split() or [""]
    return family, first, " ".join(further)


def _as_written(text: str, limit: int) -> str:
    """``text`` read back from a component of at most ``limit`` characters as written:
    controls as spaces, spaces collapsed, cut before the first character that would not
    fit whole (a delimiter is written as three, ``\\F\\`` and so on)."""
    out, written = "", 0
    for char in _without_controls(text):
        written += 3 if char in DELIMITERS else 1
        if written > limit:
            break
        out += char
    return out.rstrip(" ")


mrns = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="\x85"
    )
    | st.sampled_from("|^~\\&"),
    min_size=1,
    max_size=20,
)


@st.composite
def people(draw: st.DrawFn) -> tuple[Person, ...]:
    return tuple(
        Person(draw(provider_names), npi, draw(st.sampled_from(["", "PT", "PT, DPT", "PTA"])))
        for npi in NPIS
    )


@st.composite
def lines(
    draw: st.DrawFn, prefix: str, staff: tuple[Person, ...], most: int
) -> tuple[ChargeLine, ...]:
    out = []
    for number in range(1, draw(st.integers(1, most)) + 1):
        code = draw(st.sampled_from(sorted(CODES)))
        chosen = draw(st.sets(st.sampled_from(MODIFIERS)))
        modifiers = tuple(m for m in MODIFIERS if m in chosen)
        rendering = draw(st.sampled_from(staff))
        out.append(
            ChargeLine(
                transaction=f"{prefix}-{number}",
                action=draw(st.sampled_from(list(Action))),
                code=code,
                descriptor=draw(st.sampled_from([CODES[code], ""])),
                modifiers=modifiers,
                units=draw(st.integers(0, 20)),
                minutes=draw(st.integers(0, 600)),
                rendering=rendering,
                supervising=draw(st.sampled_from(staff)) if "CQ" in modifiers else None,
            )
        )
    return tuple(out)


@st.composite
def batches(draw: st.DrawFn, line_budget: int = 12 * 15) -> ChargeBatch:
    """1-12 claims of 1-15 lines each, at most ``line_budget`` lines in all (every claim
    still gets one)."""
    staff = draw(people())
    export = draw(st.integers(1, 999))
    claims: list[ClaimCharges] = []
    count = draw(st.integers(1, 12))
    budget = max(line_budget, count)
    for index in range(1, count + 1):
        spare = budget - sum(len(c.lines) for c in claims) - (count - index)
        number = f"{TAG}-{export}-{index}"
        mrn = draw(mrns)
        payer = draw(st.sampled_from(["medicare", "commercial", "other"]))
        rule = draw(st.sampled_from(["cms", "ama"]))
        start = at(8, 0) + timedelta(minutes=draw(st.integers(0, 600)))
        visits = tuple(
            VisitFacts(
                f"{TAG}-V{index}-{k}",
                start + timedelta(minutes=60 * k),
                draw(st.none() | st.just(start + timedelta(minutes=60 * k + 45))),
                draw(st.sampled_from(staff)),
            )
            for k in range(draw(st.integers(1, 2)))
        )
        status = draw(st.sampled_from(list(ClaimStatus)))
        changed = status is not ClaimStatus.NEW
        claims.append(
            ClaimCharges(
                key=f"{DAY.isoformat()}|{mrn}|{payer}|{rule}|{index}",
                number=number,
                date_of_service=DAY,
                patient=draw(patient_names),
                mrn=mrn,
                date_of_birth=draw(st.none() | st.dates(date(1900, 1, 1), DAY)),
                payer=payer,
                rule=rule,
                visits=visits,
                lines=draw(lines(number, staff, min(15, spare))),
                status=status,
                reasons=tuple(draw(st.lists(odd_text, min_size=1, max_size=3))) if changed else (),
                sent_before=f"sent 2026-11-27 17:02 (export {export - 1})" if changed else "",
            )
        )
    sender = Sender(
        application=draw(parties),
        facility=draw(parties),
        receiving_application=draw(parties),
        receiving_facility=draw(parties),
        mrn_system=SENDER.mrn_system,
    )
    return ChargeBatch(DAY, export, at(17, 2), TAG, sender, tuple(claims))


HL7_LINE_BUDGET = 6
"""hl7apy takes about 7 ms a line in strict validation: 60 full-size batches (up to 180
lines) would take minutes. Every shape's extremes are still drawn (12 claims of a line, one
claim of 6 lines); ``test_the_largest_shapes_are_valid`` runs 15-line claims once."""


@settings(max_examples=60, deadline=None)
@given(batches(line_budget=HL7_LINE_BUDGET))
def test_every_hl7_message_is_valid_and_carries_the_patient_and_the_lines(
    batch: ChargeBatch,
) -> None:
    check_hl7(batch)


def test_the_largest_shapes_are_valid() -> None:
    """12 claims, the first of 15 lines (every code, modifier set and action in turn)."""
    staff = (THERAPIST, SUPERVISOR)
    first = plain_day().claims[0]
    codes = sorted(CODES)
    long_lines = tuple(
        replace(
            first.lines[0],
            transaction=f"{TAG}-7-1-{n}",
            action=list(Action)[n % 2],
            code=codes[n % len(codes)],
            modifiers=MODIFIERS[: n % 6],
            units=n,
            minutes=40 * n,
            supervising=staff[1] if "CQ" in MODIFIERS[: n % 6] else None,
        )
        for n in range(1, 16)
    )
    claims = [replace(first, number=f"{TAG}-7-1", lines=long_lines)]
    claims += [
        replace(
            first,
            key=f"k{i}",
            number=f"{TAG}-7-{i}",
            mrn=f"M{i}",
            lines=(replace(first.lines[1], transaction=f"{TAG}-7-{i}-1"),),
        )
        for i in range(2, 13)
    ]
    batch = replace(plain_day(), export_number=7, claims=tuple(claims))
    check_hl7(batch)
    check_bundle(fhir_bundle(batch), batch)


@dataclass(frozen=True)
class _LineRead:
    transaction: str
    transaction_type: str
    code: str
    units: int
    rendering_npi: str
    modifiers: list[str]
    minutes: int
    notes: int
    roles: list[str]


@dataclass(frozen=True)
class _MessageRead:
    parties: list[str]
    control_id: str
    authority: str
    mrn: str
    name: tuple[str, str, str]
    birth_date: str
    lines: list[_LineRead]


def _read_message(text: str) -> _MessageRead:
    """One DFT^P03 parsed and validated strictly, and what the checks compare, as plain
    values."""
    message = parse_strict(text)
    pid = message.pid
    lines = []
    for group in financial_groups(message):
        ft1 = group.ft1
        procedure = group.dft_p03_financial_procedure
        lines.append(
            _LineRead(
                transaction=text_of(ft1.ft1_2),
                transaction_type=text_of(ft1.ft1_6),
                code=text_of(ft1.ft1_7.ce_1),
                units=int(ft1.ft1_10.value),
                rendering_npi=text_of(ft1.ft1_20.xcn_1),
                modifiers=[text_of(m.ce_1) for m in repetitions(ft1, "FT1_26")],
                minutes=int(procedure.pr1.pr1_7.value),
                notes=len([child for child in group.children if child.name == "NTE"]),
                roles=[text_of(rol.rol_4.xcn_1) for rol in repetitions(procedure, "ROL")],
            )
        )
    msh = message.msh
    return _MessageRead(
        parties=[text_of(field.hd_1) for field in (msh.msh_3, msh.msh_4, msh.msh_5, msh.msh_6)],
        control_id=text_of(msh.msh_10),
        authority=text_of(pid.pid_3.cx_4.hd_1),
        mrn=text_of(pid.pid_3.cx_1),
        name=(text_of(pid.pid_5.xpn_1), text_of(pid.pid_5.xpn_2), text_of(pid.pid_5.xpn_3)),
        birth_date=text_of(pid.pid_7),
        lines=lines,
    )


def _read_strictly(number: int, text: str) -> _MessageRead:
    """``_read_message``, with a refusal by hl7apy reported as text.

    Nothing of hl7apy outlives this call, not even in a failure: hypothesis keeps the
    exception of every failing example it tries while shrinking (up to 10,000), and an
    exception's traceback keeps its frames' locals alive. Holding the parsed messages
    (~3 MB of hl7apy elements a batch), shrinking one failure grew a worker to 0.5-1 GB in
    two to four minutes (and the garbage collector's passes over it slowed every example):
    the crashed xdist worker. So the checks compare plain values, and a message hl7apy
    refuses is reported as text, raised outside the ``except`` (no ``__context__`` to its
    frames)."""
    refused = ""
    try:
        return _read_message(text)
    except Exception as error:
        refused = "".join(traceback.format_exception(error))
    raise AssertionError(f"message {number} refused by hl7apy (strict):\n{refused}")


def check_hl7(batch: ChargeBatch) -> None:
    """Every message strictly valid and carrying its claim. Each message is checked as soon
    as it is read: a failing example (hypothesis runs hundreds while shrinking one, at
    ~15 ms of hl7apy a message) stops at its first wrong message."""
    text = hl7_batch(batch)
    texts = message_texts(text)
    sender = batch.sender
    parties = [
        sender.application,
        sender.facility,
        sender.receiving_application,
        sender.receiving_facility,
    ]
    assert len(texts) == len(batch.claims)
    assert int(batch_segment(text, "BTS").bts_1.value) == len(texts)
    for number, (message_text, claim) in enumerate(zip(texts, batch.claims, strict=True), 1):
        message = _read_strictly(number, message_text)  # strict parse and validate()
        assert message.parties == [_as_written(party, NAMESPACE) for party in parties]
        assert message.control_id == claim.number
        assert message.authority == _as_written(sender.facility, NAMESPACE)
        assert message.mrn == claim.mrn
        parts = _name_parts(claim.patient)
        assert message.name == tuple(_as_written(part, LONGEST_PART) for part in parts)
        born = claim.date_of_birth
        assert message.birth_date == (born.strftime("%Y%m%d") if born else "")
        assert len(message.lines) == len(claim.lines)
        for read, line in zip(message.lines, claim.lines, strict=True):
            assert read.transaction == line.transaction
            assert read.transaction_type == ("CG" if line.action is Action.CHARGE else "CD")
            assert read.code == line.code
            assert read.units == line.units
            assert read.rendering_npi == line.rendering.npi
            assert read.modifiers == list(line.modifiers)
            assert read.minutes == line.minutes
            assert read.notes == (1 if claim.sent_before else 0)
            expected = [line.rendering.npi]
            if line.supervising is not None:
                expected.append(line.supervising.npi)
            assert read.roles == expected
