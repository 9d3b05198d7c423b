"""Test setup shared by every test: offscreen Qt, and user folders redirected to tmp."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must not look for a display: tests set their own platform, callers need not.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
