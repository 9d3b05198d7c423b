"""The local zone read from /etc/localtime without tzlocal (issue 15: start-up) is tzlocal's.

``linked_zone`` answers only the usual Linux set-up and leaves everything else to tzlocal;
each set-up here is compared with what tzlocal reads from the same files.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ptclock.timing.clock import SystemClock, linked_zone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux set-ups")

tzlocal_unix = pytest.importorskip("tzlocal.unix")


def local_etc_zone() -> str:
    """An Etc/GMT±N zone whose offset is this machine's now (linked_zone checks it)."""
    hours, rest = divmod(time.localtime().tm_gmtoff, 3600)
    if rest:
        pytest.skip("this machine's offset is not whole hours")
    name = "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    if not Path("/usr/share/zoneinfo", name).is_file():
        pytest.skip("no system zone database")
    return name


def machine(root: Path, link: str | None, **files: str) -> Path:
    """A root folder with /etc/localtime linked to ``link`` and the other files given."""
    (root / "etc").mkdir(parents=True)
    if link is not None:
        (root / "etc" / "localtime").symlink_to(link)
    for name, text in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
    return root


def tzlocal_name(root: Path) -> str | None:
    name: str | None = tzlocal_unix._get_localzone_name(str(root))
    return name


@pytest.fixture(autouse=True)
def no_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TZ", raising=False)


def test_a_symlink_alone_is_read_as_tzlocal_reads_it(tmp_path: Path) -> None:
    name = local_etc_zone()
    root = machine(tmp_path, f"/usr/share/zoneinfo/{name}")
    zone = linked_zone(root)
    assert zone is not None
    assert getattr(zone, "key", None) == tzlocal_name(root)


def test_an_etc_timezone_naming_the_same_zone_agrees(tmp_path: Path) -> None:
    name = local_etc_zone()
    root = machine(tmp_path, f"/usr/share/zoneinfo/{name}", etc__timezone=f"{name}\n")
    zone = linked_zone(root)
    assert zone is not None
    assert getattr(zone, "key", None) == tzlocal_name(root)


@pytest.mark.parametrize(
    "files",
    [
        {"etc__timezone": "Antarctica/Troll\n"},  # conflicting: tzlocal's warning, its choice
        {"etc__timezone": "# a comment\n"},
        {"etc__conf.d__clock": 'TIMEZONE="Europe/Berlin"\n'},
        {"etc__sysconfig__clock": 'ZONE="Europe/Berlin"\n'},
        {"var__db__zoneinfo": "Europe/Berlin\n"},
    ],
)
def test_any_other_configuration_is_left_to_tzlocal(tmp_path: Path, files: dict[str, str]) -> None:
    root = machine(tmp_path, f"/usr/share/zoneinfo/{local_etc_zone()}", **files)
    assert linked_zone(root) is None


def test_no_symlink_a_dangling_one_or_a_tz_variable_is_left_to_tzlocal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = local_etc_zone()
    copied = machine(tmp_path / "copied", None)
    (copied / "etc" / "localtime").write_bytes(Path("/usr/share/zoneinfo", name).read_bytes())
    assert linked_zone(copied) is None
    assert linked_zone(machine(tmp_path / "dangling", str(tmp_path / "nowhere"))) is None
    linked = machine(tmp_path / "linked", f"/usr/share/zoneinfo/{name}")
    assert linked_zone(linked) is not None
    monkeypatch.setenv("TZ", name)
    assert linked_zone(linked) is None


def test_a_zone_whose_offset_is_not_the_systems_is_left_to_tzlocal(tmp_path: Path) -> None:
    """tzlocal warns of that misconfiguration; linked_zone does not answer for it."""
    offset = time.localtime().tm_gmtoff
    other = "Etc/GMT-3" if offset != 3 * 3600 else "Etc/GMT-4"
    assert linked_zone(machine(tmp_path, f"/usr/share/zoneinfo/{other}")) is None


def test_this_machines_zone_is_tzlocals() -> None:
    import tzlocal

    zone = linked_zone()
    assert zone is None or zone is tzlocal.get_localzone()
    now = datetime.now(timezone.utc)
    assert now.astimezone(SystemClock().zone()).utcoffset() == now.astimezone().utcoffset()
