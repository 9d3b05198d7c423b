"""A clinic day in the real window, one fake second at a time (run by tests/ui/test_soak.py).

    python tests/ui/soak_child.py TICKS [--warmup SECONDS] [--sample-every SECONDS]

Run with QT_QPA_PLATFORM=offscreen, PTCLOCK_DATA_DIR and PTCLOCK_CONFIG_DIR in a throw-away
folder, and the project root on PYTHONPATH. It builds the real QApplication and MainWindow on
an on-disk store and a fake clock, then drives TICKS seconds through the window's own
per-second path (``clock.advance(1)``, ``window.tick()``, ``app.processEvents()``) while a
day happens: a patient every 45-60 minutes, timers switched every 10-20 minutes by clicks on
the tiles or by a foot pedal (a second Timekeeper on the same file, as ``ptclock timer start``
would be), documentation typed and saved, a pause and resume, a rule switched, and every
"still treating?" question answered.

After the warm-up (the first simulated hour, or the first quarter of a shorter day), every
simulated hour (every 10 minutes of a shorter day), at the start of the day's quiet closing
ten minutes and at the end, it samples VmRSS, the open file descriptors,
``sys.getrefcount(None)``, the live widgets and the wall time. At the end it prints ONE JSON
object on stdout: the figures, the samples, what the day did, and what the window shows next
to what the tally says. Progress (tick, None's count) goes to stderr every 10 minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from collections import Counter
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ptclock import paths
from ptclock.settings import Settings
from ptclock.store import open_store
from ptclock.timekeeper import Timekeeper, TimekeeperError
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer, VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import words
from ptclock.ui.controller import SessionController
from ptclock.ui.main_window import MainWindow
from tests.helpers import CATALOG, MORNING

CODES = ("97110", "97112", "97140", "97530", "97116", "97535")
PATIENTS = (
    "Ada Brooks", "Ben Ortiz", "Chloe Nguyen", "Dev Patel", "Elena Rossi", "Farah Khan",
    "Gus Lindqvist", "Hana Sato", "Ivan Petrov", "June Okafor",
)  # fmt: skip
PAYERS = (Payer.MEDICARE, Payer.COMMERCIAL, Payer.OTHER)
LONG_TIMER_MINUTES = 15
"""Lower than the default hour, so runs of 16-20 minutes bring "still treating?" up."""
MINUTE = 60
CLOSING = 10 * MINUTE
"""The day's last ten minutes: the last patient on one fresh exercise and nobody touching the
window, so only the per-second path runs (the nine minutes that killed the window on 6.12.0).
"""
SETTLE = 5
"""Seconds into the closing stretch before its baseline: the switch's redraw is done."""
PROGRESS_EVERY = 10 * MINUTE
HOUR = 60 * MINUTE


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


