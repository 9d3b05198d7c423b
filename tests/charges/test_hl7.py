"""The HL7 v2.5.1 batch a billing system imports: every message re-parsed by hl7apy in strict
validation, and the fields a biller posts from read back through the parsed structure."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ptclock.charges.batch import ChargeBatch, Person, settle
from ptclock.charges.hl7 import escaped, hl7_batch
from ptclock.entries import MAX_NAME, patient_name
from tests.charges.reading import (
    batch_segment,
    financial_groups,
    parsed_messages,
    repetitions,
    segments,
    text_of,
    unescape,
)
from tests.charges.samples import (
    AMENDMENT_REASON,
    CANCEL_REASON,
    MEDICARE_KEY,
    SAMPLES,
    SUPERVISOR,
    THERAPIST,
    amendment_day,
    first_claim_treated_by,
    medicare_claim,
    numbered,
    plain_day,
    state_after_plain_day,
)


def _financials(batch: ChargeBatch) -> list[list[Any]]:
    """Per message, its FINANCIAL groups (FT1 with its NTE and procedure)."""
    return [financial_groups(message) for message in parsed_messages(hl7_batch(batch))]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_every_message_passes_strict_validation_and_the_batch_counts_them(sample: str) -> None:
    batch = SAMPLES[sample]()
    text = hl7_batch(batch)
    names = [segment[:3] for segment in segments(text)]
    assert names[:2] == ["FHS", "BHS"]
    assert names[-2:] == ["BTS", "FTS"]
    messages = parsed_messages(text)
    assert len(messages) == len(batch.claims)
    assert [text_of(m.msh.msh_9) for m in messages] == ["DFT^P03^DFT_P03"] * len(messages)
    assert {text_of(m.msh.msh_12) for m in messages} == {"2.5.1"}
    assert {text_of(m.msh.msh_18) for m in messages} == {"UNICODE UTF-8"}
    assert int(batch_segment(text, "BTS").bts_1.value) == len(messages)
    assert int(batch_segment(text, "FTS").fts_1.value) == 1


def test_batch_header_names_the_export() -> None:
    text = hl7_batch(amendment_day())
    for segment in segments(text)[:2]:
        fields = segment.split("|")
        # FHS-9 file name / BHS-9 batch name (the header's field 1 is the "|" itself).
        assert fields[8] == "E11A8F-2"
        assert fields[6] == "20261128093000-0500"


def test_patient_and_visit_of_each_message() -> None:
    first, second = parsed_messages(hl7_batch(plain_day()))
    assert text_of(first.msh.msh_10) == "E11A8F-1-1"
    assert text_of(first.msh.msh_3) == "PTCLOCK"
    assert text_of(first.msh.msh_4) == "Riverside PT"
    assert text_of(first.msh.msh_5) == "BILLING"
    assert text_of(first.msh.msh_7) == "20261127170200-0500"
    pid = first.pid
    assert text_of(pid.pid_3.cx_1) == "M100"
    assert text_of(pid.pid_3.cx_5) == "MR"
    assert text_of(pid.pid_5.xpn_1) == "Lee"
    assert text_of(pid.pid_5.xpn_2) == "Dana"
    assert text_of(pid.pid_5.xpn_3) == ""
    assert text_of(pid.pid_7) == "19500102"
    assert text_of(second.pid.pid_3.cx_1) == "C200"
    # XPN-2 is the first given name, XPN-3 the further ones ("second and further given
    # names or initials thereof").
    assert text_of(second.pid.pid_5.xpn_1) == "O'Neil-Ünal"
    assert text_of(second.pid.pid_5.xpn_2) == "María"
    assert text_of(second.pid.pid_5.xpn_3) == "José"
    assert text_of(second.pid.pid_7) == ""  # no date of birth: none invented
    pv1 = first.pv1
    assert text_of(pv1.pv1_2) == "O"
    assert text_of(pv1.pv1_7.xcn_1) == THERAPIST.npi
    assert text_of(pv1.pv1_19.cx_1) == "E11A8F-V1"
    assert text_of(pv1.pv1_44) == "20261127090000-0500"
    assert text_of(pv1.pv1_45) == "20261127100100-0500"


def test_charges_of_a_plain_day() -> None:
    """What the biller posts: per FT1 the id, date, CG, code, units, payer, NPI, modifiers;
    per PR1 the minutes; ROL the rendering and, on the CQ line, the supervising therapist."""
    seen = []
    for groups in _financials(plain_day()):
        for group in groups:
            ft1 = group.ft1
            procedure = group.dft_p03_financial_procedure
            seen.append(
                (
                    text_of(ft1.ft1_2),
                    text_of(ft1.ft1_4),
                    text_of(ft1.ft1_6),
                    text_of(ft1.ft1_7.ce_1),
                    text_of(ft1.ft1_7.ce_3),
                    int(ft1.ft1_10.value),
                    text_of(ft1.ft1_14.ce_1),
                    text_of(ft1.ft1_20.xcn_1),
                    text_of(ft1.ft1_20.xcn_13),
                    text_of(ft1.ft1_25.ce_1),
                    [text_of(r.ce_1) for r in repetitions(ft1, "FT1_26")],
                    int(procedure.pr1.pr1_7.value),
                    [text_of(r.ce_1) for r in repetitions(procedure.pr1, "PR1_16")],
                    [
                        (text_of(rol.rol_3.ce_1), text_of(rol.rol_4.xcn_1))
                        for rol in repetitions(procedure, "ROL")
                    ],
                )
            )
            assert not [child for child in group.children if child.name == "NTE"]
    rendering = ("RENDERING", THERAPIST.npi)
    supervising = ("SUPERVISING", SUPERVISOR.npi)
    m, c = "MEDICARE", "COMMERCIAL"
    npi = THERAPIST.npi
    assert seen == [
        ("E11A8F-1-1-1", "20261127", "CG", "97110", "C4", 3, m, npi, "NPI", "97110",
         ["GP"], 38, ["GP"], [rendering]),
        ("E11A8F-1-1-2", "20261127", "CG", "97140", "C4", 1, m, npi, "NPI", "97140",
         ["GP"], 23, ["GP"], [rendering]),
        ("E11A8F-1-2-1", "20261127", "CG", "97530", "C4", 2, c, npi, "NPI", "97530",
         ["59"], 30, ["59"], [rendering]),
        ("E11A8F-1-2-2", "20261127", "CG", "97110", "C4", 1, c, npi, "NPI", "97110",
         ["GP", "CQ"], 15, ["GP", "CQ"], [rendering, supervising]),
    ]  # fmt: skip


def test_modifier_coding_systems() -> None:
    """HCPCS Level II modifiers (GP, CQ) are HCPCS; a CPT modifier (59) is CPTM."""
    systems = {}
    for groups in _financials(plain_day()):
        for group in groups:
            for modifier in repetitions(group.ft1, "FT1_26"):
                systems[text_of(modifier.ce_1)] = text_of(modifier.ce_3)
    assert systems == {"GP": "HCPCS", "CQ": "HCPCS", "59": "CPTM"}


def test_a_hcpcs_level_two_code_is_coded_hcpcs() -> None:
    batch = plain_day()
    claim = batch.claims[0]
    line = replace(claim.lines[0], code="G0283", descriptor="Electrical stimulation")
    batch = replace(batch, claims=(replace(claim, lines=(line,)),))
    (groups,) = _financials(batch)
    assert text_of(groups[0].ft1.ft1_7.ce_1) == "G0283"
    assert text_of(groups[0].ft1.ft1_7.ce_3) == "HCPCS"
    assert text_of(groups[0].ft1.ft1_25.ce_3) == "HCPCS"


def test_an_amended_claim_credits_every_earlier_line_then_charges_the_new_ones() -> None:
    amended, _cancelled = _financials(amendment_day())
    (earlier,) = _financials(plain_day())[:1]
    rows = [
        (
            text_of(g.ft1.ft1_6),
            text_of(g.ft1.ft1_2),
            text_of(g.ft1.ft1_7.ce_1),
            int(g.ft1.ft1_10.value),
            int(g.dft_p03_financial_procedure.pr1.pr1_7.value),
            text_of(g.ft1.ft1_5),
        )
        for g in amended
    ]
    assert rows == [
        ("CD", "E11A8F-1-1-1", "97110", 3, 38, "20261128"),
        ("CD", "E11A8F-1-1-2", "97140", 1, 23, "20261128"),
        ("CG", "E11A8F-2-1-1", "97110", 3, 38, "20261128"),
        ("CG", "E11A8F-2-1-2", "97140", 1, 20, "20261128"),
    ]
    # Each credit carries the transaction id the earlier export charged under.
    charged_before = [text_of(g.ft1.ft1_2) for g in earlier]
    assert [r[1] for r in rows if r[0] == "CD"] == charged_before
    # The set ids of the FT1 segments run 1..n in the message.
    assert [text_of(g.ft1.ft1_1) for g in amended] == ["1", "2", "3", "4"]


def test_every_line_of_an_amended_claim_says_why() -> None:
    amended, _cancelled = _financials(amendment_day())
    for group in amended:
        note = text_of(group.nte.nte_3)
        assert note.startswith("Amends the claim sent 2026-11-27 17:02 (export 1): ")
        assert note.endswith(AMENDMENT_REASON)


def test_a_cancelled_claim_is_credited_line_by_line() -> None:
    """The commercial claim's time was corrected away: its message (under this export's
    claim number) credits each line export 1 charged, saying why."""
    _amended, cancelled = _financials(amendment_day())
    _first, earlier = _financials(plain_day())
    assert [text_of(g.ft1.ft1_6) for g in cancelled] == ["CD", "CD"]
    assert [text_of(g.ft1.ft1_2) for g in cancelled] == [text_of(g.ft1.ft1_2) for g in earlier]
    assert [int(g.ft1.ft1_10.value) for g in cancelled] == [2, 1]
    assert [[text_of(r.ce_1) for r in repetitions(g.ft1, "FT1_26")] for g in cancelled] == [
        ["59"],
        ["GP", "CQ"],
    ]
    for group in cancelled:
        assert text_of(group.nte.nte_3) == (
            f"Cancels the claim sent 2026-11-27 17:02 (export 1): {CANCEL_REASON}"
        )
    (_amended_message, cancelled_message) = parsed_messages(hl7_batch(amendment_day()))
    assert text_of(cancelled_message.msh.msh_10) == "E11A8F-2-2"
    assert text_of(cancelled_message.pid.pid_3.cx_1) == "C200"


def test_a_claim_no_longer_on_the_day_is_not_in_the_file() -> None:
    """A claim sent before and missing from the day now is left as sent (``batch.missing``
    names it): no message credits it."""
    current = numbered([medicare_claim(minutes_97140=20)], 2)
    claims = settle(current, state_after_plain_day(), {MEDICARE_KEY: [AMENDMENT_REASON]})
    batch = replace(amendment_day(), claims=claims)
    (message,) = parsed_messages(hl7_batch(batch))
    assert text_of(message.pid.pid_3.cx_1) == "M100"
    credited = [text_of(g.ft1.ft1_2) for g in financial_groups(message)]
    assert not [t for t in credited if t.startswith("E11A8F-1-2-")]


def test_message_control_ids_are_never_reused_across_exports() -> None:
    """MSH-10 identifies a message (the receiver acknowledges and de-duplicates by it): a
    later export's message must not carry an id an earlier export already used, or the
    receiver may drop it as a duplicate — here, the cancellation of a whole claim."""
    first = [text_of(m.msh.msh_10) for m in parsed_messages(hl7_batch(plain_day()))]
    second = [text_of(m.msh.msh_10) for m in parsed_messages(hl7_batch(amendment_day()))]
    assert len(set(first + second)) == len(first) + len(second), (first, second)


def test_delimiters_in_text_are_escaped_not_structure() -> None:
    batch = plain_day()
    claim = replace(
        batch.claims[0],
        patient="Bar|ber^s~on\\&Co, Ann\nMarie\t\x00",
        mrn="M|1^2",
    )
    rendering = Person("Smith&Jones, Jo", THERAPIST.npi, "PT|DPT")
    lines = tuple(replace(line, rendering=rendering) for line in claim.lines)
    batch = replace(batch, claims=(replace(claim, lines=lines),))
    text = hl7_batch(batch)
    (message,) = parsed_messages(text)
    assert text_of(message.pid.pid_5.xpn_1) == "Bar|ber^s~on\\&Co"
    assert text_of(message.pid.pid_5.xpn_2) == "Ann"
    assert text_of(message.pid.pid_5.xpn_3) == "Marie"
    assert text_of(message.pid.pid_3.cx_1) == "M|1^2"
    groups = financial_groups(message)
    assert len(groups) == 2
    performer = groups[0].ft1.ft1_20
    assert text_of(performer.xcn_2) == "Smith&Jones"
    assert text_of(performer.xcn_21) == "PT|DPT"
    assert int(groups[0].ft1.ft1_10.value) == 3


def test_escaped() -> None:
    assert escaped("a|b^c&d~e\\f") == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"
    assert escaped("line one\r\nline two\x00\x85end") == "line one line two end"
    assert escaped("  María  José 🙂 ") == "María José 🙂"


def test_escaped_within_a_limit_is_cut_between_characters_never_inside_an_escape() -> None:
    assert escaped("abc&def", 5) == "abc"  # "abc\\T\\" would be 6
    assert escaped("abc&def", 6) == "abc\\T\\"
    assert escaped("ab cd", 3) == "ab"  # no space left at the end
    assert escaped("a\x00\nb", 2) == "a"
    assert escaped("x" * 300, 199) == "x" * 199
    assert escaped("|" * 70, 199) == "\\F\\" * 66


DANAS = " ".join(["Dana"] * 58)  # 289 characters
LONG_NAMES = {
    "further-given-names": ("Lee, Dana " + DANAS, ("Lee", "Dana", DANAS[:199].rstrip())),
    "family": ("L" * MAX_NAME, ("L" * 199, "", "")),
    "first-given-name": ("Lee, " + "D" * 295, ("Lee", "D" * 199, "")),
    "given-then-family": ("G" * 150 + " " + "F" * 149, ("F" * 149, "G" * 150, "")),
    "three-parts-that-fit": (
        "F" * 120 + ", " + "G" * 120 + " " + "H" * 57,
        ("F" * 120, "G" * 120, "H" * 57),
    ),
}


@pytest.mark.parametrize(("name", "parts"), LONG_NAMES.values(), ids=LONG_NAMES)
def test_the_longest_patient_names_ptclock_accepts_are_valid_messages(
    name: str, parts: tuple[str, str, str]
) -> None:
    """``entries.patient_name`` accepts names of up to MAX_NAME (300) characters; hl7apy's
    limit for a text component is 199, so each part of PID-5 is cut there (the MRN, not the
    name, identifies the patient)."""
    assert patient_name(name) == name
    assert len(name) <= MAX_NAME
    batch = plain_day()
    batch = replace(batch, claims=(replace(batch.claims[0], patient=name),))
    (message,) = parsed_messages(hl7_batch(batch))
    pid_5 = message.pid.pid_5
    assert (text_of(pid_5.xpn_1), text_of(pid_5.xpn_2), text_of(pid_5.xpn_3)) == parts
    assert text_of(message.pid.pid_3.cx_1) == "M100"


@pytest.mark.parametrize(
    ("family", "written"),
    [
        # Escaped, "&" is three characters ("\\T\\"): the part is cut as written, at 199.
        ("Smith & Jones-" + "A" * 185, "Smith & Jones-" + "A" * 183),
        # Never inside an escape: a delimiter that does not fit whole is left out.
        ("A" * 197 + "&B", "A" * 197),
        ("A" * 196 + "|B", "A" * 196 + "|"),
        ("\\" * 66 + "|x", "\\" * 66),
    ],
)
def test_a_long_name_part_is_cut_as_written_never_inside_an_escape(
    family: str, written: str
) -> None:
    name = f"{family}, Dana"
    assert patient_name(name) == name
    batch = plain_day()
    batch = replace(batch, claims=(replace(batch.claims[0], patient=name),))
    text = hl7_batch(batch)
    (message,) = parsed_messages(text)
    assert text_of(message.pid.pid_5.xpn_1) == written
    assert text_of(message.pid.pid_5.xpn_2) == "Dana"
    (pid,) = [segment for segment in segments(text) if segment.startswith("PID|")]
    assert len(pid.split("|")[5].split("^")[0]) <= 199


def test_the_longest_provider_name_settings_accept_is_a_valid_message() -> None:
    """settings.py takes a provider name of 200 characters: XCN-2 is cut at 199 (the NPI,
    not the name, identifies the provider)."""
    provider = Person("Smith-" + "J" * 194, THERAPIST.npi, "PT")
    assert len(provider.name) == 200
    (message,) = parsed_messages(hl7_batch(first_claim_treated_by(provider)))
    for person in (message.pv1.pv1_7, financial_groups(message)[0].ft1.ft1_20):
        assert text_of(person.xcn_1) == THERAPIST.npi
        assert text_of(person.xcn_2) == provider.name[:199]


def test_a_providers_given_names_are_split_as_the_patients_are() -> None:
    """XCN-3 is the first given name, XCN-4 the further ones (as PID-5's XPN-2, XPN-3)."""
    provider = Person("Mary Ann Smith", THERAPIST.npi, "PT, DPT")
    (message,) = parsed_messages(hl7_batch(first_claim_treated_by(provider)))
    for person in (message.pv1.pv1_7, financial_groups(message)[0].ft1.ft1_20):
        parts = [text_of(part) for part in (person.xcn_2, person.xcn_3, person.xcn_4)]
        assert parts == ["Smith", "Mary", "Ann"]
        assert text_of(person.xcn_13) == "NPI" and text_of(person.xcn_21) == "PT, DPT"


@pytest.mark.parametrize(
    ("facility", "namespace"),
    [
        ("Riverside Physical Therapy", "Riverside Physical T"),
        ("Riverside PT and OT of Maine", "Riverside PT and OT"),  # no trailing space
        ("A&B Physical Therapy", "A&B Physical Thera"),  # "&" is 3 characters written
        ("Riverside PT", "Riverside PT"),
    ],
)
def test_a_clinic_name_is_cut_to_an_hl7_namespace_id(facility: str, namespace: str) -> None:
    """The sending facility (else the clinic's name, up to 200 characters) is HD-1 of MSH-4,
    FHS-4, BHS-4 and PID-3's assigning authority: an IS of at most 20 characters in
    v2.5.1, cut there as written."""
    batch = plain_day()
    batch = replace(batch, sender=replace(batch.sender, facility=facility))
    text = hl7_batch(batch)
    for message in parsed_messages(text):
        assert text_of(message.msh.msh_4.hd_1) == namespace
        assert text_of(message.pid.pid_3.cx_4.hd_1) == namespace
    for header in segments(text)[:2]:  # FHS, BHS
        assert unescape(header.split("|")[3]) == namespace


def test_the_applications_and_the_receiving_facility_are_namespace_ids_too() -> None:
    long = "Billing System of the Riverside Clinic"
    sender = replace(
        plain_day().sender, application=long, receiving_application=long, receiving_facility=long
    )
    batch = replace(plain_day(), sender=sender)
    (first, _second) = parsed_messages(hl7_batch(batch))
    assert [text_of(first.msh.msh_3), text_of(first.msh.msh_5), text_of(first.msh.msh_6)] == [
        long[:20].rstrip()
    ] * 3
