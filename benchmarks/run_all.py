"""Run every benchmark and print one table. Figures, never asserts: compare the ratios.

    .venv/bin/python benchmarks/run_all.py            # full: 60 s idle runs, 1× and 10× history
    .venv/bin/python benchmarks/run_all.py --quick    # a few minutes: 10 s idle, 0.1× and 1×

Each measurement is taken in this run on this machine, next to its baseline (a bare
PySide6 program, a one-second QTimer, the smaller history), so a shared, noisy machine
shifts both sides alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.history import generate  # noqa: E402

Row = tuple[str, str, str, str]  # what, figure, against, target
PROBES = str(ROOT / "benchmarks" / "probes.py")


def child(argv: list[str], data: Path | None = None) -> dict:  # type: ignore[type-arg]
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    if data is not None:
        environment["PTCLOCK_DATA_DIR"] = str(data)
        environment["PTCLOCK_CONFIG_DIR"] = str(data / "config")
    done = subprocess.run(argv, capture_output=True, text=True, env=environment, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(argv: list[str], data: Path | None = None) -> float:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    if data is not None:
        environment["PTCLOCK_DATA_DIR"] = str(data)
        environment["PTCLOCK_CONFIG_DIR"] = str(data / "config")
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, env=environment, check=True)
    return time.perf_counter() - started


def startup(reps: int, work: Path) -> list[Row]:
    bare, app, frozen = [], [], []
    program = ROOT / "build" / "dist" / "ptclock" / "ptclock"
    # A typical start: the data folder exists and today's backup is made (first runs below).
    timed([sys.executable, "-m", "ptclock", "--smoke-test"], work / "start")
    if program.exists():
        timed([str(program), "--smoke-test"], work / "start-frozen")
    for _ in range(reps):  # interleaved, so drift hits both sides
        bare.append(timed([sys.executable, PROBES, "bare"]))
        app.append(timed([sys.executable, "-m", "ptclock", "--smoke-test"], work / "start"))
        if program.exists():
            frozen.append(timed([str(program), "--smoke-test"], work / "start-frozen"))
    b, a = statistics.median(bare), statistics.median(app)
    rows = [
        (
            f"start-up: ptclock --smoke-test (median of {reps})",
            f"{a * 1000:.0f} ms",
            f"bare PySide6 window {b * 1000:.0f} ms → {a / b:.2f}×",
            "≤ 1.3×",
        )
    ]
    if frozen:
        f = statistics.median(frozen)
        rows.append(
            (
                "start-up: frozen app --smoke-test",
                f"{f * 1000:.0f} ms",
                f"venv {a * 1000:.0f} ms → {f / a:.2f}×",
                "≤ 1.5×",
            )
        )
    return rows


def idle(seconds: float, work: Path) -> list[Row]:
    bare = child([sys.executable, PROBES, "idle", "bare", str(seconds)])
    running = child([sys.executable, PROBES, "idle", "running", str(seconds)], work / "idle-r")
    nothing = child([sys.executable, PROBES, "idle", "nothing", str(seconds)], work / "idle-n")
    ratio = running["cpu"] / bare["cpu"] if bare["cpu"] else float("inf")
    quiet = nothing["cpu"] / bare["cpu"] if bare["cpu"] else float("inf")
    return [
        (
            f"idle CPU over {seconds:.0f} s, one timer running",
            f"{running['cpu']:.3f} s CPU, {running['ticks']} ticks",
            f"bare 1 s QTimer {bare['cpu']:.3f} s → {ratio:.2f}×",
            "≤ 1.5×",
        ),
        (
            f"idle CPU over {seconds:.0f} s, nothing running",
            f"{nothing['cpu']:.3f} s CPU, {nothing['ticks']} ticks",
            f"bare 1 s QTimer {bare['cpu']:.3f} s → {quiet:.2f}×",
            "≤ 1.5× (one look a second for other processes' changes)",
        ),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency(store_path: Path, events: int) -> list[Row]:
    from ptclock.billing import load_catalog
    from ptclock.settings import Settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import SystemClock

    keeper = Timekeeper(open_store(store_path), SystemClock(), load_catalog(), Settings())
    keeper.new_visit("Latency patient")
    samples: dict[str, list[float]] = {"start": [], "switch": [], "stop": []}
    for number in range(events):
        for kind, action in (
            ("start", lambda: keeper.start("97110")),
            ("switch", lambda: keeper.start("97140")),
            ("stop", lambda: keeper.stop()),
        ):
            began = time.perf_counter()
            action()
            samples[kind].append(time.perf_counter() - began)
        if number % 50 == 49:
            keeper.end()
            keeper.new_visit("Latency patient")
    keeper.store.close()
    rows = []
    for kind, values in samples.items():
        rows.append(
            (
                f"event latency: {kind} (committed, synchronous=FULL)",
                f"p50 {percentile(values, 0.5) * 1000:.1f} ms, p99 "
                f"{percentile(values, 0.99) * 1000:.1f} ms",
                f"{len(values)} events on the 1× store",
                "p99 ≤ 10 ms",
            )
        )
    return rows


def open_and_today(store_path: Path) -> tuple[float, float]:
    """Seconds to open the store and compute today's view; and the quick_check alone."""
    import sqlite3

    from ptclock.billing import load_catalog
    from ptclock.settings import Settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import SystemClock

    today = date.today()
    began = time.perf_counter()
    keeper = Timekeeper(
        open_store(store_path, today=today), SystemClock(), load_catalog(), Settings()
    )
    [keeper.tally(v.id) for v in keeper.store.visits_on(today)]
    [keeper.tally(v.id) for v in keeper.store.open_visits()]
    seconds = time.perf_counter() - began
    keeper.store.close()
    connection = sqlite3.connect(store_path)
    began = time.perf_counter()
    connection.execute("PRAGMA quick_check").fetchall()
    check = time.perf_counter() - began
    connection.close()
    return seconds, check


