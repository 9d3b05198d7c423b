"""Exports under faults (issue 12, items 4, 7 and 14): a full disk, a hostile shared folder,
a long file name. A report is "saved" only when the whole file is on disk and verified;
otherwise one sentence names the file and the problem, and nothing is left behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ptclock.report import export
from ptclock.report.export import ExportFailed, ReportError, export_day, export_visit
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from tests.helpers import MORNING, PROVIDER_SETUP, keeper, run
from tests.report.conftest import CLINIC, morning_visit, pdf_text

DAY = date(2026, 11, 27)
TODAY = date.today().isoformat()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def clinic(clock: FakeClock, tmp_path: Path) -> Timekeeper:
    return keeper(clock, settings=CLINIC, path=tmp_path / "ptclock.sqlite3")


@pytest.fixture
def visit(clinic: Timekeeper, clock: FakeClock) -> int:
    return morning_visit(clinic, clock)


@pytest.fixture
def one_visit(capsys: pytest.CaptureFixture[str]) -> None:
    """Today's visit, recorded through the command line (the data folder is per test)."""
    for argv in (
        list(PROVIDER_SETUP),
        ["visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare"],
        ["timer", "add", "97110", "33", "--reason", "timer forgotten"],
        ["visit", "end"],
    ):
        assert run(capsys, *argv)[0] == 0


def names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


class Disk:
    """``os.write`` (and ``os.fsync``) on ptclock's temporary files as a failing disk would
    behave: ``free`` bytes left, then ENOSPC; or, with ``lie``, a write that claims to have
    stored everything but kept only half; or an fsync that reports an I/O error."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        free: int | None = None,
        lie: bool = False,
        fsync_error: int | None = None,
    ) -> None:
        self.free = free
        self.lie = lie
        self.fsync_error = fsync_error
        self.descriptors: set[int] = set()
        self.flags: list[int] = []
        real_open, real_write, real_close, real_fsync = os.open, os.write, os.close, os.fsync

        def opening(path: object, flags: int, mode: int = 0o777, **kwargs: object) -> int:
            descriptor = real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]
            if export.TEMPORARY_PREFIX in os.fsdecode(path):  # type: ignore[arg-type]
                self.descriptors.add(descriptor)
                self.flags.append(flags)
            return descriptor

        def writing(descriptor: int, data: bytes) -> int:
            if descriptor not in self.descriptors:
                return real_write(descriptor, data)
            if self.lie:
                real_write(descriptor, bytes(data[: len(data) // 2]))
                return len(data)
            if self.free is None:
                return real_write(descriptor, data)
            if self.free <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            count = real_write(descriptor, bytes(data[: self.free]))
            self.free -= count
            return count

        def closing(descriptor: int) -> None:
            self.descriptors.discard(descriptor)
            real_close(descriptor)

        def syncing(descriptor: int) -> None:
            if descriptor in self.descriptors and self.fsync_error is not None:
                raise OSError(self.fsync_error, os.strerror(self.fsync_error))
            real_fsync(descriptor)

        monkeypatch.setattr(os, "open", opening)
        monkeypatch.setattr(os, "write", writing)
        monkeypatch.setattr(os, "close", closing)
        monkeypatch.setattr(os, "fsync", syncing)


def pdf_size(clinic: Timekeeper, visit: int, tmp_path: Path) -> int:
    sample = tmp_path / "sample"
    sample.mkdir()
    size = export_visit(clinic, visit, sample / "v.pdf").stat().st_size
    shutil.rmtree(sample)
    return size


# -- item 4: a full disk --------------------------------------------------------------------


@pytest.mark.parametrize("fill", [0.0, 0.25, 0.5, 0.9, 0.999])
def test_a_full_disk_during_a_pdf_export_is_an_error_and_leaves_nothing(
    qapp: QApplication,
    clinic: Timekeeper,
    visit: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fill: float,
) -> None:
    free = int(pdf_size(clinic, visit, tmp_path) * fill)
    out = tmp_path / "out"
    out.mkdir()
    (out / "v.pdf").write_bytes(b"yesterday's report")  # an earlier export stays whole
    Disk(monkeypatch, free=free)
    with pytest.raises(ExportFailed) as caught:
        export_visit(clinic, visit, out / "v.pdf")
    assert str(caught.value) == (
        f"the disk is full: {out / 'v.pdf'} was not written; nothing was left behind"
    )
    assert names(out) == ["v.pdf"]
    assert (out / "v.pdf").read_bytes() == b"yesterday's report"


def test_a_full_disk_during_a_csv_export_leaves_nothing(
    clinic: Timekeeper, visit: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    Disk(monkeypatch, free=40)
    with pytest.raises(ExportFailed, match=r"the disk is full: .*day\.csv was not written"):
        export_day(clinic, DAY, out / "day.csv")
    assert names(out) == []


def test_a_write_that_silently_kept_half_is_caught_by_reading_back(
    qapp: QApplication,
    clinic: Timekeeper,
    visit: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What Qt did on a full disk: every write "succeeded" and the file was cut short."""
    Disk(monkeypatch, lie=True)
    with pytest.raises(ExportFailed) as caught:
        export_visit(clinic, visit, tmp_path / "v.pdf")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'v.pdf'} was not saved: the file did not read back")
    assert message.endswith("nothing was left behind") and "\n" not in message
    assert not (tmp_path / "v.pdf").exists()
    assert list(tmp_path.glob(".ptclock-*")) == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.EIO, "Input/output error"),
        (errno.ENOSPC, "the disk is full"),
        (errno.EDQUOT, "the disk is full"),
    ],
)
def test_a_failed_fsync_is_not_saved(
    clinic: Timekeeper,
    visit: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    says: str,
) -> None:
    Disk(monkeypatch, fsync_error=code)
    with pytest.raises(ExportFailed, match=says):
        export_day(clinic, DAY, tmp_path / "day.csv")
    assert not (tmp_path / "day.csv").exists()
    assert list(tmp_path.glob(".ptclock-*")) == []