class Day:
    """The clinic day's script: what happens at which second, done through the window."""

    def __init__(
        self, app: QApplication, window: MainWindow, pedal: Timekeeper, seed: int, end: int
    ) -> None:
        self.app = app
        self.window = window
        self.keeper = window.controller.keeper
        self.pedal = pedal
        self.rng = random.Random(seed)
        self.end = end
        self.did: Counter[str] = Counter()
        self.failures: list[str] = []
        window.controller.failed.connect(self.failures.append)
        self.visits: list[int] = []
        self.visit_id: int | None = None
        self.visit_ends = 0
        self.next_visit = 0
        self.next_switch: int | None = None
        self.document_at: int | None = None
        self.pause_at: int | None = None
        self.resume_at: int | None = None
        self.rule_at: int | None = None
        self.answers = 0

    # -- the script ----------------------------------------------------------------------

    def act(self, second: int) -> None:
        """Whatever the therapist (or the pedal) does at ``second`` of the day."""
        if second == self.end - CLOSING:
            self.closing()
            return
        if second > self.end - CLOSING:
            return
        if self.visit_id is not None and second >= self.visit_ends:
            self.end_visit()
        if self.visit_id is None:
            if self.next_visit <= second < self.end - CLOSING - 5 * MINUTE:
                self.start_visit(second)
            return
        if self.pause_at is not None and second >= self.pause_at:
            self.pause_at = None
            self.click_pause()
            self.resume_at = second + self.rng.randint(1, 4) * MINUTE
        if self.resume_at is not None and second >= self.resume_at:
            self.resume_at = None
            self.click_pause()
        # Not while paused: the switch waits for the resume.
        if self.next_switch is not None and second >= self.next_switch and self.resume_at is None:
            self.switch()
            self.next_switch = second + self.rng.randint(10, 20) * MINUTE
        if self.document_at is not None and second >= self.document_at:
            self.document_at = None
            self.document()
        if self.rule_at is not None and second >= self.rule_at:
            self.rule_at = None
            self.show_timers()
            # Visit → Use the AMA/CMS rule; on a Medicare visit the window asks first: yes.
            self.window.ask_rule_change = lambda *_: True  # type: ignore[method-assign]
            self.window.rule_action.trigger()
            self.did["rule switches (menu)"] += 1

    def start_visit(self, second: int) -> None:
        number = len(self.visits)
        patient = PATIENTS[number % len(PATIENTS)]
        payer = PAYERS[number % len(PAYERS)]
        first = self.rng.choice(CODES)
        if number % 3 == 2:
            # From another process: `ptclock visit new` then the pedal's `ptclock timer
            # start`; the window follows on its next tick (PRAGMA data_version).
            visit_id = self.pedal.new_visit(patient, payer)
            self.pedal.start(first, visit_id)
            self.did["visits started by another process"] += 1
            self.did["timers started by the pedal"] += 1
        else:
            # The window's own Timekeeper, then shown as opening it from the Today tab does.
            visit_id = self.keeper.new_visit(patient, payer)
            self.window.controller.open_visit(visit_id)
            self.app.processEvents()
            self.show_timers()
            click(self.window.tiles[first])
            self.did["visits started in the window"] += 1
            self.did["tile clicks"] += 1
        self.visits.append(visit_id)
        self.visit_id = visit_id
        self.visit_ends = second + self.rng.randint(45, 60) * MINUTE
        if self.visit_ends > self.end - CLOSING - 10 * MINUTE:
            self.visit_ends = self.end + 1  # the day's last patient: treated until the close
        self.next_switch = second + self.rng.randint(10, 20) * MINUTE
        self.document_at = second + self.rng.randint(20, 35) * MINUTE
        self.pause_at = second + self.rng.randint(15, 30) * MINUTE if number % 3 == 1 else None
        self.rule_at = second + self.rng.randint(5, 40) * MINUTE if number % 4 == 3 else None

    def end_visit(self) -> None:
        assert self.visit_id is not None
        if len(self.visits) % 2:
            # What the End visit dialog's "Yes" does (its exec() would block here).
            self.window.controller.end_visit()
            self.did["visits ended in the window"] += 1
        else:
            self.pedal.end(self.visit_id)  # `ptclock visit end` from another process
            self.did["visits ended by another process"] += 1
        self.visit_id = None
        self.pause_at = self.resume_at = self.document_at = self.rule_at = None
        self.next_switch = None
        self.next_visit = self.visit_ends + self.rng.randint(0, 3) * MINUTE

    def closing(self) -> None:
        """The last patient's last exercise: a code started now runs to the end untouched
        (shorter than the long-timer limit, so no question comes up)."""
        if self.resume_at is not None:
            self.resume_at = None
            self.click_pause()
        if self.visit_id is None:
            self.start_visit(self.end - CLOSING)
        assert self.visit_id is not None
        tally = self.keeper.tally(self.visit_id)
        code = next(c for c in CODES if c not in tally.running_codes)
        self.show_timers()
        click(self.window.tiles[code])
        self.did["tile clicks"] += 1

    def switch(self) -> None:
        assert self.visit_id is not None
        tally = self.keeper.tally(self.visit_id)
        code = self.rng.choice([c for c in CODES if c not in tally.running_codes])
        if self.rng.random() < 0.25:
            try:
                self.pedal.start(code, self.visit_id)
            except TimekeeperError as error:
                self.failures.append(f"pedal: {error}")
            self.did["timers started by the pedal"] += 1
        else:
            self.show_timers()
            click(self.window.tiles[code])
            self.did["tile clicks"] += 1

    def click_pause(self) -> None:
        self.show_timers()
        click(self.window.header.pause_button)
        self.did["pause/resume clicks"] += 1

    def document(self) -> None:
        """The Documentation tab: type into a code's fields and the visit note, then Save."""
        window = self.window
        window.tabs.setCurrentWidget(window.documentation)
        self.app.processEvents()
        fields = window.documentation.fields
        if fields:
            chosen = self.rng.choice(fields)
            QTest.keyClicks(chosen.body_part, " left knee")
            QTest.keyClicks(chosen.exercises, "SLR 3x10, 2 lb; step-ups 2x15")
            QTest.keyClicks(chosen.goal, "stairs at home")
        QTest.keyClicks(window.documentation.visit_note, " Tolerated well.")
        click(window.documentation.save_button)
        self.did["documentation saves"] += 1
        self.show_timers()

    def show_timers(self) -> None:
        self.window.tabs.setCurrentIndex(0)

    def answer_questions(self) -> None:
        """Click an answer in every question box the window has open (keep, stop, keep…)."""
        for widget in self.app.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                keep = self.answers % 2 == 0
                wanted = (
                    QMessageBox.ButtonRole.AcceptRole
                    if keep
                    else QMessageBox.ButtonRole.DestructiveRole
                )
                button = next(b for b in widget.buttons() if widget.buttonRole(b) == wanted)
                click(button)
                self.answers += 1
                self.did["questions answered: keep" if keep else "questions answered: stop"] += 1
        for widget in self.window.findChildren(QMessageBox):
            if widget.isVisible():
                raise RuntimeError(f"a question stayed open: {widget.text()}")


