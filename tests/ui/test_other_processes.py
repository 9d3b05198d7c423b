"""Another process (``ptclock timer …`` from a script or a foot pedal) changes the visit: the
window shows it within a second, whether a timer runs in it or not."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from ptclock import assembly
from ptclock.timing.clock import SystemClock
from ptclock.ui.code_tile import RUNNING_MARK, STOPPED_MARK
from ptclock.ui.main_window import MainWindow
from tests.ui.conftest import WindowMaker
from tests.ui.test_app import environment

WITHIN_MS = 1000


def ptclock(qtbot: QtBot, *argv: str, data: Path) -> None:
    """Run a ``ptclock`` command while the window's event loop keeps running, as it does
    on a desktop (the file watcher fires while the other process is still writing)."""
    command = subprocess.Popen(
        [sys.executable, "-m", "ptclock", *argv],
        env=environment(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    qtbot.waitUntil(lambda: command.poll() is not None, timeout=60_000)
    _, problem = command.communicate()
    assert command.returncode == 0, problem


def shows(window: MainWindow, code: str, mark: str) -> bool:
    tile = window.tiles.get(code)
    return tile is not None and tile.state_label.text() == mark


def seen_within_a_second(qtbot: QtBot, window: MainWindow, code: str, mark: str) -> float:
    """Milliseconds until the tile shows ``mark``, counted from the command's end."""
    began = time.monotonic()
    qtbot.waitUntil(lambda: shows(window, code, mark), timeout=WITHIN_MS)
    return (time.monotonic() - began) * 1000


def test_a_real_ptclock_process_changes_an_idle_window(
    make_window: WindowMaker, qtbot: QtBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    ptclock(qtbot, "visit", "new", "--patient", "Ada", data=data)
    keeper = assembly.timekeeper(create=True)
    keeper.clock = SystemClock()  # the same clock as the other process
    window = make_window(keeper)
    assert window.header.patient_label.text() == "Ada"
    assert all(tile.state_label.text() == STOPPED_MARK for tile in window.tiles.values())
    waited = []
    for code in ("97116", "97110", "97530"):
        ptclock(qtbot, "timer", "start", code, data=data)
        waited.append(seen_within_a_second(qtbot, window, code, RUNNING_MARK))
        ptclock(qtbot, "timer", "stop", data=data)
        waited.append(seen_within_a_second(qtbot, window, code, STOPPED_MARK))
        qtbot.wait(300)  # idle for a while between treatments, as a clinic is
    print(f"other process's change shown after {max(waited):.0f} ms at worst")
    # A click now starts the code it shows as stopped (it used to stop the pedal's timer).
    ptclock(qtbot, "timer", "start", "97112", data=data)
    seen_within_a_second(qtbot, window, "97112", RUNNING_MARK)
    ptclock(qtbot, "timer", "stop", data=data)
    seen_within_a_second(qtbot, window, "97112", STOPPED_MARK)
    window.controller.toggle("97112")
    assert window.tiles["97112"].state_label.text() == RUNNING_MARK


def test_a_new_visit_from_another_process_appears_in_an_empty_window(
    make_window: WindowMaker, qtbot: QtBot, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    keeper = assembly.timekeeper(create=True)
    keeper.clock = SystemClock()
    window = make_window(keeper)
    assert window.header.currentIndex() == 0  # the Start visit button: no visit yet
    ptclock(qtbot, "visit", "new", "--patient", "Grace", data=data)
    qtbot.waitUntil(lambda: window.header.patient_label.text() == "Grace", timeout=WITHIN_MS)
    ptclock(qtbot, "timer", "start", "97140", data=data)
    seen_within_a_second(qtbot, window, "97140", RUNNING_MARK)
