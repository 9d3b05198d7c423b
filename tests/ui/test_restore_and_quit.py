"""Tools → Restore from backup… in the open window; SIGTERM ends a window cleanly; the
demo leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ptclock.store import open_store
from ptclock.timing.records import Payer
from tests.ui.conftest import WindowMaker
from tests.ui.test_app import environment, open_window, ptclock


def test_restore_from_the_window_shows_the_backup(make_window: WindowMaker, tmp_path: Path) -> None:
    path = tmp_path / "data" / "ptclock.sqlite3"
    window = make_window(path=path)
    window.controller.start_visit("Ada", Payer.MEDICARE)
    backup = window.controller.keeper.store.write_backup(tmp_path / "ada.sqlite3")
    window.controller.start_visit("Grace", Payer.COMMERCIAL)
    assert window.header.patient_label.text() == "Grace"
    window.ask_backup_file = lambda: backup  # type: ignore[method-assign]
    window.ask_restore = lambda _backup: True  # type: ignore[method-assign]
    window.restore_backup()
    assert window.header.patient_label.text() == "Ada"
    assert window.today.table.rowCount() == 1
    message = window.banner.messages()[0]
    assert message.startswith("Restored ada.sqlite3; the replaced file was kept as ")
    kept = Path(message.split(" kept as ")[1].rstrip("."))
    assert len(open_store(kept).open_visits()) == 2  # the replaced database, kept whole
    window.controller.toggle("97110")  # and the restored one takes new events
    assert window.controller.keeper.store.running_segments()[0].code == "97110"


def test_restore_refused_keeps_the_window_on_its_data(
    make_window: WindowMaker, tmp_path: Path
) -> None:
    window = make_window(path=tmp_path / "data" / "ptclock.sqlite3")
    window.controller.start_visit("Ada", Payer.MEDICARE)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a backup")
    window.ask_backup_file = lambda: bad  # type: ignore[method-assign]
    window.ask_restore = lambda _backup: True  # type: ignore[method-assign]
    window.restore_backup()
    assert "not restored; nothing was changed" in window.banner.messages()[0]
    assert window.header.patient_label.text() == "Ada"
    window.controller.toggle("97110")
    assert window.controller.keeper.store.running_segments()[0].code == "97110"


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM is POSIX")
def test_sigterm_ends_the_window_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert ptclock("visit", "new", "--patient", "Ada", data=data).returncode == 0
    window = open_window(data)
    for code in ("97110", "97140", "97530"):
        assert ptclock("timer", "start", code, data=data).returncode == 0
    window.send_signal(signal.SIGTERM)  # as at logout
    _, problem = window.communicate(timeout=30)
    assert window.returncode == 0, problem
    assert not (data / "ptclock.sqlite3-wal").exists()  # closed cleanly: all in the file
    shown = ptclock("visit", "show", "--json", data=data)
    assert '"code": "97530"' in shown.stdout


def test_the_demo_leaves_no_folder_behind(tmp_path: Path) -> None:
    before = set(Path(tempfile.gettempdir()).glob("ptclock-demo-*"))
    done = subprocess.run(
        [sys.executable, "-m", "ptclock", "--demo", "--smoke-test"],
        env=environment(tmp_path / "untouched"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert set(Path(tempfile.gettempdir()).glob("ptclock-demo-*")) == before
