"""Builders shared by the tests: a timekeeper on a fake clock."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ptclock.billing import load_catalog
from ptclock.settings import Settings
from ptclock.store import Store, open_memory_store, open_store
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock

CATALOG = load_catalog()
# 10:00 in New York on a Friday, a plain clinic morning.
MORNING = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


def keeper(
    clock: FakeClock | None = None,
    store: Store | None = None,
    settings: Settings | None = None,
    path: Path | None = None,
) -> Timekeeper:
    clock = clock or FakeClock(MORNING)
    if store is None:
        store = open_store(path) if path is not None else open_memory_store()
    return Timekeeper(store, clock, CATALOG, settings or Settings())


def seconds(tk: Timekeeper, code: str, visit_id: int | None = None) -> int:
    return tk.tally(visit_id).code(code).seconds


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the ``ptclock`` command in-process: (exit status, stdout, stderr)."""
    from ptclock.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must succeed silently on stderr; its stdout."""
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, ""), err
    return out


PROVIDER_SETUP = (
    "setup",
    "--provider",
    "Lee",
    "--credentials",
    "PT",
    "--npi",
    "1234567893",
    "--clinic",
    "Riverside",
)
"""A provider with a valid NPI: a PDF needs one (issue 13, defect 14)."""


def raw_connect(path: Path, **options: Any) -> Any:
    """A bare connection to a ptclock file, past the store (to scribble on it the way
    another program would): through SQLCipher's driver, with this installation's key when
    the file is encrypted (the encrypted run of the suite, ``PTCLOCK_TEST_KEYRING=1``)."""
    from ptclock.store import keys
    from ptclock.store.driver import is_encrypted, sqlite3
    from ptclock.store.opening import keyed

    key = keys.installation_key() if is_encrypted(path) else None
    return keyed(sqlite3.connect(path, **options), key)
