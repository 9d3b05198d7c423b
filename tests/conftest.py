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


ENCRYPTED_RUN = os.environ.get("PTCLOCK_TEST_KEYRING") == "1"
"""``PTCLOCK_TEST_KEYRING=1``: the whole suite again with a keyring, so every store the
tests make is encrypted (``.ci/run`` runs it both ways)."""

PLAIN_FILE_KEYRING = "keyrings.alt.file.PlaintextKeyring"
NO_KEYRING = "keyring.backends.fail.Keyring"


def use_keyring(backend_name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring ptclock finds, in this process and in every process the test starts:
    ``NO_KEYRING``, or the test keyring (a file in ``folder``, never the user's own)."""
    import importlib

    import keyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend_name)
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))  # where the test keyring keeps its file
    module, _, name = backend_name.rpartition(".")
    keyring.set_keyring(getattr(importlib.import_module(module), name)())


@pytest.fixture
def keyring_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A keyring for this test (a file under tmp_path standing in for the system's): new
    stores are encrypted. Returns the folder that holds it."""
    folder = tmp_path / "keyring"
    use_keyring(PLAIN_FILE_KEYRING, folder, monkeypatch)
    return folder


@pytest.fixture
def keyring_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No keyring for this test, even in the encrypted run: new stores are plain."""
    use_keyring(NO_KEYRING, tmp_path / "keyring", monkeypatch)


@pytest.fixture(autouse=True)
def user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data and config folders, and its own keyring (none, unless
    the run is the encrypted one); no test touches the real ones."""
    from ptclock import paths

    data = tmp_path / "data"
    config = tmp_path / "config"
    monkeypatch.setenv(paths.DATA_ENV, str(data))
    monkeypatch.setenv(paths.CONFIG_ENV, str(config))
    use_keyring(
        PLAIN_FILE_KEYRING if ENCRYPTED_RUN else NO_KEYRING, tmp_path / "keyring", monkeypatch
    )
    monkeypatch.delenv("PTCLOCK_PASSPHRASE", raising=False)
    paths.use_data_dir(None)
    from ptclock.assembly import catalog

    catalog.cache_clear()
    yield tmp_path
    paths.use_data_dir(None)
    catalog.cache_clear()
    from ptclock.store import keys

    keys.ask_passphrases_with(None)  # a passphrase typed in one test is not another's
    keys.forget_passphrases()


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
