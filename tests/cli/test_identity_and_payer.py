"""Issue 13: one patient per MRN, the payer and the provider stored with each visit, and the
provider set up before a PDF goes out — each defect reproduced through the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ptclock import paths
from ptclock.billing_data import import_fees
from ptclock.claim_desk import claim_for_visit_id
from ptclock.settings import Settings, load_settings, save_settings
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.helpers import MORNING, keeper, ok, run

SETUP = [
    "setup",
    "--provider",
    "Jordan Lee",
    "--credentials",
    "PT, DPT",
    "--npi",
    "1234567893",
    "--clinic",
    "Riverside Physical Therapy",
]
DAY = "2026-11-27"
PROVIDER_FIRST = (
    "ptclock: set the provider's name and NPI first: Tools → Settings… in the window, or "
    "ptclock setup --provider NAME --credentials TEXT --npi NPI --clinic NAME\n"
)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """One fake clock for every ``ptclock`` command of the test (10:00 New York)."""
    fake = FakeClock(MORNING)
    monkeypatch.setattr("ptclock.assembly.SystemClock", lambda: fake)
    return fake


def show(capsys: pytest.CaptureFixture[str], visit: int) -> Any:
    return json.loads(ok(capsys, "visit", "show", str(visit), "--json"))


def listed(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(ok(capsys, "visit", "list", "--date", DAY, "--json"))


def new_visit(capsys: pytest.CaptureFixture[str], *argv: str) -> int:
    return int(ok(capsys, "visit", "new", *argv))


# -- identity (defect 1) --------------------------------------------------------------------


def test_two_john_smiths_with_different_mrns_are_two_patients(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Defect 1: the second John Smith became the first (his MRN shown, minutes pooled:
    12 + 12 minutes of 97110 billed as 2 units on one claim instead of 1 + 1)."""
    first = new_visit(capsys, "--patient", "John Smith", "--mrn", "111", "--payer", "medicare")
    ok(capsys, "timer", "add", "97110", "12", "--reason", "forgot", "--visit", str(first))
    second = new_visit(capsys, "--patient", "John Smith", "--mrn", "222", "--payer", "medicare")
    ok(capsys, "timer", "add", "97110", "12", "--reason", "forgot", "--visit", str(second))
    one, two = show(capsys, first), show(capsys, second)
    assert (one["mrn"], two["mrn"]) == ("111", "222")
    assert (one["total_units"], two["total_units"]) == (1, 1)
    assert one["claim"]["day"] is None and two["claim"]["day"] is None  # nothing pooled
    store = keeper(path=paths.database_file()).store
    assert len(store.patients_named("John Smith")) == 2


