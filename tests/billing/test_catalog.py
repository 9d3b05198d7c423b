"""The shipped code catalog and a clinic's own codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ptclock.billing import CatalogError, UnknownCodeError, load_catalog

TIMED = [
    "97032",
    "97033",
    "97034",
    "97035",
    "97036",
    "97110",
    "97112",
    "97113",
    "97116",
    "97124",
    "97140",
    "97530",
    "97533",
    "97535",
    "97537",
    "97542",
    "97750",
    "97755",
    "97760",
    "97761",
    "97763",
]
UNTIMED = [
    "97161",
    "97162",
    "97163",
    "97164",
    "97150",
    "97010",
    "97012",
    "97014",
    "97016",
    "97018",
    "97022",
    "97024",
    "97026",
    "97028",
    # Medicare's code for unattended electrical stimulation (issue 13, #11).
    "G0283",
    # Not therapy; kept so that visits which recorded them still load.
    "36591",
    "36592",
    "96523",
]
HEADER = "code,descriptor,kind,category,details\n"


def test_every_code_of_the_billing_rules_is_shipped_with_its_kind() -> None:
    catalog = load_catalog()
    assert {code.code for code in catalog if code.timed} == set(TIMED)
    assert {code.code for code in catalog if not code.timed} == set(UNTIMED)
    assert all(code.descriptor and code.category for code in catalog)


def test_picker_words_find_codes_and_tell_97110_from_97530() -> None:
    catalog = load_catalog()
    assert [code.code for code in catalog.search("gait")] == ["97116"]
    assert "97140" in [code.code for code in catalog.search("manual")]
    assert "functional" in catalog["97530"].details.lower()
    assert "strength" in catalog["97110"].details.lower()


def test_unknown_code_names_the_code() -> None:
    with pytest.raises(UnknownCodeError, match="12345"):
        load_catalog()["12345"]


def test_clinic_adds_its_own_codes(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(
        HEADER + "# speech\n92507,Speech treatment,untimed,speech,SLP session\n"
        "97129,Cognitive function first 15 minutes,timed,cognition,\n"
    )
    catalog = load_catalog(clinic)
    assert catalog["92507"].timed is False
    assert catalog["97129"].timed is True
    assert catalog["97110"].descriptor == "Therapeutic exercise"


@pytest.mark.parametrize(
    ("rows", "line", "problem"),
    [
        ("92507,Speech,untimed,speech,\n92507,Again,untimed,speech,\n", 3, "listed twice"),
        ("92507,Speech,sometimes,speech,\n", 2, "kind must be"),
        ("9250,Speech,untimed,speech,\n", 2, "is not a code"),
        ("92507,Speech\n", 2, "expected 5 columns"),
        ("92507,,untimed,speech,\n", 2, "no descriptor"),
        ("97110,My exercise,timed,exercise,\n", 2, "already a ptclock code"),
    ],
)
def test_clinic_file_mistakes_name_file_and_line(
    tmp_path: Path, rows: str, line: int, problem: str
) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(HEADER + rows)
    with pytest.raises(CatalogError) as caught:
        load_catalog(clinic)
    assert caught.value.line == line
    assert str(clinic) in str(caught.value)
    assert problem in str(caught.value)


def test_clinic_file_without_header(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text("92507,Speech,untimed,speech,\n")
    with pytest.raises(CatalogError, match="line 1: the first row must be the header"):
        load_catalog(clinic)


def test_missing_clinic_file_is_fine(tmp_path: Path) -> None:
    assert "97110" in load_catalog(tmp_path / "nothing.csv")


def test_g0283_is_shipped_untimed_for_unattended_electrical_stimulation() -> None:
    """Issue 13, #11: G0283 was not in the catalog. HCPCS G0283: electrical stimulation
    (unattended), one or more areas, other than wound care, under a therapy plan of care
    (sources in codes.csv)."""
    catalog = load_catalog()
    code = catalog["g0283"]
    assert (code.code, code.timed, code.category) == ("G0283", False, "modality")
    assert "unattended electrical stimulation" in code.descriptor.lower()
    assert [c.code for c in catalog.search("unattended")] == ["97014", "G0283"]


def test_medicare_column_is_data() -> None:
    # Palmetto GBA "Hot or Cold Packs: Bundling Denials" (97010 status B); MAC LCD note
    # "97014 is not recognized by Medicare. Use G0283" (sources in codes.csv).
    catalog = load_catalog()
    assert catalog["97010"].medicare == "bundled"
    assert catalog["97014"].medicare == "not-payable:G0283"
    assert catalog["97014"].medicare_instead == "G0283"
    assert catalog["97010"].medicare_instead is None
    assert catalog["97110"].medicare == "" and catalog["G0283"].medicare == ""


def test_97124_text_no_longer_contradicts_the_97140_edit() -> None:
    # Issue 13, #4: the details said "not bundled with 97140" beside a shipped edit.
    details = load_catalog()["97124"].details.lower()
    assert "not bundled" not in details and "97140" in details


def test_an_older_clinic_file_without_the_medicare_column_still_loads(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(
        HEADER + "92507,Speech treatment,untimed,speech,SLP session\n92508,Group,untimed,speech\n"
    )
    catalog = load_catalog(clinic)
    assert catalog["92507"].medicare == "" and catalog["92508"].details == ""


def test_a_clinic_file_may_use_the_medicare_column(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(
        HEADER.strip() + ",medicare\n"
        "92507,Speech treatment,untimed,speech,SLP session\n"
        "97139,Unlisted procedure,untimed,other,,Not-Payable:g0283\n"
        "99999,Local bundled code,untimed,other,,bundled\n"
    )
    catalog = load_catalog(clinic)
    assert catalog["92507"].medicare == ""
    assert catalog["97139"].medicare == "not-payable:G0283"
    assert catalog["99999"].medicare == "bundled"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sometimes", "medicare must be empty, 'bundled', 'not-payable'"),
        ("not-payable:12", "medicare must be empty"),
        ("not-payable:92507", "names the code itself"),
        ("not-payable:X1234", "medicare names X1234, which is not in the code catalog"),
    ],
)
def test_bad_medicare_values_name_file_and_line(tmp_path: Path, value: str, problem: str) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(
        HEADER.strip() + ",medicare\n92507,Speech treatment,untimed,speech,," + value + "\n"
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(clinic)
    assert caught.value.line == 2
    assert problem in str(caught.value)


def test_a_row_longer_than_the_header_is_refused(tmp_path: Path) -> None:
    clinic = tmp_path / "codes.csv"
    clinic.write_text(HEADER + "92507,Speech,untimed,speech,SLP,bundled\n")
    with pytest.raises(CatalogError, match="line 2: expected 5 columns"):
        load_catalog(clinic)
