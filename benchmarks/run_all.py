"""Run every benchmark and print one table. Figures, never asserts: compare the ratios.

    .venv/bin/python benchmarks/run_all.py            # full: 5 × 30 s idle runs, 1× and 10× history
    .venv/bin/python benchmarks/run_all.py --quick    # a few minutes: 3 × 10 s idle, 0.1× and 1×
    .venv/bin/python benchmarks/run_all.py --freeze --only startup,idle   # the issue-15 rows

Each measurement is taken in this run on this machine, next to its baseline (a bare
PySide6 program, a one-second QTimer, the smaller history), so a shared, noisy machine
shifts both sides alike. Start-up and idle are measured the way users run ptclock: the
``ptclock`` command with its bytecode compiled (never with PYTHONDONTWRITEBYTECODE, which
would compile every module on every start), and the frozen app from ``installer/build.py``
(``--freeze`` builds it first, about 20 s); the runs of the program and of its bare baseline
alternate, in a rotating order, and the table shows medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import sysconfig
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


def user_environment(data: Path | None = None, *, pythonpath: bool = False) -> dict[str, str]:
    """The environment a user's ptclock runs in: Python may write and read its bytecode cache
    (a development shell's PYTHONDONTWRITEBYTECODE=1 would make every start compile every
    module, which no installed ptclock does); a data and a config folder of the run's own."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath:  # the probes import ptclock from this checkout
        environment["PYTHONPATH"] = str(ROOT)
    if data is not None:
        environment["PTCLOCK_DATA_DIR"] = str(data)
        environment["PTCLOCK_CONFIG_DIR"] = str(data / "config")
    return environment


def child(argv: list[str], data: Path | None = None) -> dict:  # type: ignore[type-arg]
    environment = user_environment(data, pythonpath=True)
    done = subprocess.run(argv, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(argv: list[str], data: Path | None = None) -> float:
    environment = user_environment(data)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=environment, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return seconds


def compile_bytecode() -> str:
    """Compile ptclock and the environment's packages as an install leaves them (pip writes
    the bytecode of what it installs; an editable install's first start writes ptclock's).
    Returns what was compiled, for the table's header."""
    folders = [str(ROOT / "ptclock"), sysconfig.get_paths()["purelib"]]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *folders],
        check=False,
        capture_output=True,
        env=user_environment(),
    )
    return "bytecode compiled beforehand (ptclock and site-packages)"


def ptclock_program() -> list[str]:
    """The ``ptclock`` command of this environment (the console script a user runs)."""
    script = Path(sys.executable).with_name("ptclock")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ptclock"]


def startup(reps: int, work: Path) -> list[Row]:
    """``ptclock --smoke-test`` (compiled bytecode; and the frozen app, when built) against the
    bare PySide6 window, interleaved rep by rep in a rotating order, medians."""
    frozen_program = ROOT / "build" / "dist" / "ptclock" / "ptclock"
    programs: dict[str, tuple[list[str], Path | None]] = {
        "bare": ([sys.executable, str(ROOT / "benchmarks" / "bare_window.py")], None),
        "floor": ([sys.executable, str(ROOT / "benchmarks" / "floor_window.py")], work / "floor"),
        "venv": ([*ptclock_program(), "--smoke-test"], work / "start"),
    }
    if frozen_program.exists():
        programs["frozen"] = ([str(frozen_program), "--smoke-test"], work / "start-frozen")
    # A typical start: the data folder exists and today's backup is made (first runs below),
    # and every bytecode cache is written.
    for argv, data in programs.values():
        timed(argv, data)
    times: dict[str, list[float]] = {name: [] for name in programs}
    names = list(programs)
    for rep in range(reps):  # interleaved, in a rotating order: drift hits every side
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            argv, data = programs[name]
            times[name].append(timed(argv, data))
    b = statistics.median(times["bare"])
    a = statistics.median(times["venv"])
    rows = [
        (
            f"start-up: ptclock --smoke-test, compiled bytecode (median of {reps})",
            f"{a * 1000:.0f} ms",
            f"bare PySide6 window {b * 1000:.0f} ms → {a / b:.2f}×",
            "≤ 1.5×",
        )
    ]
    floor = statistics.median(times["floor"])
    rows.append(
        (
            f"start-up floor: ptclock's window in plain PySide6 + stdlib, no ptclock code "
            f"(median of {reps})",
            f"{floor * 1000:.0f} ms",
            f"bare PySide6 window {b * 1000:.0f} ms → {floor / b:.2f}×; "
            f"ptclock is {a / floor:.2f}× the floor",
            "(the design's floor)",
        )
    )
    if "frozen" in times:
        f = statistics.median(times["frozen"])
        rows.append(
            (
                f"start-up: frozen app --smoke-test (median of {reps})",
                f"{f * 1000:.0f} ms",
                f"bare PySide6 window {b * 1000:.0f} ms → {f / b:.2f}× (venv {f / a:.2f}×)",
                "≤ 1.5×",
            )
        )
    else:
        rows.append(
            ("start-up: frozen app", "not built", "python installer/build.py builds it", "≤ 1.5×")
        )
    return rows