def test_an_mrn_used_under_another_name_is_refused_and_nothing_changes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Defect 1: the MRN identifies the patient; another name with it is a mistake."""
    new_visit(capsys, "--patient", "John Smith", "--mrn", "111")
    before = listed(capsys)
    status, out, err = run(capsys, "visit", "new", "--patient", "Jane Doe", "--mrn", "111")
    assert (status, out) == (2, "")
    assert err == (
        "ptclock: MRN 111 belongs to John Smith, not Jane Doe: check the MRN or the name\n"
    )
    assert listed(capsys) == before


def test_the_same_mrn_is_the_same_patient(capsys: pytest.CaptureFixture[str]) -> None:
    first = new_visit(capsys, "--patient", "John Smith", "--mrn", "111", "--dob", "1950-04-30")
    ok(capsys, "visit", "end")
    second = new_visit(capsys, "--patient", "John Smith", "--mrn", "111")
    assert show(capsys, first)["dob"] == show(capsys, second)["dob"] == "1950-04-30"
    store = keeper(path=paths.database_file()).store
    assert len(store.patients_named("John Smith")) == 1


def test_a_name_alone_is_the_one_patient_of_that_name(capsys: pytest.CaptureFixture[str]) -> None:
    """Without an MRN, the name says who when exactly one patient has it."""
    new_visit(capsys, "--patient", "Ada Lovelace", "--mrn", "555")
    again = new_visit(capsys, "--patient", "Ada Lovelace")
    assert show(capsys, again)["mrn"] == "555"


def test_a_name_shared_by_two_patients_needs_the_mrn(capsys: pytest.CaptureFixture[str]) -> None:
    new_visit(capsys, "--patient", "John Smith", "--mrn", "111", "--dob", "1950-01-01")
    new_visit(capsys, "--patient", "John Smith", "--mrn", "222", "--dob", "1960-01-01")
    before = listed(capsys)
    status, out, err = run(capsys, "visit", "new", "--patient", "John Smith")
    assert (status, out) == (2, "")
    assert err == (
        "ptclock: 2 patients are called John Smith (MRNs 111, 222): give the MRN to say which one\n"
    )
    assert listed(capsys) == before
    # Among namesakes, a date of birth on record says which.
    third = new_visit(capsys, "--patient", "John Smith", "--dob", "1960-01-01")
    assert show(capsys, third)["mrn"] == "222"


def test_a_patient_first_seen_without_an_mrn_gets_it(capsys: pytest.CaptureFixture[str]) -> None:
    first = new_visit(capsys, "--patient", "Grace Hopper")
    ok(capsys, "visit", "end")
    second = new_visit(capsys, "--patient", "Grace Hopper", "--mrn", "777")
    assert show(capsys, first)["mrn"] == show(capsys, second)["mrn"] == "777"
    audit = keeper(path=paths.database_file()).store.audit_trail()
    (added,) = [entry for entry in audit if entry.action == "patient_identity"]
    assert added.after == {"patient_id": 1, "added": ["mrn"]}  # no identifiers in the audit


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ("30/04/1950", "the date of birth '30/04/1950' is not a date like 1950-04-30"),
        ("1950-02-30", "the date of birth '1950-02-30' is not a date like 1950-04-30"),
        ("1850-01-01", "the date of birth 1850-01-01 is before 1900: check the year"),
        ("2099-01-01", "the date of birth 2099-01-01 is after the date of service "),
    ],
)
def test_a_bad_date_of_birth_is_refused(
    capsys: pytest.CaptureFixture[str], dob: str, message: str
) -> None:
    status, out, err = run(capsys, "visit", "new", "--patient", "Ada", "--dob", dob)
    assert (status, out) == (2, "")
    assert err.startswith(f"ptclock: {message}") and err.count("\n") == 1
    assert not paths.database_file().exists()  # refused before anything was made


def test_another_date_of_birth_for_the_same_patient_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_visit(capsys, "--patient", "Ada", "--mrn", "9", "--dob", "1950-04-30")
    status, out, err = run(
        capsys, "visit", "new", "--patient", "Ada", "--mrn", "9", "--dob", "1951-04-30"
    )
    assert (status, out) == (2, "")
    assert "Ada (MRN 9) is on record as born 1950-04-30, not 1951-04-30" in err
    assert len(listed(capsys)) == 1


# -- the payer per visit (defect 2) -----------------------------------------------------------


def test_a_medicare_visit_leaves_the_earlier_commercial_visit_commercial(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Defect 2: starting a Medicare visit rewrote the patient's earlier commercial visit
    as Medicare, with GP."""
    first = new_visit(capsys, "--patient", "Ada", "--mrn", "1", "--payer", "commercial")
    ok(capsys, "timer", "add", "97110", "20", "--reason", "forgot")
    ok(capsys, "visit", "end")
    second = new_visit(capsys, "--patient", "Ada", "--mrn", "1", "--payer", "medicare")
    ok(capsys, "timer", "add", "97110", "20", "--reason", "forgot")
    one, two = show(capsys, first), show(capsys, second)
    assert (one["payer"], two["payer"]) == ("commercial", "medicare")
    assert one["rule"] == "ama"
    assert "GP" not in one["lines"][0]["modifiers"]
    assert "GP" in two["lines"][0]["modifiers"]


def test_a_returning_patients_payer_comes_from_their_last_visit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    new_visit(capsys, "--patient", "Ada", "--payer", "medicare")
    ok(capsys, "visit", "end")
    new_visit(capsys, "--patient", "Ada", "--payer", "commercial")
    ok(capsys, "visit", "end")
    third = new_visit(capsys, "--patient", "Ada")
    assert show(capsys, third)["payer"] == "commercial"
    assert [visit["payer"] for visit in listed(capsys)] == ["medicare", "commercial", "commercial"]


def test_kx_year_to_date_counts_only_medicare_visits(tmp_path: Path) -> None:
    """Defect 2: the KX year-to-date counted the patient's commercial visits' dollars. Only
    Medicare Part B therapy counts toward the threshold (CMS, the KX modifier threshold,
    42 CFR 410.59-60 and section 1833(g) of the Social Security Act)."""
    clock = FakeClock(MORNING)
    tk = keeper(clock)
    fees = tmp_path / "fees.csv"
    fees.write_text("code,amount\n97110,30.00\n")
    import_fees(tk, fees)
    visits = []
    for payer in (Payer.COMMERCIAL, Payer.MEDICARE, Payer.COMMERCIAL, Payer.MEDICARE):
        visits.append(tk.new_visit("Ada", payer, mrn="1"))
        tk.add_minutes("97110", 15, "x")
        tk.end()
        clock.advance(minutes=24 * 60)
    medicare = [claim_for_visit_id(tk, visit).kx for visit in visits[1::2]]
    assert [kx.year_to_date for kx in medicare if kx] == [Decimal(30), Decimal(60)]


# -- the provider per visit (defect 13) --------------------------------------------------------


