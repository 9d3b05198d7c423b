"""A window on a fake clock and an in-memory (or temporary) store, driven through qtbot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptclock.settings import Settings
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.ui.controller import SessionController
from ptclock.ui.main_window import MainWindow
from tests.helpers import MORNING, keeper

WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def make_window(qtbot: QtBot, clock: FakeClock) -> Iterator[WindowMaker]:
    windows: list[MainWindow] = []

    def make(
        tk: Timekeeper | None = None,
        settings: Settings | None = None,
        path: Path | None = None,
        save_to_disk: bool = False,
    ) -> MainWindow:
        """``save_to_disk``: settings saved to the test's config folder, and the first-run
        question asked, as ptclock opens the window."""
        tk = tk or keeper(clock, settings=settings, path=path)
        window = MainWindow(SessionController(tk), save_to_disk=save_to_disk)
        # Closing at teardown with a timer running must not wait for an answer.
        window.ask_on_close = lambda: "keep"  # type: ignore[method-assign]
        # Nor a new visit while another patient's timer runs (tests that care answer).
        window.ask_other_timers = lambda _timers, _patient: "keep"  # type: ignore[method-assign]
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.ticker.stop()
        window.compact.close()
        window.tray.icon.hide()


@pytest.fixture
def window(make_window: WindowMaker) -> MainWindow:
    return make_window()