def test_the_command_line_exits_1_on_a_full_disk(
    one_visit: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    Disk(monkeypatch, free=1000)
    for name in ("v.pdf", "d.csv"):
        argv = ["--visit", "1"] if name == "v.pdf" else ["--date", TODAY]
        status, stdout, err = run(capsys, "report", *argv, "--out", str(out / name))
        assert (status, stdout) == (1, "")
        assert err == (
            f"ptclock: the disk is full: {out / name} was not written; nothing was left behind\n"
        )
    assert names(out) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB tmpfs (needs root and permission to mount; skipped otherwise)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill_leaving(folder: Path, free: int) -> None:
    """Fill the disk, then give back ``free`` bytes (whole pages on tmpfs)."""
    filler = folder / "filler"
    chunk = b"\0" * 4096
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        file.truncate(max(0, file.tell() - free))


@pytest.mark.parametrize("fill", [0.0, 0.2, 0.5, 0.75, 0.95])
def test_a_real_nearly_full_disk(
    one_visit: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    small_disk: Path,
    fill: float,
) -> None:
    """The reproduction from the issue: exit 0 and a cut-off PDF at 5 of 5 fill levels."""
    roomy = tmp_path / "roomy.pdf"
    assert run(capsys, "report", "--visit", "1", "--out", str(roomy))[0] == 0
    size = roomy.stat().st_size
    fill_leaving(small_disk, int(size * fill))
    out = small_disk / "v.pdf"
    status, stdout, err = run(capsys, "report", "--visit", "1", "--out", str(out))
    assert (status, stdout) == (1, "")
    assert err == f"ptclock: the disk is full: {out} was not written; nothing was left behind\n"
    assert names(small_disk) == ["filler"]
    (small_disk / "filler").unlink()  # room again: the same export is saved, and whole
    assert run(capsys, "report", "--visit", "1", "--out", str(out))[0] == 0
    assert "Total units 2" in pdf_text(out)


# -- item 7: a hostile shared folder --------------------------------------------------------


def plant(folder: Path, victim: Path) -> tuple[Path, Path]:
    """Another user's traps at names ptclock will be made to pick: a link and a 0666 file."""
    link = folder / ".ptclock-planted-link.partial"
    link.symlink_to(victim)
    trap = folder / ".ptclock-planted-file.partial"
    trap.touch()
    trap.chmod(0o666)
    return link, trap


def test_a_planted_link_or_file_is_never_written_through(
    qapp: QApplication,
    clinic: Timekeeper,
    visit: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("someone else's file")
    link, trap = plant(shared, victim)
    picks = iter([link.name, trap.name, ".ptclock-fresh.partial"])
    monkeypatch.setattr(export, "temporary_name", lambda: next(picks))
    disk = Disk(monkeypatch)
    path = export_visit(clinic, visit, shared / "v.pdf")
    assert victim.read_text() == "someone else's file"
    assert link.is_symlink() and os.readlink(link) == str(victim)
    assert trap.stat().st_size == 0  # the PHI never went into the other user's file
    assert names(shared) == sorted([link.name, trap.name, "v.pdf"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not path.is_symlink()
    assert "Ada Lovelace" in pdf_text(path)
    assert disk.flags, "the temporary file was not opened through os.open"
    for flags in disk.flags:
        wanted = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        assert flags & wanted == wanted


def test_names_that_keep_being_taken_fail_in_one_sentence(
    clinic: Timekeeper, visit: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("someone else's file")
    link, trap = plant(shared, victim)
    monkeypatch.setattr(export, "temporary_name", lambda: link.name)
    with pytest.raises(ExportFailed) as caught:
        export_day(clinic, DAY, shared / "day.csv")
    assert str(caught.value) == (
        f"cannot write {shared / 'day.csv'}: other files keep appearing under ptclock's"
        f" temporary names in {shared}; nothing was written"
    )
    assert victim.read_text() == "someone else's file"
    assert names(shared) == sorted([link.name, trap.name])


def test_temporary_names_are_random_and_short() -> None:
    picked = {export.temporary_name() for _ in range(200)}
    assert len(picked) == 200
    assert all(name.startswith(".ptclock-") and len(name) <= 40 for name in picked)


def test_owner_only_whatever_the_umask(clinic: Timekeeper, visit: int, tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = export_day(clinic, DAY, tmp_path / "day.csv")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- item 14: a long file name --------------------------------------------------------------


@pytest.mark.parametrize("length", [244, 255])
def test_a_long_out_name_is_saved(
    one_visit: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, length: int
) -> None:
    out = tmp_path / ("a" * (length - 4) + ".pdf")
    status, stdout, err = run(capsys, "report", "--visit", "1", "--out", str(out))
    assert (status, err) == (0, "")
    assert stdout.strip() == str(out)
    assert "Total units 2" in pdf_text(out)
    assert list(tmp_path.glob(".ptclock-*")) == []


def test_a_name_too_long_for_the_disk_is_bad_input(
    one_visit: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / ("a" * 252 + ".pdf")
    status, stdout, err = run(capsys, "report", "--visit", "1", "--out", str(target))
    assert (status, stdout) == (2, "")
    assert err == f"ptclock: cannot write {target}: the file name is too long\n"
    assert names(out) == []


def test_bad_input_is_still_a_plain_report_error(
    clinic: Timekeeper, visit: int, tmp_path: Path
) -> None:
    with pytest.raises(ReportError) as caught:
        export_day(clinic, DAY, tmp_path / "no" / "day.csv")
    assert not isinstance(caught.value, ExportFailed)
    assert (
        str(caught.value)
        == f"cannot write {tmp_path / 'no' / 'day.csv'}: there is no folder {tmp_path / 'no'}"
    )
