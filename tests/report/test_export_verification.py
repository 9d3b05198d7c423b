"""The check that stands between a written PDF and "saved": a cut-off file fails it at every
length, a whole one passes with the number of pages Qt painted, and the writer checks
every write."""

from __future__ import annotations

import errno
import os
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from ptclock.report.export import ExportFailed, pdf_problem, write_atomically
from ptclock.report.render import RenderedPdf, render_pdf

LONG = "<html><body>" + "<p>A line of the report.</p>" * 400 + "</body></html>"


@pytest.fixture
def rendered(qapp: QApplication) -> RenderedPdf:
    return render_pdf(LONG, "letter", "Visit summary · Ada", "Visit summary", datetime.now())


def test_a_whole_pdf_passes_with_the_pages_painted(rendered: RenderedPdf, tmp_path: Path) -> None:
    assert rendered.pages > 1
    assert pdf_problem(rendered.data, rendered.pages) is None
    path = write_atomically(tmp_path / "r.pdf", rendered.data)
    assert len(PdfReader(path).pages) == rendered.pages  # the same count a reader finds


def test_every_cut_is_caught(rendered: RenderedPdf) -> None:
    data = rendered.data
    whole = len(data.rstrip())  # a trailing newline is optional; the size check sees it
    cuts = sorted({*range(0, whole, max(1, whole // 200)), *range(whole - 40, whole)})
    for length in cuts:
        assert pdf_problem(data[:length], rendered.pages) is not None, length


def test_a_page_count_that_differs_is_caught(rendered: RenderedPdf) -> None:
    assert "pages painted" in (pdf_problem(rendered.data, rendered.pages + 1) or "")
    assert pdf_problem(b"not a pdf at all", 1) == "it does not start as a PDF"


def test_a_short_write_is_carried_on_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """os.write may store fewer bytes than asked; the writer goes on from where it stopped."""
    real_write = os.write

    def dribble(descriptor: int, data: bytes) -> int:
        return real_write(descriptor, bytes(data[:7]))

    monkeypatch.setattr(os, "write", dribble)
    data = bytes(range(256)) * 40
    path = write_atomically(tmp_path / "d.csv", data)
    monkeypatch.undo()
    assert path.read_bytes() == data


def test_a_write_that_stores_nothing_is_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "write", lambda descriptor, data: 0)
    with pytest.raises(ExportFailed, match="the disk is full"):
        write_atomically(tmp_path / "d.csv", b"x" * 100)
    monkeypatch.undo()
    assert not (tmp_path / "d.csv").exists()
    assert list(tmp_path.glob(".ptclock-*")) == []


@pytest.mark.parametrize(
    ("code", "says", "exit_status_one"),
    [
        (errno.EACCES, "no permission to write in", True),
        (errno.EROFS, "the disk is read-only", True),
        (errno.EIO, "Input/output error", True),
        (errno.ENAMETOOLONG, "the file name is too long", False),
    ],
)
def test_each_kind_of_failure_is_one_sentence(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    says: str,
    exit_status_one: bool,
) -> None:
    from ptclock.report import export

    def refuse(*_args: object, **_kwargs: object) -> int:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(export._Folder, "create", refuse)
    with pytest.raises(export.ReportError) as caught:
        write_atomically(tmp_path / "d.csv", b"x")
    message = str(caught.value)
    assert says in message and str(tmp_path / "d.csv") in message and "\n" not in message
    assert isinstance(caught.value, ExportFailed) is exit_status_one