def idle(seconds: float, reps: int, work: Path) -> list[Row]:
    """CPU over ``seconds`` of the bare one-second label and of ptclock's window (a timer
    running; nothing running), interleaved rep by rep in a rotating order, medians."""
    kinds = ["bare", "running", "nothing", "clocks"]
    results: dict[str, list[dict]] = {kind: [] for kind in kinds}  # type: ignore[type-arg]
    for rep in range(reps):
        for kind in kinds[rep % 4 :] + kinds[: rep % 4]:
            data = None if kind in ("bare", "clocks") else work / f"idle-{kind}-{rep}"
            results[kind].append(child([sys.executable, PROBES, "idle", kind, str(seconds)], data))

    def cpu(kind: str) -> float:
        return statistics.median(result["cpu"] for result in results[kind])

    def ticks(kind: str) -> str:
        counted = statistics.median(result["ticks"] for result in results[kind])
        return f"{counted:.0f} ticks" if counted >= 0 else "ticks not counted"

    bare = cpu("bare")
    rows = []
    for kind, what, target in (
        ("running", "one timer running", "≤ 1.5×"),
        ("nothing", "nothing running", "≤ 1.5× (one look a second for other processes' changes)"),
        (
            "clocks",
            "floor: the start-up floor's window, its 3 clocks moving + the 3 looks",
            "(the design's floor)",
        ),
    ):
        ratio = cpu(kind) / bare if bare else float("inf")
        rows.append(
            (
                f"idle CPU over {seconds:.0f} s, {what} (median of {reps})",
                f"{cpu(kind) * 1000:.1f} ms CPU, {ticks(kind)}",
                f"bare 1 s QTimer label {bare * 1000:.1f} ms → {ratio:.2f}×",
                target,
            )
        )
    return rows


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


def open_and_today(store_path: Path, check: bool = True) -> tuple[float, float]:
    """Seconds to open the store and compute today's view; and the quick_check alone."""

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
    if not check:
        keeper.store.close()
        return seconds, 0.0
    began = time.perf_counter()
    keeper.store.connection.execute("PRAGMA quick_check").fetchall()
    checked = time.perf_counter() - began
    keeper.store.close()
    return seconds, checked


