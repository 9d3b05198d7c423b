"""Sending a day's charges (issue 18): what is written, what is recorded, what is locked, and
the refusals that write nothing."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

from ptclock.charges.sending import ChargesRefused, NothingToSend, send_day_charges
from ptclock.report.export import ExportFailed, ReportError
from ptclock.settings import Settings
from ptclock.timekeeper import Timekeeper, TimekeeperError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from tests.report.conftest import CLINIC

DAY = date(2026, 11, 27)


def treat(
    tk: Timekeeper,
    clock: FakeClock,
    patient: str = "Ada Lovelace",
    mrn: str = "M100",
    minutes: tuple[tuple[str, int], ...] = (("97110", 38), ("97140", 23)),
    payer: Payer = Payer.MEDICARE,
) -> int:
    visit = tk.new_visit(patient, payer, mrn=mrn, dob="1950-01-02" if mrn else "")
    for code, spent in minutes:
        tk.start(code)
        clock.advance(minutes=spent)
    tk.end()
    return visit


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_first_export_writes_every_claim_owner_only_and_audits_it(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    treat(clinic, clock)
    treat(clinic, clock, "Grace Hopper", "M200", (("97530", 30),), Payer.COMMERCIAL)
    sent = send_day_charges(clinic, DAY, "csv", tmp_path / "day.csv")
    assert sent.words().startswith("Sent 2 claims (3 charge lines) as export 1 to ")
    assert stat.S_IMODE((tmp_path / "day.csv").stat().st_mode) == 0o600
    lines = rows(tmp_path / "day.csv")
    assert [(r["action"], r["mrn"], r["code"], r["units"], r["minutes"]) for r in lines] == [
        ("charge", "M100", "97110", "3", "38"),
        ("charge", "M100", "97140", "1", "23"),
        ("charge", "M200", "97530", "2", "30"),
    ]
    assert {r["rendering_npi"] for r in lines} == {"1234567893"}
    assert lines[0]["modifiers"] == "GP" and lines[0]["date_of_birth"] == "1950-01-02"
    (entry,) = [e for e in clinic.store.audit_trail() if e.action == "charges_export"]
    assert entry.after["file"] == str(tmp_path / "day.csv")
    assert (entry.after["export"], entry.after["format"], entry.after["claims"]) == (1, "csv", 2)
    assert entry.after["by"].startswith("Jordan Lee")
    (row,) = clinic.store.charge_exports()
    assert (row.id, row.day, row.format, row.destination) == (
        1,
        "2026-11-27",
        "csv",
        str(tmp_path / "day.csv"),
    )


def test_nothing_changed_means_nothing_sent_again(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    treat(clinic, clock)
    send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    with pytest.raises(NothingToSend, match=r"nothing new to send for 2026-11-27.*export 1"):
        send_day_charges(clinic, DAY, "hl7", tmp_path / "b.hl7")
    assert not (tmp_path / "b.hl7").exists()
    assert len(clinic.store.charge_exports()) == 1


def test_a_correction_after_export_is_an_amendment_the_next_export_lists(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    visit = treat(clinic, clock)
    send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    first = {r["code"]: r["transaction"] for r in rows(tmp_path / "a.csv")}
    clinic.add_minutes("97140", -8, "warm-up counted twice", visit)
    (amend,) = [e for e in clinic.store.audit_trail(visit) if e.action == "correction"]
    assert amend.after["amends_export"] == 1
    sent = send_day_charges(clinic, DAY, "csv", tmp_path / "b.csv")
    assert (sent.amended, sent.cancellations, sent.charges) == (1, 2, 2)
    lines = rows(tmp_path / "b.csv")
    assert [(r["action"], r["code"], r["minutes"]) for r in lines] == [
        ("cancel", "97110", "38"),
        ("cancel", "97140", "23"),
        ("charge", "97110", "38"),
        ("charge", "97140", "15"),
    ]
    # The cancellations name the charges they cancel; the new charges have new ids.
    assert [r["transaction"] for r in lines[:2]] == [first["97110"], first["97140"]]
    assert not {r["transaction"] for r in lines[2:]} & set(first.values())
    assert "97140 time corrected" in lines[2]["amendment"]
    assert "warm-up counted twice" in lines[2]["amendment"]
    assert "(export 1)" in lines[2]["amendment"]


def test_an_exported_visit_is_locked_against_changes_without_a_reason(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    from ptclock.billing import Rule

    visit = treat(clinic, clock)
    send_day_charges(clinic, DAY, "fhir", tmp_path / "a.json")
    with pytest.raises(TimekeeperError, match=r"sent to billing in export 1.*unit rule"):
        clinic.set_rule(Rule.AMA, visit)
    assert clinic.visit(visit).rule is Rule.CMS


def test_another_visit_of_the_same_day_amends_the_claim(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    treat(clinic, clock)
    send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    treat(clinic, clock, minutes=(("97110", 10),))
    sent = send_day_charges(clinic, DAY, "hl7", tmp_path / "b.hl7")
    assert sent.amended == 1
    text = (tmp_path / "b.hl7").read_text(encoding="utf-8")
    assert "of the same date added" in text
    assert text.count("|CD|") == 2 and text.count("|CG|") == 2


def test_a_visit_still_open_stops_the_export(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    treat(clinic, clock)
    clinic.new_visit("Grace Hopper", Payer.MEDICARE, mrn="M200")
    with pytest.raises(ChargesRefused, match="visit 2 of 2026-11-27 is still open: end it"):
        send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()
    assert clinic.store.charge_exports() == []


def test_no_npi_and_no_mrn_are_each_one_sentence(clock: FakeClock, tmp_path: Path) -> None:
    from tests.helpers import keeper

    unsigned = keeper(clock, settings=Settings(provider="Jordan Lee"), path=tmp_path / "u.db")
    treat(unsigned, clock)
    with pytest.raises(ChargesRefused, match="visit 1 of 2026-11-27 has no provider NPI"):
        send_day_charges(unsigned, DAY, "hl7", tmp_path / "a.hl7")
    tk = keeper(clock, settings=CLINIC, path=tmp_path / "n.db")
    visit = treat(tk, clock, mrn="")
    with pytest.raises(ChargesRefused, match="Ada Lovelace \\(visit 1\\) has no MRN"):
        send_day_charges(tk, DAY, "hl7", tmp_path / "a.hl7")
    assert not (tmp_path / "a.hl7").exists()
    tk.identify_patient(visit, "M100")
    assert send_day_charges(tk, DAY, "hl7", tmp_path / "a.hl7").claims == 1


def test_identify_never_takes_another_patients_mrn(clinic: Timekeeper, clock: FakeClock) -> None:
    treat(clinic, clock)
    visit = treat(clinic, clock, "Grace Hopper", mrn="")
    with pytest.raises(TimekeeperError, match="MRN M100 belongs to Ada Lovelace"):
        clinic.identify_patient(visit, "M100")
    clinic.identify_patient(visit, "M200", "1906-12-09")
    assert (clinic.visit(visit).mrn, str(clinic.visit(visit).dob)) == ("M200", "1906-12-09")
    with pytest.raises(TimekeeperError, match="already has MRN M200"):
        clinic.identify_patient(visit, "M300")


def test_a_failed_write_records_nothing(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.reliability.test_export_safety import Disk

    treat(clinic, clock)
    with pytest.raises(ReportError, match="there is no folder"):
        send_day_charges(clinic, DAY, "csv", tmp_path / "no" / "such" / "a.csv")
    with monkeypatch.context() as patched:
        Disk(patched, free=100)
        with pytest.raises(ExportFailed, match="full"):
            send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()
    assert clinic.store.charge_exports() == []
    assert send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv").export_number == 1


def test_a_record_that_cannot_be_kept_takes_the_file_back(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    treat(clinic, clock)

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(clinic.store), "add_charge_export", full_disk)
    with pytest.raises(OSError):
        send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    assert not (tmp_path / "a.hl7").exists()
    monkeypatch.undo()
    assert clinic.store.charge_exports() == []
    assert not [e for e in clinic.store.audit_trail() if e.action == "charges_export"]


def test_a_bad_template_is_named_and_nothing_is_written(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    from ptclock.charges.sending import template_file

    treat(clinic, clock)
    template_file().parent.mkdir(parents=True, exist_ok=True)
    template_file().write_text(json.dumps({"columns": [["CPT", "cpt_code"]]}), encoding="utf-8")
    with pytest.raises(ChargesRefused, match="column 1 \\(CPT\\): unknown field 'cpt_code'"):
        send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    template_file().write_text(
        json.dumps(
            {
                "columns": [["DOS", "date_of_service"], ["CPT", "code"], ["Qty", "units"]],
                "date_format": "MM/DD/YYYY",
            }
        ),
        encoding="utf-8",
    )
    send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines() == [
        "DOS,CPT,Qty",
        "11/27/2026,97110,3",
        "11/27/2026,97140,1",
    ]


def test_the_audit_trail_says_what_was_sent_and_what_amended_it(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    from ptclock.ui.audit_words import audit_lines

    visit = treat(clinic, clock)
    send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    clinic.add_minutes("97110", 2, "home program review", visit)
    said = {
        (line.sentence, line.details)
        for line in audit_lines(clinic.store.audit_trail(), "America/New_York")
    }
    assert (
        f"Sent the charges of 2026-11-27 to billing as HL7 v2 (export 1) to "
        f"“{tmp_path / 'a.hl7'}” by Jordan Lee, login {__import__('getpass').getuser()}",
        "1 claim: 2 charge lines",
    ) in said
    assert any(
        sentence.startswith("Added 2 minutes to 97110: reason “home program review”")
        and sentence.endswith("— amends the charges sent in export 1")
        for sentence, _details in said
    )


def test_a_file_already_there_is_never_written_over(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path
) -> None:
    """Export 2 to export 1's name would put export 1's charges out of the billing
    system's reach while the store says they were sent."""
    treat(clinic, clock)
    send_day_charges(clinic, DAY, "csv", tmp_path / "day.csv")
    first = (tmp_path / "day.csv").read_bytes()
    treat(clinic, clock, "Grace Hopper", "M200")
    with pytest.raises(ReportError, match=r"day\.csv already exists: give another name"):
        send_day_charges(clinic, DAY, "csv", tmp_path / "day.csv")
    assert (tmp_path / "day.csv").read_bytes() == first
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".csv"] == ["day.csv"]
    assert send_day_charges(clinic, DAY, "csv", tmp_path / "day-2.csv").claims == 1


