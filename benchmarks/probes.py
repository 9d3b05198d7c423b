"""Child programs the benchmarks time: each prints one JSON line of what it measured."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def peak_mb() -> float:
    """This program's peak RSS. VmHWM starts afresh at exec; ru_maxrss on Linux would also
    count the forked parent's memory before exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle(kind: str, seconds: float) -> None:
    """CPU time used over ``seconds`` by the bare one-second QTimer program or by ptclock.

    ptclock opens through ``ptclock.app.run_window``, the path ``ptclock`` takes (icon, data
    folder lock, the window, its door); "running" has a visit with a timer running, "nothing"
    an empty data folder. The provider is set, so no first-run question is open.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication(sys.argv[:1])
    ticks: list[int] = [0]
    keep: list[object] = []
    if kind == "bare":
        label = QLabel("0")
        label.show()
        timer = QTimer()
        timer.timeout.connect(
            lambda: (ticks.__setitem__(0, ticks[0] + 1), label.setText(str(ticks[0])))
        )
        timer.start(1000)
        keep += [label, timer]
    elif kind == "clocks":
        keep += three_clocks(ticks)
    else:
        from ptclock import assembly
        from ptclock.settings import save_settings

        keeper = assembly.timekeeper(create=True)
        save_settings(keeper.settings.changed(provider="Benchmark PT", npi="1234567893"))
        if kind == "running":
            keeper.new_visit("Benchmark patient")
            keeper.start("97110")
        keeper.store.close()
    # Measure after a 2 s settling time, so the first full paint of the window is not
    # counted as idle cost; only what the steady state spends.
    marks: dict[str, float] = {}

    def begin() -> None:
        if kind not in ("bare", "clocks"):  # the window's ticks, counted at its ticker
            for widget in app.topLevelWidgets():
                ticker = getattr(widget, "ticker", None)
                if ticker is not None and hasattr(ticker, "timeout"):
                    ticker.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
                    break
            else:
                ticks[0] = -1
        marks.update(cpu=cpu(), wall=time.monotonic(), ticks=ticks[0])

    def end() -> None:
        marks.update(
            cpu=cpu() - marks["cpu"],
            wall=time.monotonic() - marks["wall"],
            ticks=ticks[0] - marks["ticks"] if ticks[0] >= 0 else -1,
        )
        print(json.dumps(marks), flush=True)
        if kind in ("bare", "clocks"):
            app.quit()
        else:  # leave at once: quitting would ask what to do with the running timer
            os._exit(0)

    QTimer.singleShot(2000, begin)
    QTimer.singleShot(2000 + int(seconds * 1000), end)
    if kind in ("bare", "clocks"):
        app.exec()
    else:
        from ptclock.app import run_window

        run_window()


def three_clocks(ticks: list[int]) -> list[object]:
    """The floor of ptclock's running second, in plain PySide6 without ptclock: the start-up
    floor's window (``floor_window.py``: ptclock's menus, header, band, tabs, ten tiles,
    details and tray) with its three times moving each second (the visit clock, the band's
    time, the running tile's), each repainting just its time, and the window's three looks
    (the -wal's identity, ``PRAGMA data_version``, wall clock against monotonic). What the
    design itself costs, next to the one-label baseline."""
    import sqlite3
    import tempfile

    from benchmarks.floor_window import build

    floor = build()
    folder = Path(tempfile.mkdtemp())
    connection = sqlite3.connect(folder / "floor.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS t (x)")
    connection.commit()
    wal = str(folder / "floor.sqlite3-wal")
    assert floor.clock is not None and floor.band is not None
    clocks = [(floor.clock, 0), (floor.band, 1), (floor.tiles[0], 2)]  # (widget, its time line)
    last = [time.time(), time.monotonic()]

    def tick() -> None:
        ticks[0] += 1
        os.stat(wal)  # noqa: PTH116 — a string path, as the store stats it (cheap)
        connection.execute("PRAGMA data_version").fetchone()
        wall, monotonic = time.time(), time.monotonic()
        if abs((wall - last[0]) - (monotonic - last[1])) > 2:
            print("clock jump", file=sys.stderr)
        last[:] = [wall, monotonic]
        seconds = ticks[0]
        for clock, line in clocks:
            clock.show_line(line, f"{seconds // 60}:{seconds % 60:02d}")

    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(1000)
    return [floor, timer, connection]


def window_memory() -> None:
    """Peak RSS of the window opened on the data folder (PTCLOCK_DATA_DIR)."""
    from PySide6.QtWidgets import QApplication

    from ptclock import assembly
    from ptclock.ui.controller import SessionController
    from ptclock.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    started = time.perf_counter()
    keeper = assembly.timekeeper(create=True)
    window = MainWindow(SessionController(keeper), save_to_disk=False)
    window.ask_on_close = lambda: "keep"
    window.show()
    app.processEvents()
    shown = time.perf_counter() - started
    print(json.dumps({"peak_mb": peak_mb(), "open_and_show_s": shown}))


def ncci_import(path: str) -> None:
    from ptclock.billing import load_catalog
    from ptclock.billing.edits import parse_cms_ptp

    started = time.perf_counter()
    with Path(path).open(encoding="latin-1", newline="") as lines:
        result = parse_cms_ptp(lines, load_catalog(), path)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak_mb(), "read": result.read, "kept": result.kept}
        )
    )


def python_floor() -> None:
    print(json.dumps({"peak_mb": peak_mb()}))


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    name, *rest = sys.argv[1:]
    if name == "idle":
        idle(rest[0], float(rest[1]))
    elif name == "ncci":
        ncci_import(rest[0])
    else:
        {"memory": window_memory, "floor": python_floor}[name]()
