"""The clinic's day report, PDF and CSV, from the clinic database (issue 17)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.clinic.conftest import Clinic
from tests.clinic.test_clinic_faults import gym_and_table, joined
from tests.clinic.workstations import cli, treat, workstation
from tests.helpers import MORNING
from tests.report.conftest import pdf_text


def two_providers(clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 6)])
    treat(gym, "Lee", "Cy Diaz", "MRN-3", [("97530", 25)], start=MORNING.replace(hour=16))
    treat(
        table,
        "Kim",
        "Ada Park",
        "MRN-1",
        [("97140", 5)],
        start=MORNING.replace(minute=20),
        npi="1245319599",
    )
    for folder in (gym, table):
        assert cli(capsys, folder, "sync", "--once")[0] == 0
    return gym


def test_the_clinic_day_csv_lists_every_claim_once(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = two_providers(clinic_db, tmp_path, capsys)
    out = tmp_path / "clinic-day.csv"
    status, printed, err = cli(
        capsys, gym, "report", "--date", "2026-11-27", "--clinic", "--out", str(out)
    )
    assert (status, err) == (0, ""), err
    assert printed.strip() == str(out)
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    shown = [(r["patient"], r["code"], r["units"], r["provider"]) for r in rows]
    # Ada's claim is shared by Lee and Kim (pooled: 11 minutes, 1 unit) and listed once.
    assert shown == [("Ada Park", "97110", "1", "Lee; Kim"), ("Cy Diaz", "97530", "2", "Lee")]
    assert out.stat().st_mode & 0o077 == 0  # owner-only, like every export


def test_the_clinic_day_pdf_has_a_section_per_provider(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = two_providers(clinic_db, tmp_path, capsys)
    out = tmp_path / "clinic-day.pdf"
    status, _, err = cli(
        capsys, gym, "report", "--date", "2026-11-27", "--clinic", "--out", str(out)
    )
    assert (status, err) == (0, ""), err
    text = " ".join(pdf_text(out).split())
    assert "Clinic day report 2026-11-27" in text
    assert "2 providers, 2 claims, 3 units." in text
    assert text.count("Day report 2026-11-27") == 2  # one section per provider
    kim = text.index("Provider: Kim, PT")
    lee = text.index("Provider: Lee, PT")
    assert kim < lee  # sections by name
    assert "Cy Diaz" not in text[kim:lee]  # Kim's section holds Kim's patients only
    # Ada's claim pools Lee's and Kim's minutes: checked against both their clock time,
    # so no false "manual corrections" warning in either section.
    assert "exceed the clock time covered" not in text


def test_a_clinic_day_with_no_visits_is_one_sentence(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = two_providers(clinic_db, tmp_path, capsys)
    out = tmp_path / "empty.csv"
    status, printed, err = cli(
        capsys, gym, "report", "--date", "2026-11-26", "--clinic", "--out", str(out)
    )
    assert status == 2 and printed == ""
    assert "the clinic has no visits on 2026-11-26" in err
    assert not out.exists()


def test_a_visit_without_a_provider_is_named_not_put_in_every_section(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym = two_providers(clinic_db, tmp_path, capsys)
    spare = workstation(tmp_path, "spare")
    joined(clinic_db, capsys, spare)
    treat(spare, "", "Di Eve", "MRN-9", [("97110", 10)], npi="", start=MORNING.replace(hour=18))
    assert cli(capsys, spare, "sync", "--once")[0] == 0
    out = tmp_path / "clinic-day.pdf"
    status, _, err = cli(
        capsys, gym, "report", "--date", "2026-11-27", "--clinic", "--out", str(out)
    )
    assert status == 2 and "1 visit of 2026-11-27 was recorded on a workstation with no " in err
    assert not out.exists()
    csv_out = tmp_path / "clinic-day.csv"
    status, _, err = cli(
        capsys, gym, "report", "--date", "2026-11-27", "--clinic", "--out", str(csv_out)
    )
    assert (status, err) == (0, ""), err
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text("utf-8"))))
    assert [r["patient"] for r in rows].count("Di Eve") == 1


def test_the_clinic_charges_go_out_once_with_each_line_under_its_provider(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``export --clinic`` (issue 18): every provider's claims in one file, a pooled line
    under the provider with the most time on its code; one ledger in the clinic database,
    so no workstation sends again what another sent, and the visits sent are locked on the
    workstations that recorded them."""
    gym = two_providers(clinic_db, tmp_path, capsys)
    table = tmp_path / "table"
    out = tmp_path / "clinic.csv"
    day = ("export", "--date", "2026-11-27", "--clinic")
    status, printed, err = cli(capsys, gym, *day, "--format", "csv", "--out", str(out))
    assert status == 0, err
    assert printed.strip() == str(out) and "Sent 2 claims (2 charge lines)" in err
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"), newline="")))
    shown = [(r["mrn"], r["code"], r["units"], r["rendering_provider"]) for r in rows]
    # Ada's 6 min of 97110 (Lee) pooled with Kim's 5 min of 97140: one unit, Lee's code.
    assert shown == [("MRN-1", "97110", "1", "Lee"), ("MRN-3", "97530", "2", "Lee")]
    (tag,) = {r["transaction"].split("-")[0] for r in rows}
    assert tag.startswith("C") and clinic_db.sql("SELECT tag FROM ptclock.charge_tag")[0][0] == tag
    # The other workstation sends nothing again: the clinic's ledger has it.
    again = tmp_path / "again.hl7"
    status, _, err = cli(capsys, table, *day, "--format", "hl7", "--out", str(again))
    assert status == 1 and "nothing new to send" in err and "clinic export 1" in err
    assert not again.exists()
    # Each workstation's own visits are locked: the gym's at once, the table's at its sync.
    status, _, err = cli(capsys, gym, "visit", "rule", "ama", "1")
    assert status == 2 and "sent to billing in export 1" in err
    assert cli(capsys, table, "sync", "--once")[0] == 0
    status, _, err = cli(capsys, table, "visit", "rule", "ama", "1")
    assert status == 2 and "sent to billing in export 1" in err
    # A local export on a workstation of the clinic would send the same charges again.
    status, _, err = cli(
        capsys, table, "export", "--date", "2026-11-27", "--format", "csv", "--out", str(again)
    )
    assert status == 2 and "this computer belongs to a clinic" in err and not again.exists()
    assert clinic_db.sql("SELECT count(*) FROM ptclock.charge_exports")[0][0] == 1


def test_a_clinic_visit_without_its_own_provider_npi_is_not_billed_under_another(
    clinic_db: Clinic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gym, table = gym_and_table(clinic_db, tmp_path, capsys)
    treat(gym, "Lee", "Ada Park", "MRN-1", [("97110", 20)])
    treat(table, "", "Di Eve", "MRN-9", [("97110", 20)], npi="")
    for folder in (gym, table):
        assert cli(capsys, folder, "sync", "--once")[0] == 0
    out = tmp_path / "clinic.csv"
    status, _, err = cli(
        capsys, gym, "export", "--date", "2026-11-27", "--clinic", "--format", "csv",
        "--out", str(out),
    )  # fmt: skip
    assert status == 2 and not out.exists()
    assert re.search(r"ptclock: Di Eve's visit on \S+ of 2026-11-27 has no provider NPI", err)
    assert clinic_db.sql("SELECT count(*) FROM ptclock.charge_exports")[0][0] == 0
