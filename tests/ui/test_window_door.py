"""A second launch brings the open window to the front, through the window's door."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from ptclock import app
from ptclock.store.window_lock import WindowLock
from ptclock.ui.window_door import (
    ACTIVATION_VARIABLE,
    WindowDoor,
    ask_to_come_forward,
    door_names,
)
from tests.ui.conftest import WindowMaker
from tests.ui.test_app import environment, open_window, ptclock

BROUGHT = "brought its window to the front"


def door_file(name: str) -> Path:
    """The socket file behind a door name on POSIX (Qt puts a bare name in its temp folder)."""
    return Path(name) if os.path.isabs(name) else Path(QDir.tempPath()) / name


def wait_for_door(data: Path) -> None:
    """Until the window process on ``data`` listens (it opens its door just after its lock)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for name in door_names(data / "window.socket"):
            probe = QLocalSocket()
            probe.connectToServer(name)
            listening = probe.waitForConnected(200)
            probe.abort()
            if listening:
                return
        time.sleep(0.05)
    raise AssertionError("the window never opened its door")


def test_a_second_launch_brings_the_open_window_forward(tmp_path: Path, qapp: object) -> None:
    data = tmp_path / "data"
    first = open_window(data)
    try:
        wait_for_door(data)
        started = time.monotonic()
        second = ptclock(data=data)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == f"ptclock: already open on {data}; {BROUGHT}"
        assert second.stderr == ""
        assert time.monotonic() - started < 20  # a Python start-up, not a 2 s wait per try
        assert first.poll() is None  # the first window is still open
    finally:
        first.kill()
        first.communicate()


@pytest.mark.parametrize("kept_in", ["tray", "compact"])
def test_a_hidden_window_comes_back(
    kept_in: str,
    make_window: WindowMaker,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    window = make_window()
    if kept_in == "tray":
        window.hide()  # closed with a timer running: kept in the tray
    else:
        window.enter_compact()
        assert window.compact.isVisible()
    assert not window.isVisible()
    monkeypatch.setenv(ACTIVATION_VARIABLE, "none yet")  # restored after the test
    with WindowLock(data / "window.lock"):
        door = WindowDoor(data / "window.socket", lambda: app.come_forward(window))
        assert door.open()
        try:
            # A real second launch, started from a desktop launcher that gave it a token.
            second = subprocess.Popen(
                [sys.executable, "-m", "ptclock"],
                env=environment(data) | {ACTIVATION_VARIABLE: "launcher-token-7"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            qtbot.waitUntil(window.isVisible, timeout=30000)
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=30000)
            out, err = second.communicate()
        finally:
            door.close()
    assert second.returncode == 0, err
    assert BROUGHT in out
    assert not window.compact.isVisible()  # the full window, not the strip
    assert os.environ[ACTIVATION_VARIABLE] == "launcher-token-7"  # for Qt's Wayland plugin


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_killed_windows_socket_does_not_lock_the_door(tmp_path: Path, qapp: object) -> None:
    data = tmp_path / "data"
    killed = open_window(data)
    wait_for_door(data)
    killed.send_signal(signal.SIGKILL)
    killed.communicate()
    assert any(door_file(name).exists() for name in door_names(data / "window.socket"))
    assert not ask_to_come_forward(data / "window.socket")
    window = open_window(data)
    try:
        wait_for_door(data)
        second = ptclock(data=data)
        assert second.returncode == 0, second.stderr
        assert BROUGHT in second.stdout
        assert window.poll() is None
    finally:
        window.kill()
        window.communicate()


def test_without_an_answer_the_second_launch_only_says_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with WindowLock(data / "window.lock"):  # a window still starting: locked, no door yet
        second = ptclock(data=data)
        smoke = ptclock("--smoke-test", data=data)
    assert second.returncode == 0
    assert second.stdout == ""
    assert second.stderr.strip() == f"ptclock: ptclock is already open on {data}; use that window"
    assert (smoke.returncode, smoke.stdout, smoke.stderr) == (0, "", second.stderr)


def test_nobody_listening_is_false(tmp_path: Path, qapp: object) -> None:
    data = tmp_path / "data"
    data.mkdir()
    assert not ask_to_come_forward(data / "window.socket")


@pytest.mark.skipif(os.name != "posix", reason="a Unix socket stands in for a hung window")
def test_a_window_that_does_not_answer_is_given_up_on(tmp_path: Path, qapp: object) -> None:
    data = tmp_path / "data"
    data.mkdir()
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        hung.bind(door_names(data / "window.socket")[0])
        hung.listen(1)  # connections wait in the backlog; nothing ever answers
        started = time.monotonic()
        assert not ask_to_come_forward(data / "window.socket", timeout_ms=300)
        assert time.monotonic() - started < 2
    finally:
        hung.close()


def test_the_door_is_per_data_folder_and_short(tmp_path: Path) -> None:
    here = door_names(tmp_path / "a" / "window.socket")
    there = door_names(tmp_path / "b" / "window.socket")
    assert set(here).isdisjoint(there)
    deep = tmp_path.joinpath(*["folder-with-a-long-name"] * 6) / "window.socket"
    names = door_names(deep)
    assert all(len(os.fsencode(name)) <= 100 for name in names)
    if os.name == "posix":
        assert names == [names[-1]]  # too long for a Unix socket: only the short name
        assert len(here) == 2 and here[0] == str(tmp_path / "a" / "window.socket")
