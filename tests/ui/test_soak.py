"""Soak: the real window through a whole clinic day, one fake second at a time.

PySide6 6.12.0 dropped a reference to None on every void call; the window aborted about nine
minutes into a running timer, and no test ran the window longer than seconds. Here a child
process (soak_child.py) opens the real MainWindow on an on-disk store and a fake clock and
drives an 8-hour day through the window's own per-second path, with patients, clicks on the
tiles, a foot pedal writing from another connection, documentation, a pause and the
"still treating?" question. It must stay alive, and its memory, open files and the count of
references to None must not grow with the ticks.

About None's count: the whole day's drift is bounded loosely, because PySide6 6.11.3 keeps
about one reference to None for each Python-made widget that Qt later deletes (the
Documentation fields are rebuilt for each visit) and the window keeps every question box it
opened: the count grows with what happened, not with time (+2,112 over the measured day,
about 0.08 a tick). The day's last ten minutes are only ticks with a timer running; there it
must be flat (it is: 0). A binding that drops a reference per void call moves it ~25 a tick:
15,000 in those ten minutes, 720,000 over a day, and aborts (none_dealloc) long before.
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
TICKS = 28_800
"""An 8-hour day, one tick a second."""
TIMEOUT_SECONDS = 120
RSS_GROWTH_LIMIT_KB = 10 * 1024
DAY_NONE_DRIFT_LIMIT = 10_000
"""Over the day, against 720,000 for a leaking binding (see the module docstring)."""
QUIET_NONE_DRIFT_LIMIT = 10
"""Over the closing ten minutes of pure ticks, against ~15,000 for a leaking binding."""


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

    assert day["ticks"] >= TICKS >= 28_800, why
    assert day["rss_growth_kb"] < RSS_GROWTH_LIMIT_KB, why
    assert day["fd_drift"] == 0, why
    assert all(s["fds"] == day["fds_warmup"] for s in day["samples"]), why
    assert abs(day["quiet_none_ref_drift"]) <= QUIET_NONE_DRIFT_LIMIT, why
    assert abs(day["none_ref_drift"]) < DAY_NONE_DRIFT_LIMIT, why

    # The day happened as scripted, through the window, with nothing refused.
    assert day["failures"] == [], why
    assert day["visits"] >= 8, why
    for what in (
        "tile clicks",
        "timers started by the pedal",
        "visits started by another process",
        "visits ended by another process",
        "documentation saves",
        "pause/resume clicks",
        "questions answered: keep",
        "questions answered: stop",
    ):
        assert day["did"].get(what, 0) > 0, f"{what} never happened: {why}"

    # What the therapist sees at the end of the day matches the stored time.
    assert day["tiles_wrong"] == [], why
    assert day["today_rows"] == day["today_visits"] == day["visits"], why
    screen = day["screen"]
    assert screen["header_patient"] == screen["patient"], why
    assert screen["tile_state"] == RUNNING_MARK, why
    assert screen["tile_checked"] is True, why
    assert screen["tile_time"] == screen["tally_time"] == "10:00", why
    assert screen["tile_units"] == screen["tally_units"], why