# -- measuring -----------------------------------------------------------------------------


def sample(second: int, started: float, window: MainWindow) -> dict[str, Any]:
    gc.collect()
    return {
        "tick": second,
        "hours": round(second / 3600, 2),
        "wall_s": round(time.perf_counter() - started, 3),
        "rss_kb": rss_kb(),
        "fds": open_fds(),
        "none_refs": sys.getrefcount(None),
        "widgets": len(QApplication.allWidgets()),
        "tiles_wrong": tiles_wrong(window),
    }


def tiles_wrong(window: MainWindow) -> list[str]:
    """Tiles whose time or units differ from what the tally says now."""
    tally = window.controller.tally()
    if tally is None:
        return []
    wrong = []
    for line in tally.codes:
        tile = window.tiles.get(line.code)
        if tile is None:
            wrong.append(f"{line.code}: no tile")
            continue
        shown = (tile.time_label.text(), tile.units_label.text())
        said = (words.clock(line.seconds), words.units(line.units))
        if shown != said:
            wrong.append(f"{line.code}: shows {shown}, tally says {said}")
    return wrong


def screen(window: MainWindow, tally: VisitTally | None) -> dict[str, Any]:
    """What the window shows for the visit and its running code, next to the tally."""
    if tally is None:
        return {"visit": None}
    running = tally.running_codes[0] if tally.running_codes else None
    shown: dict[str, Any] = {
        "visit": tally.record.visit.id,
        "patient": tally.record.visit.patient,
        "header_patient": window.header.patient_label.text(),
        "status": tally.record.visit.status.value,
        "running_code": running,
    }
    if running is not None:
        line = tally.code(running)
        tile = window.tiles[running]
        shown.update(
            tile_state=tile.state_label.text(),
            tile_time=tile.time_label.text(),
            tile_units=tile.units_label.text(),
            tile_checked=tile.isChecked(),
            tally_seconds=line.seconds,
            tally_time=words.clock(line.seconds),
            tally_units=words.units(line.units),
        )
    return shown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ticks", type=int)
    parser.add_argument(
        "--warmup",
        type=int,
        help="seconds before the baseline (default: an hour, a quarter of a shorter day)",
    )
    parser.add_argument(
        "--sample-every", type=int, help="default: an hour, 10 minutes in a shorter day"
    )
    parser.add_argument("--seed", type=int, default=20261127)
    arguments = parser.parse_args()
    ticks: int = arguments.ticks
    short_day = ticks < 4 * HOUR
    warmup: int = ticks // 4 if short_day else HOUR
    if arguments.warmup is not None:
        warmup = arguments.warmup
    sample_every: int = arguments.sample_every or (PROGRESS_EVERY if short_day else HOUR)
    if not 0 < warmup < ticks - CLOSING:
        parser.error(f"the warm-up must end before the closing {CLOSING} s of the day")

    app = QApplication(sys.argv[:1])
    clock = FakeClock(MORNING)
    settings = Settings(provider="Jordan Lee", long_timer_minutes=LONG_TIMER_MINUTES)
    path = paths.private_dir(paths.data_dir()) / "ptclock.sqlite3"
    keeper = Timekeeper(open_store(path), clock, CATALOG, settings)
    window = MainWindow(SessionController(keeper), save_to_disk=False)
    window.show()
    app.processEvents()
    # The foot pedal: another connection to the same file, as `ptclock timer …` would be.
    pedal = Timekeeper(open_store(path), clock, CATALOG, settings)
    day = Day(app, window, pedal, arguments.seed, ticks)

    started = time.perf_counter()
    samples: list[dict[str, Any]] = []
    baseline: dict[str, Any] = {}
    quiet: dict[str, Any] = {}
    for second in range(1, ticks + 1):
        clock.advance(1)
        day.act(second)
        window.tick()
        app.processEvents()
        # What returning to app.exec()'s loop does: deleteLater()'d widgets go.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        day.answer_questions()
        if second % PROGRESS_EVERY == 0:
            print(f"soak: tick {second}, None refs {sys.getrefcount(None)}", file=sys.stderr)
        if second == warmup:
            baseline = sample(second, started, window)
            samples.append(baseline)
        elif second % sample_every == 0 and second != ticks:
            samples.append(sample(second, started, window))
        if second == ticks - CLOSING + SETTLE:
            quiet = sample(second, started, window)
    wall = time.perf_counter() - started
    final = sample(ticks, started, window)
    samples.append(final)

    # The end of the day: the last visit has a timer running, as the window shows it.
    tally = window.controller.tally()
    if tally is None or not tally.running_codes or tally.record.visit.status is VisitStatus.PAUSED:
        raise RuntimeError(f"no timer runs at the end of the day: {screen(window, tally)}")
    output = {
        "ticks": ticks,
        "simulated_hours": round(ticks / 3600, 2),
        "wall_s": round(wall, 2),
        "ms_per_tick": round(1000 * wall / ticks, 3),
        "warmup_ticks": warmup,
        "rss_kb_warmup": baseline["rss_kb"],
        "rss_kb_end": final["rss_kb"],
        "rss_growth_kb": final["rss_kb"] - baseline["rss_kb"],
        "fds_warmup": baseline["fds"],
        "fds_end": final["fds"],
        "fd_drift": final["fds"] - baseline["fds"],
        "none_refs_warmup": baseline["none_refs"],
        "none_refs_end": final["none_refs"],
        "none_ref_drift": final["none_refs"] - baseline["none_refs"],
        "quiet_ticks": ticks - quiet["tick"],
        "quiet_none_ref_drift": final["none_refs"] - quiet["none_refs"],
        "quiet_rss_growth_kb": final["rss_kb"] - quiet["rss_kb"],
        "widgets_warmup": baseline["widgets"],
        "widgets_end": final["widgets"],
        "question_boxes_alive": len(window.findChildren(QMessageBox)),
        "tiles_wrong": sorted({wrong for s in samples for wrong in s["tiles_wrong"]}),
        "samples": samples,
        "did": dict(sorted(day.did.items())),
        "visits": len(day.visits),
        "today_rows": window.today.table.rowCount(),
        "today_visits": len(window.controller.today()),
        "failures": day.failures,
        "screen": screen(window, tally),
        "python": sys.version.split()[0],
        "pyside6": pyside_version,
        "platform": app.platformName(),
    }
    window.ticker.stop()
    window.compact.close()
    window.tray.icon.hide()
    pedal.store.close()
    keeper.store.close()
    print(json.dumps(output), flush=True)


if __name__ == "__main__":
    main()
