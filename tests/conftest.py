"""Test setup shared by every test: offscreen Qt, user folders and the temporary folder
redirected to tmp, and what keeps the parallel run (pytest-xdist) quick."""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must not look for a display: tests set their own platform, callers need not.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Bytecode caches, as benchmarks/run_all.py keeps them: the suite starts about a hundred
# Python processes (its parallel workers, the CLI, windows, crash children), and under a
# shell's PYTHONDONTWRITEBYTECODE=1 each would compile ptclock, and each worker the tests,
# from source again (4 to 5 s of a 30 s run here). The caches are __pycache__ folders, which
# git ignores.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


@pytest.fixture(autouse=True)
def own_temp_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test, and every process it starts, gets its own temporary folder.

    The suite runs in parallel (pytest-xdist): without this, tests in other workers share the
    system's one, where ptclock makes its demo folders and, for a data folder whose path is
    too long for a Unix socket, its window's door. Short (in the system's temporary folder,
    not under tmp_path), so a socket file's path in it stays within the Unix limit.
    """
    tmp_path_factory.getbasetemp()  # pytest's own folder first, in the system's temp folder
    folder = Path(tempfile.mkdtemp(prefix="ptclock-test-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(folder))  # child processes, and Qt's QDir.tempPath()
        patch.setattr(tempfile, "tempdir", str(folder))  # tempfile's cached answer
        yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data and config folders; no test touches the real ones."""
    from ptclock import paths

    data = tmp_path / "data"
    config = tmp_path / "config"
    monkeypatch.setenv(paths.DATA_ENV, str(data))
    monkeypatch.setenv(paths.CONFIG_ENV, str(config))
    paths.use_data_dir(None)
    from ptclock.assembly import catalog

    catalog.cache_clear()
    yield tmp_path
    paths.use_data_dir(None)
    catalog.cache_clear()


# Tests of several seconds each (processes, a simulated day, page layout), started first: the
# parallel run's workers then fill in around them with the short ones instead of one worker
# finishing alone on a long test at the end. Only the order changes; a name here that no
# longer matches only loses its head start.
LONG_TESTS = (
    "tests/ui/test_soak.py::",
    "tests/ui/test_other_processes.py::test_a_real_ptclock_process_changes_an_idle_window",
    "tests/report/test_pdf.py::test_a_long_day_flows_over_pages_with_numbers",
    "tests/reliability/test_crash_torture.py::",
    "tests/reliability/test_bad_input.py::test_arbitrary_bytes_on_the_command_line",
    "tests/store/test_faults.py::test_first_commands_killed_at_random_leave_a_usable_folder",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONG_TESTS))  # stable: else as found


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (modules, test items, Qt's bindings) lives
    to the end: moved out of the garbage collector's sight, its full collections, which
    otherwise walk all of it again and again, take a fraction of the time (~1 s a worker)."""
    gc.collect()
    gc.freeze()