def test_an_export_that_does_not_commit_leaves_no_file(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is in place before the event commits: a commit that fails (a full disk)
    takes it back, so the next export's identical ids are the only ones sent."""
    from collections.abc import Iterator
    from contextlib import contextmanager

    from ptclock.store import Store, StoreError

    treat(clinic, clock)
    real = Store.transaction

    @contextmanager
    def failing_commit(self: Store, *args: object) -> Iterator[None]:
        with real(self, *args):  # type: ignore[arg-type]
            yield
            if self.connection.execute("SELECT count(*) FROM charge_exports").fetchone()[0]:
                raise StoreError("the disk is full: the change was not saved")

    monkeypatch.setattr(Store, "transaction", failing_commit)
    with pytest.raises(StoreError):
        send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    monkeypatch.undo()
    assert not (tmp_path / "a.hl7").exists()
    assert clinic.store.charge_exports() == []
    sent = send_day_charges(clinic, DAY, "hl7", tmp_path / "a.hl7")
    assert sent.export_number == 1


@pytest.mark.parametrize("made", ["before the export", "after the export"])
def test_a_restored_backup_never_sends_again_what_was_sent(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path, made: str
) -> None:
    """Whether the backup was made before the export or after it, the restored store knows
    what the billing system holds, under the same charge ids."""
    from ptclock.store import open_store
    from ptclock.store.restore import restore
    from tests.helpers import keeper

    treat(clinic, clock)
    backup = tmp_path / "backup.sqlite3"
    if made == "before the export":
        clinic.store.write_backup(backup)
    send_day_charges(clinic, DAY, "csv", tmp_path / "a.csv")
    if made == "after the export":
        clinic.store.write_backup(backup)
    path = clinic.store.path
    assert path is not None
    clinic.store.close()
    restore(backup, path, datetime(2026, 11, 28, 9))
    tk = keeper(clock, settings=CLINIC, store=open_store(path))
    with pytest.raises(NothingToSend, match="nothing new to send"):
        send_day_charges(tk, DAY, "csv", tmp_path / "again.csv")
    assert not (tmp_path / "again.csv").exists()
    tk.add_minutes("97140", -8, "warm-up counted twice", 1)
    assert send_day_charges(tk, DAY, "csv", tmp_path / "again.csv").export_number == 2
    cancelled = [r["transaction"] for r in rows(tmp_path / "again.csv") if r["action"] == "cancel"]
    assert cancelled == [r["transaction"] for r in rows(tmp_path / "a.csv")]
    tk.store.close()


def test_a_cq_line_pooled_from_two_therapists_names_the_one_who_supervised(
    clock: FakeClock, tmp_path: Path
) -> None:
    from ptclock.timing.records import Performer
    from tests.helpers import keeper

    path = tmp_path / "two.sqlite3"
    lee = keeper(clock, settings=CLINIC, path=path)
    lee.new_visit("Ada Lovelace", Payer.MEDICARE, mrn="M100")
    lee.start("97110")
    clock.advance(minutes=25)
    lee.end()
    lee.store.close()
    kim_settings = CLINIC.changed(provider="Sam Kim", npi="1245319599")
    kim = keeper(clock, settings=kim_settings, path=path)
    kim.new_visit("Ada Lovelace", Payer.MEDICARE, mrn="M100")
    kim.start("97110", performer=Performer.PTA)
    clock.advance(minutes=15)
    kim.end()
    send_day_charges(kim, DAY, "csv", tmp_path / "a.csv")
    lines = {
        (r["modifiers"], r["rendering_npi"], r["supervising_npi"]) for r in rows(tmp_path / "a.csv")
    }
    assert lines == {("GP", "1234567893", ""), ("GP CQ", "1245319599", "1245319599")}


def test_a_day_with_nothing_billable_says_so(
    clinic: Timekeeper, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    treat(clinic, clock, minutes=(("97110", 5),), payer=Payer.COMMERCIAL)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NothingToSend, match="its visits have no billable units"):
        send_day_charges(clinic, DAY, "csv", Path("a.csv"))
    treat(clinic, clock, "Grace Hopper", "M200")
    sent = send_day_charges(clinic, DAY, "csv", Path("a.csv"))
    assert sent.path == tmp_path / "a.csv"  # the record and the audit name the whole path
    assert clinic.store.charge_exports()[0].destination == str(tmp_path / "a.csv")