def reports(work: Path) -> list[Row]:
    from PySide6.QtWidgets import QApplication

    from ptclock.billing import load_catalog
    from ptclock.report.export import export_day, export_visit
    from ptclock.settings import Settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import FakeClock

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clock = FakeClock(datetime(2026, 11, 27, 12, tzinfo=timezone.utc))
    keeper = Timekeeper(open_store(work / "reports.sqlite3"), clock, load_catalog(), Settings())
    for number in range(30):
        keeper.new_visit(f"Patient {number:02d}")
        for code in ("97110", "97140", "97530"):
            keeper.start(code)
            clock.advance(minutes=9)
        keeper.set_visit_note("Tolerated well. " * 10)
        keeper.end()
    day = clock.now().astimezone(clock.zone()).date()

    def best(action: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            began = time.perf_counter()
            action()
            times.append(time.perf_counter() - began)
        return min(times)

    day_pdf = best(lambda: export_day(keeper, day, work / "day.pdf"))
    day_csv = best(lambda: export_day(keeper, day, work / "day.csv"))
    one = best(lambda: export_visit(keeper, 1, work / "one.pdf"))
    del app
    return [
        ("report: 30-visit day PDF", f"{day_pdf * 1000:.0f} ms", "", "≤ 1 s"),
        ("report: 30-visit day CSV", f"{day_csv * 1000:.0f} ms", "", ""),
        ("report: one-visit PDF", f"{one * 1000:.0f} ms", "", ""),
    ]


def ncci(work: Path, lines: int) -> list[Row]:
    path = work / "ptp.txt"
    with path.open("w") as out:
        out.write("CMS NCCI practitioner PTP edits (generated)\nColumn 1\tColumn 2\n")
        for number in range(lines):
            first = 10000 + number % 89999
            out.write(
                f"{first:05d}\t{(first * 7) % 89999 + 10000:05d}\t\t20100101\t*\t1\tgenerated\n"
            )
        out.write("97530\t97140\t\t20200101\t*\t1\tkept\n")
    result = child([sys.executable, PROBES, "ncci", str(path)])
    floor = child([sys.executable, PROBES, "floor"])
    return [
        (
            f"NCCI import: {lines:,}-line PTP file",
            f"{result['seconds']:.1f} s, peak {result['peak_mb']:.0f} MB",
            f"python floor {floor['peak_mb']:.0f} MB",
            "fast, little memory",
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma list: startup,idle,history,reports,ncci")
    args = parser.parse_args()
    wanted = (
        set(args.only.split(","))
        if args.only
        else {"startup", "idle", "history", "reports", "ncci"}
    )
    idle_seconds = 10.0 if args.quick else 60.0
    scales = [0.1, 1.0] if args.quick else [1.0, 10.0]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ptclock-bench-") as folder:
        work = Path(folder)
        if "startup" in wanted:
            print("startup…", flush=True)
            rows += startup(5 if args.quick else 9, work)
        if "idle" in wanted:
            print("idle…", flush=True)
            rows += idle(idle_seconds, work)
        opened = {}
        for scale in scales if "history" in wanted else []:
            print(f"history {scale}×…", flush=True)
            path = work / f"history-{scale}.sqlite3"
            began = time.perf_counter()
            made = generate(path, scale)
            print(
                f"  generated {made['visits']:,} visits, {made['segments']:,} segments, "
                f"{made['bytes'] / 2**20:.0f} MB in {time.perf_counter() - began:.0f} s",
                flush=True,
            )
            open_and_today(path)  # the day's first start: backup and full check (not timed)
            seconds, check = open_and_today(path)
            opened[scale] = seconds
            rows.append(
                (
                    f"open store + today's view, {scale:g}× history ({made['visits']:,} visits)",
                    f"{seconds * 1000:.0f} ms",
                    f"quick_check alone {check * 1000:.0f} ms",
                    "≤ 200 ms, flat",
                )
            )
            if scale == 1.0:
                print("latency…", flush=True)
                rows += latency(path, 100 if args.quick else 300)
                memory = child([sys.executable, PROBES, "memory"], work / "memory")
                big = work / "big"
                big.mkdir()
                (big / "ptclock.sqlite3").write_bytes(b"")
                (big / "ptclock.sqlite3").unlink()
                os.link(path, big / "ptclock.sqlite3")
                loaded = child([sys.executable, PROBES, "memory"], big)
                rows.append(
                    (
                        "memory: window peak RSS on the 1× store",
                        f"{loaded['peak_mb']:.0f} MB",
                        f"empty store {memory['peak_mb']:.0f} MB",
                        "flat",
                    )
                )
        if "reports" in wanted:
            print("reports…", flush=True)
            rows += reports(work)
        if "ncci" in wanted:
            print("NCCI import…", flush=True)
            rows += ncci(work, 200_000 if args.quick else 1_000_000)
    print()
    print(
        f"ptclock benchmarks — {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now():%Y-%m-%d %H:%M}"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("what", "figure", "against (same run)", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
