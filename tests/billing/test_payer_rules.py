"""What Medicare does with 97010 and 97014 (issue 13, #11), as data and as sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptclock.billing import UnknownCodeError, load_catalog
from ptclock.billing.payer_rules import (
    PayerNote,
    PayerStatus,
    medicare_note,
    payer_note,
    separately_payable,
)

CATALOG = load_catalog()


def test_hot_and_cold_packs_are_bundled_by_medicare() -> None:
    # Palmetto GBA, "Hot or Cold Packs: Bundling Denials" (2018): 97010 is status B in the
    # Medicare Physician Fee Schedule Database, "always included in payment for other
    # services performed on the same date" (CMS Pub. 100-04 ch. 23 §30.2.2).
    note = medicare_note("97010", CATALOG)
    assert note == PayerNote("97010", "Medicare", PayerStatus.BUNDLED)
    assert not note.separately_payable
    assert note.message == (
        "97010 is bundled by Medicare: not paid separately, so it is left off the claim — "
        "nothing to change."
    )


def test_unattended_electrical_stimulation_is_g0283_for_medicare() -> None:
    # MAC LCD billing note: "97014 is not recognized by Medicare. Use G0283 when reporting
    # unattended electrical stimulation for other than wound care purposes" (codes.csv).
    note = payer_note("97014", "medicare", CATALOG)
    assert note is not None
    assert (note.status, note.instead) == (PayerStatus.NOT_PAYABLE, "G0283")
    assert note.message == (
        "97014 is not payable by Medicare: billed as G0283 for unattended electrical "
        "stimulation — nothing to change."
    )
    assert not separately_payable("97014", "medicare", CATALOG)


@pytest.mark.parametrize("code", ["97110", "97140", "97530", "97161", "G0283", "97012"])
def test_ordinary_codes_have_no_note(code: str) -> None:
    assert medicare_note(code, CATALOG) is None
    assert separately_payable(code, "medicare", CATALOG)


@pytest.mark.parametrize("payer", ["commercial", "other", "Aetna", ""])
def test_other_payers_get_no_medicare_rule(payer: str) -> None:
    # The facts are Medicare's; a commercial payer may pay 97010 and 97014 by contract.
    assert payer_note("97010", payer, CATALOG) is None
    assert payer_note("97014", payer, CATALOG) is None
    assert separately_payable("97014", payer, CATALOG)


def test_payer_name_is_matched_without_case_and_codes_without_case() -> None:
    note = payer_note(" 97014 ", " Medicare ", CATALOG)
    assert note is not None and note.code == "97014"
    assert payer_note("97010", "MEDICARE", CATALOG) is not None


def test_a_str_enum_payer_works_like_its_value() -> None:
    # The claim passes timing.records.Payer.MEDICARE, a str enum whose value is "medicare".
    from enum import Enum

    class Payer(str, Enum):
        MEDICARE = "medicare"
        COMMERCIAL = "commercial"

    assert payer_note("97010", Payer.MEDICARE, CATALOG) is not None
    assert payer_note("97010", Payer.COMMERCIAL, CATALOG) is None


def test_unknown_code_is_an_error() -> None:
    with pytest.raises(UnknownCodeError):
        medicare_note("12345", CATALOG)


def test_a_clinic_code_can_carry_a_medicare_rule(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(
        "code,descriptor,kind,category,details,medicare\n"
        "99991,PT screen,untimed,other,,not-payable:97161\n"
        "99992,Local thing,untimed,other,,not-payable\n"
    )
    catalog = load_catalog(clinic)
    first = medicare_note("99991", catalog)
    second = medicare_note("99992", catalog)
    assert first is not None and second is not None
    # An acronym at the start of the substitute's name keeps its capitals.
    assert first.message == (
        "99991 is not payable by Medicare: billed as 97161 for PT evaluation: low complexity "
        "— nothing to change."
    )
    assert second.message == (
        "99992 is not payable by Medicare: it is not paid, with or without a modifier, so "
        "leave it off a Medicare claim."
    )