def encryption(work: Path, scale: float, reps: int, events: int) -> list[Row]:
    """The same history plain and encrypted (SQLCipher, the key from a keyring): the store
    opened with today's view, and committed events, measured alternately, medians and p99.

    The keyring here is the tests' file keyring (keyrings.alt, from the test extra) in the
    run's own folder: what an open costs beyond it is SQLCipher's; a system keyring's own
    lookup (a D-Bus call, the Keychain) is not measured here.
    """
    from ptclock.store import keys
    from ptclock.store.cipher import copy_database
    from ptclock.store.opening import connect_read_only

    plain = work / "plain" / "ptclock.sqlite3"
    encrypted = work / "encrypted" / "ptclock.sqlite3"
    plain.parent.mkdir()
    encrypted.parent.mkdir()
    made = generate(plain, scale)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    os.environ["XDG_DATA_HOME"] = str(work / "keyring")
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    keyring.set_keyring(PlaintextKeyring())
    began = time.perf_counter()
    lookup = time.perf_counter()
    key = keys.installation_key(create=True)
    lookup = time.perf_counter() - lookup
    source = connect_read_only(plain, None)
    copy_database(source, None, encrypted, key)
    source.close()
    converted = time.perf_counter() - began
    first: dict[Path, float] = {}
    for path in (plain, encrypted):
        began_first = time.perf_counter()
        open_and_today(path, check=False)  # the day's first start: backup and quick_check
        first[path] = time.perf_counter() - began_first
    opened: dict[Path, list[float]] = {plain: [], encrypted: []}
    for rep in range(reps):
        for path in (plain, encrypted) if rep % 2 == 0 else (encrypted, plain):
            opened[path].append(open_and_today(path, check=False)[0])
    events_of = {plain: event_times(plain, events), encrypted: event_times(encrypted, events)}
    # Again, in the other order: whatever the disk cache favours, it favours both.
    for path in (encrypted, plain):
        events_of[path] += event_times(path, events)
    o_plain, o_enc = statistics.median(opened[plain]), statistics.median(opened[encrypted])
    p99_plain = percentile(events_of[plain], 0.99)
    p99_enc = percentile(events_of[encrypted], 0.99)
    p50_plain = percentile(events_of[plain], 0.5)
    p50_enc = percentile(events_of[encrypted], 0.5)
    history = f"{made['visits']:,} visits, {made['bytes'] / 2**20:.0f} MB"
    return [
        (
            f"encrypted store: open + today's view, {history} (median of {reps})",
            f"{o_enc * 1000:.1f} ms",
            f"plain {o_plain * 1000:.1f} ms → {o_enc / o_plain:.2f}×",
            "≤ 1.3×",
        ),
        (
            f"encrypted store: event commit (start/switch/stop, synchronous=FULL), "
            f"{len(events_of[encrypted])} events each",
            f"p50 {p50_enc * 1000:.2f} ms, p99 {p99_enc * 1000:.2f} ms",
            f"plain p50 {p50_plain * 1000:.2f} ms, p99 {p99_plain * 1000:.2f} ms → "
            f"p99 {p99_enc / p99_plain:.2f}×",
            "p99 ≤ 1.3×",
        ),
        (
            "encrypted store: the day's first open (integrity scan, daily backup, today's view)",
            f"{first[encrypted] * 1000:.0f} ms",
            f"plain {first[plain] * 1000:.0f} ms → {first[encrypted] / first[plain]:.2f}×",
            "(once a day)",
        ),
        (
            "encrypted store: first key lookup (file keyring, keyring imported) / "
            "converting the history",
            f"{lookup * 1000:.0f} ms / {converted:.1f} s",
            "",
            "",
        ),
    ]


def event_times(store_path: Path, events: int) -> list[float]:
    """Seconds per committed event (start, switch, stop in turn) on ``store_path``."""
    from ptclock.billing import load_catalog
    from ptclock.settings import Settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import SystemClock

    keeper = Timekeeper(open_store(store_path), SystemClock(), load_catalog(), Settings())
    keeper.new_visit("Latency patient")
    times = []
    for number in range(events):
        for action in (lambda: keeper.start("97110"), lambda: keeper.start("97140"), keeper.stop):
            began = time.perf_counter()
            action()
            times.append(time.perf_counter() - began)
        if number % 50 == 49:
            keeper.end()
            keeper.new_visit("Latency patient")
    keeper.store.close()
    return times


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


