"""Soak: the real window through a clinic day, one fake second at a time.

PySide6 6.12.0 dropped a reference to None on every void call; the window aborted about nine
minutes into a running timer, and no test ran the window longer than seconds. Here a child
process (soak_child.py) opens the real MainWindow on an on-disk store and a fake clock and
drives a day through the window's own per-second path, with patients, clicks on the tiles, a
foot pedal writing from another connection, documentation, a pause and the "still treating?"
question. It must stay alive, and its memory, open files and the count of references to None
must not grow with the ticks.

How long: PTCLOCK_SOAK_HOURS simulated hours, 1 by default (a few seconds, for a quick suite
on a laptop); CI runs the whole 8-hour day. The leak checks hold at any length: they are
measured from the end of a warm-up (the first hour, or the first quarter of a shorter day)
and the closing ten minutes are ten minutes at every length. The day's mix of what happens
grows with it: one hour is one patient treated in the window; from three hours on, the pedal,
visits started and ended by another process, a pause and both answers to the question all
happen (see EVERY_DAY and FROM_THREE_HOURS).

About None's count: the whole day's drift is bounded loosely, because PySide6 6.11.3 keeps
about one reference to None for each Python-made widget that Qt later deletes (the
Documentation fields are rebuilt for each visit) and the window keeps every question box it
opened: the count grows with what happened, not with time (+2,112 over the measured day,
about 0.08 a tick). The day's last ten minutes are only ticks with a timer running; there it
must stay within 100: flat from tick to tick, with a few lasting references once, at the
minute the last exercise crosses a unit (QUIET_NONE_DRIFT_LIMIT), 150 times below what a
leaking binding shows. A binding that drops a reference per void call moves the count ~25 a
tick: 15,000 in those ten minutes, 67,500 over a 1-hour day after its warm-up, 720,000 over a
whole day, and aborts (none_dealloc) long before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.ui.code_tile import RUNNING_MARK

ROOT = Path(__file__).parents[2]
CHILD = Path(__file__).with_name("soak_child.py")
WHOLE_DAY_HOURS = 8
HOURS = int(os.environ.get("PTCLOCK_SOAK_HOURS", "1"))
"""Simulated hours: 1 by default, the whole 8-hour day in CI (.ci/run exports 8)."""
assert HOURS >= 1, f"PTCLOCK_SOAK_HOURS must be a whole number of hours, 1 or more: {HOURS}"
TICKS = HOURS * 3600
"""One tick a second."""
TIMEOUT_SECONDS = 60 + 20 * HOURS
"""About ten times the day's run here, and under pytest's own limit at 8 hours."""
RSS_GROWTH_LIMIT_KB = 10 * 1024
DAY_NONE_DRIFT_LIMIT = 10_000
"""After the warm-up, against 67,500 (1 hour) to 720,000 (8 hours) for a leaking binding."""
QUIET_NONE_DRIFT_LIMIT = 100
"""Over the closing ten minutes of pure ticks, against ~15,000 for a leaking binding. Not
zero: the last exercise crosses a unit there, and the claim it caches then holds a few new
objects (measured: +12 to +21, all at the minute a unit changes, none per tick)."""
EVERY_DAY = ("tile clicks", "documentation saves", "questions answered: keep")
"""What the day does at any length (1 hour: its one patient, treated in the window)."""
FROM_THREE_HOURS = (
    "timers started by the pedal",
    "visits started by another process",
    "visits ended by another process",
    "pause/resume clicks",
    "questions answered: stop",
)
"""What the script does from its second and third patients on (1 and 2 hours lack some)."""


def run_day(folder: Path) -> tuple[dict[str, Any], str]:
    environment = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        **{paths.DATA_ENV: str(folder / "data"), paths.CONFIG_ENV: str(folder / "config")},
    )
    done = subprocess.run(
        [sys.executable, str(CHILD), str(TICKS)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=ROOT,
    )
    stderr_tail = "\n".join(done.stderr.splitlines()[-30:])
    assert done.returncode == 0, f"the window process died ({done.returncode}):\n{stderr_tail}"
    lines = done.stdout.strip().splitlines()
    assert lines, f"the window process printed nothing:\n{stderr_tail}"
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures, stderr_tail


def test_a_clinic_day_in_the_real_window(tmp_path: Path) -> None:
    day, stderr_tail = run_day(tmp_path)
    summary = (
        f"soak: {day['ticks']} ticks ({day['simulated_hours']} h simulated) in "
        f"{day['wall_s']} s ({day['ms_per_tick']} ms a tick), {day['visits']} visits; "
        f"after a {day['warmup_ticks']}-tick warm-up: RSS {day['rss_growth_kb']:+} kB, "
        f"fds {day['fd_drift']:+}, None refs {day['none_ref_drift']:+} "
        f"(closing {day['quiet_ticks']} ticks: {day['quiet_none_ref_drift']:+}, "
        f"RSS {day['quiet_rss_growth_kb']:+} kB); widgets {day['widgets_warmup']} → "
        f"{day['widgets_end']}, question boxes alive {day['question_boxes_alive']}; "
        f"did {day['did']}; Python {day['python']}, PySide6 {day['pyside6']} "
        f"({day['platform']})"
    )
    print(summary)
    why = f"{summary}\n{stderr_tail}"

    assert day["ticks"] == TICKS, why
    assert day["rss_growth_kb"] < RSS_GROWTH_LIMIT_KB, why
    assert day["fd_drift"] == 0, why
    assert all(s["fds"] == day["fds_warmup"] for s in day["samples"]), why
    assert abs(day["quiet_none_ref_drift"]) <= QUIET_NONE_DRIFT_LIMIT, why
    assert abs(day["none_ref_drift"]) < DAY_NONE_DRIFT_LIMIT, why

    # The day happened as scripted, through the window, with nothing refused.
    assert day["failures"] == [], why
    assert day["visits"] >= HOURS, why  # a patient every 45-60 minutes: 9 in the whole day
    for what in EVERY_DAY + (FROM_THREE_HOURS if HOURS >= 3 else ()):
        assert day["did"].get(what, 0) > 0, f"{what} never happened: {why}"

    # What the therapist sees at the end of the day matches the stored time.
    assert day["tiles_wrong"] == [], why
    assert day["today_rows"] == day["today_visits"] == day["visits"], why
    screen = day["screen"]
    assert screen["header_patient"] == screen["patient"], why
    assert screen["tile_state"] == RUNNING_MARK, why
    assert screen["tile_checked"] is True, why
    assert screen["tile_time"] == screen["tally_time"], why
    # Running through the closing ten minutes; in the whole day a code not timed before then.
    assert screen["tally_seconds"] >= 600, why
    if HOURS == WHOLE_DAY_HOURS:
        assert screen["tally_time"] == "10:00", why
    assert screen["tile_units"] == screen["tally_units"], why
