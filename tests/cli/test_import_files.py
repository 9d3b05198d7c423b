"""Imports refuse what is not a text file (issue 12, item 11), before opening the store.

``fees import /dev/zero`` and ``edits import /dev/zero`` ran out of memory, and ``edits
import /dev/urandom`` and a FIFO hung. Every file ptclock reads as data (CMS's PTP file, a
payer's pairs, fees, the clinic's codes.csv) is now a regular file checked from ``stat``
before it is opened, read in bounded lines, and refused with file and line when binary.
Each refusal is timed: it must come at once, not after reading a device.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ptclock import paths
from ptclock.billing import CatalogError, load_catalog
from ptclock.billing.catalog import MAX_LINE_BYTES, read_lines
from ptclock.billing.edits import EditFileError, edits_file_lines, parse_cms_ptp
from ptclock.billing.money import FeeFileError
from tests.helpers import ok, run

COMMANDS = [["edits", "import"], ["edits", "import", "--payer", "aetna"], ["fees", "import"]]


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must be refused as bad input, fast; its one line on stderr."""
    started = time.monotonic()
    status, out, err = run(capsys, *argv)
    assert time.monotonic() - started < 5
    assert (status, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("ptclock: ")
    assert not paths.database_file().exists()  # the store was not even opened
    return err


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_at_once(
    capsys: pytest.CaptureFixture[str], command: list[str], device: str
) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    assert f"{device}: is a device: give the path of a text file" in refused(
        capsys, *command, device
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_a_fifo_is_refused_without_waiting_for_a_writer(
    capsys: pytest.CaptureFixture[str], command: list[str], fifo: Path
) -> None:
    assert "is a named pipe (FIFO)" in refused(capsys, *command, str(fifo))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_and_a_missing_file(
    capsys: pytest.CaptureFixture[str], command: list[str], tmp_path: Path
) -> None:
    assert f"{tmp_path}: is a folder" in refused(capsys, *command, str(tmp_path))
    missing = tmp_path / "missing.csv"
    assert f"{missing}: cannot be read: No such file or directory" in refused(
        capsys, *command, str(missing)
    )


@pytest.mark.parametrize("name", ["ptp.txt", "fees.csv"])
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (bytes(set(os.urandom(4096)) - set(b"\x00\r\n")) + b"\x00\n", "line 1: contains binary"),
        (b"\x00" * 100_000, "line 1: is too long (over 8192 bytes)"),
        (b"x" * (MAX_LINE_BYTES + 1) + b"\n", "line 1: is too long"),
        (b"code,amount\n" + b"y" * 20_000, "line 2: is too long"),
    ],
)
def test_binary_and_line_less_files_name_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    command = ["fees", "import"] if name.endswith(".csv") else ["edits", "import"]
    err = refused(capsys, *command, str(path))
    assert f"{path}, {says}" in err


def test_a_csv_that_is_not_utf8_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "fees.csv"
    path.write_bytes(b"code,amount\n97110,30.00\n97140,\xff27.50\n")
    err = refused(capsys, "fees", "import", str(path))
    assert f"{path}, line 3: is not UTF-8 text (byte 0xff at position 7)" in err


def test_good_files_still_import(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_bytes(b"\xef\xbb\xbfcode,amount\r\n97110,30.00\r\n")  # Excel's UTF-8 with BOM
    assert ok(capsys, "fees", "import", str(fees)).strip() == "1 fees imported"
    ptp = tmp_path / "ptp.txt"
    ptp.write_bytes(b"Title\r\n97530\t97140\t\t20200101\t*\t1\tcaf\xe9\r\n")  # Latin-1
    assert "1 kept" in ok(capsys, "edits", "import", str(ptp))
    mac = tmp_path / "mac.csv"  # old Mac line ends (\r only), longer than one line may be
    mac.write_bytes(b"column1,column2,modifier,effective,deletion,source\r" + b"# x\r" * 5000)
    status, _, err = run(capsys, "edits", "import", str(mac), "--payer", "aetna")
    assert status == 0, err


def test_lines_are_split_on_every_line_break_and_kept_whole(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"a\r\nb\rc\nd" + b"\r" * 300_000)  # \r\r\r… across read chunks
    lines = list(read_lines(path, EditFileError))
    assert lines[:4] == ["a\r\n", "b\r", "c\n", "d\r"]
    assert len(lines) == 4 + 299_999
    with path.open(newline="") as text_file:
        assert "".join(lines) == text_file.read()


def test_a_fifo_swapped_in_after_stat_is_refused_not_waited_on(
    fifo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Between ``stat`` and ``open`` the name may change: the open does not block, and the
    opened file must be the one that was looked at."""
    regular = tmp_path / "regular.txt"
    regular.write_text("x\n")
    real_stat = Path.stat

    def stat_of_another(self: Path, **kwargs: object) -> os.stat_result:
        return real_stat(regular if self == fifo else self)

    monkeypatch.setattr(Path, "stat", stat_of_another)
    done: list[BaseException] = []

    def attempt() -> None:
        try:
            list(edits_file_lines(fifo))
        except BaseException as error:
            done.append(error)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the thread before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a FIFO waited for a writer")
    assert isinstance(done[0], EditFileError)
    assert "changed while it was being opened" in str(done[0])


def test_the_clinic_codes_file_follows_the_same_rules(
    capsys: pytest.CaptureFixture[str], user_folders: Path
) -> None:
    config = user_folders / "config"
    config.mkdir()
    codes = config / "codes.csv"
    os.mkfifo(codes)
    err = refused(capsys, "units", "97110=10")
    assert "codes.csv: is a named pipe (FIFO)" in err
    codes.unlink()
    codes.write_bytes(b"code,descriptor,kind,category,details\n" + b"\x00" * 10)
    with pytest.raises(CatalogError, match="line 2: contains binary data"):
        load_catalog(codes)
    codes.unlink()
    codes.symlink_to("/dev/zero")
    with pytest.raises(CatalogError, match="is a device"):
        load_catalog(codes)


def test_the_ptp_parser_itself_refuses_binary_and_endless_lines() -> None:
    """The Timekeeper hands the parser an open file: it holds the same line rules."""
    catalog = load_catalog()
    with pytest.raises(EditFileError, match=r"ptp.txt, line 2: contains binary data"):
        parse_cms_ptp(["Title\n", "97530\t97140\x00\n"], catalog, "ptp.txt")
    with pytest.raises(EditFileError, match=r"ptp.txt, line 1: is too long"):
        parse_cms_ptp(["x" * (MAX_LINE_BYTES + 1)], catalog, "ptp.txt")
    assert str(FeeFileError("fees.csv", None, "is a device")) == "fees.csv: is a device"