def charges(work: Path) -> list[Row]:
    """A 30-visit day's charges (issue 18) in each format, against building the same day's
    claims alone (what every format is written from), in the same run."""
    from ptclock.billing import load_catalog
    from ptclock.charges.sending import send_day_charges
    from ptclock.claim_desk import claims_on
    from ptclock.settings import Settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import FakeClock
    from ptclock.timing.records import Payer

    settings = Settings(provider="Jordan Lee", credentials="PT", npi="1234567893")
    rows: list[Row] = []
    baseline = 0.0
    for fmt in ("csv", "hl7", "fhir"):
        clock = FakeClock(datetime(2026, 11, 27, 12, tzinfo=timezone.utc))
        store = open_store(work / f"charges-{fmt}.sqlite3")
        keeper = Timekeeper(store, clock, load_catalog(), settings)
        for number in range(30):
            keeper.new_visit(f"Patient {number:02d}", Payer.MEDICARE, mrn=f"M{number:04d}")
            for code in ("97110", "97140", "97530"):
                keeper.start(code)
                clock.advance(minutes=9)
            keeper.end()
        day = clock.now().astimezone(clock.zone()).date()
        claimed = []
        for _ in range(3):
            began = time.perf_counter()
            claims_on(keeper, day)
            claimed.append(time.perf_counter() - began)
        baseline = min(claimed)
        began = time.perf_counter()
        sent = send_day_charges(keeper, day, fmt, work / f"charges.{fmt}")
        took = time.perf_counter() - began
        size = (work / f"charges.{fmt}").stat().st_size
        store.close()
        rows.append(
            (
                f"charges: 30-visit day as {fmt.upper()} ({sent.charges} lines, {size:,} bytes)",
                f"{took * 1000:.0f} ms",
                f"{took / baseline:.1f}× the day's claims alone ({baseline * 1000:.0f} ms)",
                "",
            )
        )
    return rows


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


def freeze() -> None:
    """The frozen app, as ``installer/build.py`` builds it (without packaging it)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.path.insert(0, 'installer'); import build; "
            "build.make_icons(); build.smoke_test(build.executable(build.freeze()), 'frozen app')",
        ],
        cwd=ROOT,
        env=user_environment(),
        check=False,
    )
    if done.returncode != 0:
        print("  the frozen app was not built; its row says so", flush=True)


def pyside_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("PySide6-Essentials")
    except metadata.PackageNotFoundError:
        return metadata.version("PySide6")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="comma list: startup,idle,history,encryption,reports,charges,ncci,clinic",
    )
    parser.add_argument(
        "--freeze", action="store_true", help="build the frozen app first (PyInstaller)"
    )
    args = parser.parse_args()
    wanted = (
        set(args.only.split(","))
        if args.only
        else {"startup", "idle", "history", "encryption", "reports", "charges", "ncci", "clinic"}
    )
    idle_seconds = 10.0 if args.quick else 30.0
    scales = [0.1, 1.0] if args.quick else [1.0, 10.0]
    rows: list[Row] = []
    how = "bytecode as found"
    if args.freeze and "startup" in wanted:
        print("freezing (installer/build.py)…", flush=True)
        freeze()
    with tempfile.TemporaryDirectory(prefix="ptclock-bench-") as folder:
        work = Path(folder)
        if "startup" in wanted:
            print("startup…", flush=True)
            how = compile_bytecode()
            rows += startup(11 if args.quick else 21, work)
        if "idle" in wanted:
            print("idle…", flush=True)
            rows += idle(idle_seconds, 3 if args.quick else 5, work)
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
        if "encryption" in wanted:
            print("encryption…", flush=True)
            rows += encryption(
                work,
                0.1 if args.quick else 1.0,
                11 if args.quick else 21,
                100 if args.quick else 300,
            )
        if "reports" in wanted:
            print("reports…", flush=True)
            rows += reports(work)
        if "charges" in wanted:
            print("charges…", flush=True)
            rows += charges(work)
        if "ncci" in wanted:
            print("NCCI import…", flush=True)
            rows += ncci(work, 200_000 if args.quick else 1_000_000)
        if "clinic" in wanted:
            print("clinic (a real PostgreSQL on loopback)…", flush=True)
            from benchmarks.clinic import clinic

            rows += clinic(work, args.quick)
    print()
    print(
        f"ptclock benchmarks — {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PySide6 {pyside_version()}, "
        f"{datetime.now():%Y-%m-%d %H:%M}; {how}"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("what", "figure", "against (same run)", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, *rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