def test_the_day_report_lists_visits_recorded_before_the_provider_was_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Defect 13: the day report kept only visits whose provider equalled the one in the
    settings now: set after the first visits, it said "no visits" while Today listed them."""
    for name in ("Ada", "Grace"):
        new_visit(capsys, "--patient", name)
        ok(capsys, "timer", "add", "97110", "10", "--reason", "forgot")
        ok(capsys, "visit", "end")
    ok(capsys, *SETUP)
    new_visit(capsys, "--patient", "Edsger")
    ok(capsys, "timer", "add", "97110", "10", "--reason", "forgot")
    day_csv = tmp_path / "day.csv"
    ok(capsys, "report", "--date", DAY, "--out", str(day_csv))
    text = day_csv.read_text()
    assert all(name in text for name in ("Ada", "Grace", "Edsger"))
    assert text.count("Jordan Lee,1234567893") == 3
    pdf = tmp_path / "day.pdf"
    assert ok(capsys, "report", "--date", DAY, "--out", str(pdf)).strip() == str(pdf)


def test_a_visit_keeps_its_provider(capsys: pytest.CaptureFixture[str]) -> None:
    """Defect 13: the provider (name, credentials, NPI) is the visit's, stored with it."""
    ok(capsys, *SETUP)
    first = new_visit(capsys, "--patient", "Ada")
    ok(capsys, "visit", "end")
    other = [*SETUP[:2], "Sam Ortiz", "--credentials", "PTA", "--npi", "1245319599", *SETUP[7:]]
    ok(capsys, *other)
    second = new_visit(capsys, "--patient", "Grace")
    assert show(capsys, first)["provider"] == {
        "name": "Jordan Lee",
        "credentials": "PT, DPT",
        "npi": "1234567893",
    }
    assert show(capsys, second)["provider"] == {
        "name": "Sam Ortiz",
        "credentials": "PTA",
        "npi": "1245319599",
    }
    # Sam's day report holds Sam's visit, not Jordan's.
    assert [v["patient"] for v in listed(capsys)] == ["Ada", "Grace"]


# -- setup and the PDF (defect 14) --------------------------------------------------------------


def test_setup_writes_the_provider_and_clinic_and_keeps_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_settings(Settings(favourites=("97110", "97140"), long_timer_minutes=45))
    out = ok(capsys, *SETUP, "--address", "12 Mill Street, Springfield")
    assert out.strip() == str(paths.settings_file())
    settings = load_settings()
    assert (settings.provider, settings.credentials, settings.npi) == (
        "Jordan Lee",
        "PT, DPT",
        "1234567893",
    )
    assert settings.clinic_name == "Riverside Physical Therapy"
    assert settings.clinic_address == "12 Mill Street, Springfield"
    assert (settings.favourites, settings.long_timer_minutes) == (("97110", "97140"), 45)


@pytest.mark.parametrize(
    ("npi", "message"),
    [
        ("1234567890", "--npi '1234567890' is not a valid NPI"),  # the check digit is 3
        ("123456789", "--npi '123456789' is not a valid NPI"),
        ("12345678a3", "--npi '12345678a3' is not a valid NPI"),
        ("", "--npi '' is not a valid NPI"),
    ],
)
def test_setup_refuses_a_bad_npi_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], npi: str, message: str
) -> None:
    """The NPI's last digit is a Luhn check digit over 80840 + the first nine (CMS, "NPI
    check digit"): a typo is caught here, not by a payer's rejection."""
    ok(capsys, *SETUP)
    before = paths.settings_file().read_bytes()
    argv = [*SETUP]
    argv[argv.index("--npi") + 1] = npi
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert err.startswith(f"ptclock: {message}") and err.count("\n") == 1
    assert paths.settings_file().read_bytes() == before


def test_setup_refuses_a_missing_option_or_an_empty_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "setup", "--provider", "Jordan Lee", "--npi", "1234567893")
    assert (status, out) == (2, "") and "--credentials" in err and err.count("\n") == 1
    argv = [*SETUP]
    argv[2] = "  "
    status, out, err = run(capsys, *argv)
    assert (status, out, err) == (2, "", "ptclock: --provider: the provider's name is empty\n")
    assert not paths.settings_file().exists()


def test_a_pdf_without_the_providers_name_and_npi_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Defect 14: the first PDF went out with "Provider —"."""
    new_visit(capsys, "--patient", "Ada")
    ok(capsys, "timer", "add", "97110", "10", "--reason", "forgot")
    folder = tmp_path / "reports"
    folder.mkdir()
    for argv in (["--visit", "1"], ["--date", DAY]):
        status, stdout, err = run(capsys, "report", *argv, "--out", str(folder / "r.pdf"))
        assert (status, stdout, err) == (2, "", PROVIDER_FIRST)
        assert list(folder.iterdir()) == []
    ok(capsys, "report", "--date", DAY, "--out", str(folder / "day.csv"))  # CSV: no signature
    ok(capsys, *SETUP)
    ok(capsys, "report", "--visit", "1", "--out", str(folder / "visit.pdf"))
