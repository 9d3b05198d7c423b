"""The app as a process: smoke test, demo, one window per data folder, restarts and kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptclock import app
from ptclock.store import open_store
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.code_tile import RUNNING_MARK
from tests.conftest import ENCRYPTED_RUN
from tests.helpers import keeper
from tests.ui.conftest import WindowMaker

ROOT = Path(__file__).parents[2]


def environment(data: Path) -> dict[str, str]:
    return dict(
        os.environ, PTCLOCK_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT)
    )


def open_window(data: Path) -> subprocess.Popen[str]:
    """A real ``ptclock`` window process, once it holds its data folder's lock."""
    window = subprocess.Popen(
        [sys.executable, "-m", "ptclock"],
        env=environment(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_lock(data / "window.lock", window.pid)
    return window


def ptclock(*argv: str, data: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ptclock", *argv],
        env=environment(data),
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )  # type: ignore[call-overload]


def test_smoke_test_on_a_fresh_data_folder(tmp_path: Path) -> None:
    done = ptclock("--smoke-test", data=tmp_path / "data")
    assert done.returncode == 0, done.stderr
    encrypted = "encrypted" if ENCRYPTED_RUN else "not encrypted"
    assert done.stdout.strip() == f"ptclock smoke test: ok (offscreen; patient data {encrypted})"
    assert (tmp_path / "data" / "ptclock.sqlite3").exists()


def test_smoke_test_fails_with_the_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ptclock.sqlite3").write_bytes(b"garbage")
    done = ptclock("--smoke-test", data=data)
    assert done.returncode == 1
    assert "is not a ptclock database" in done.stderr


def test_demo_opens_a_visit_in_progress(tmp_path: Path) -> None:
    done = ptclock("--demo", "--smoke-test", data=tmp_path / "untouched")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "untouched").exists()  # the demo never touches real data


def test_make_demo_data_has_a_running_visit(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = app.make_demo_data()
    store = open_store(folder / "data" / "ptclock.sqlite3")
    (visit,) = store.open_visits()
    assert visit.patient == "Demo Patient"
    assert [s.code for s in store.running_segments()] == ["97530"]


def test_missing_display_library_is_asked_only_on_x11(monkeypatch: pytest.MonkeyPatch) -> None:
    # The linker side (a library really hidden from ldd) is tests/test_desktop_libraries.py.
    from ptclock import desktop_libraries

    missing = [desktop_libraries.MissingLibrary("libxcb-cursor.so.0", "libxcb-cursor0")]
    monkeypatch.setattr(desktop_libraries, "missing_libraries", lambda: missing)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert app.missing_display_library() == (
        "ptclock: the window needs system libraries that are missing: libxcb-cursor.so.0 "
        "(install them with: sudo apt install libxcb-cursor0)"
    )
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.missing_display_library() is None
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert app.missing_display_library() is None
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert app.missing_display_library() is None
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(desktop_libraries, "missing_libraries", list)
    assert app.missing_display_library() is None


def test_restart_restores_the_running_timer(
    make_window: WindowMaker, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    first = make_window(path=path)
    first.controller.start_visit("Ada", Payer.MEDICARE)
    first.controller.toggle("97110")
    first.close()
    first.controller.keeper.store.close()
    clock.advance(minutes=9)
    second = make_window(keeper(clock, store=open_store(path)))
    assert second.header.patient_label.text() == "Ada"
    assert second.tiles["97110"].state_label.text() == RUNNING_MARK
    assert second.tiles["97110"].time_label.text() == "9:00"
    assert second.ticker.isActive()


def test_changes_from_another_process_show_on_the_next_tick(
    make_window: WindowMaker, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    window = make_window(path=path)
    other = keeper(clock, store=open_store(path))  # ptclock timer … from a script
    visit = other.new_visit("Grace")
    other.start("97116", visit)
    window.tick()  # the file watcher or the running tick calls this within a second
    assert window.header.patient_label.text() == "Grace"
    assert window.tiles["97116"].state_label.text() == RUNNING_MARK
    other.stop(None, visit)
    window.tick()
    assert window.tiles["97116"].state_label.text() != RUNNING_MARK


def test_one_window_per_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = open_window(data)
    try:
        second = ptclock(data=data)
        assert second.returncode == 0
        # Brought forward (stdout) or, if its door is not open yet, told to use it (stderr).
        assert "already open" in second.stdout + second.stderr
        assert first.poll() is None
    finally:
        first.kill()
        first.communicate()


def wait_for_lock(lock: Path, pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(pid):
            return
        time.sleep(0.05)
    raise AssertionError("the window never took its lock")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_the_window_while_a_timer_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert ptclock("visit", "new", "--patient", "Ada", data=data).returncode == 0
    assert ptclock("timer", "start", "97110", data=data).returncode == 0
    started = json.loads(ptclock("visit", "show", "--json", data=data).stdout)
    window = open_window(data)
    try:
        # While the window holds the database open, the CLI switches codes.
        assert ptclock("timer", "start", "97140", data=data).returncode == 0
        window.send_signal(signal.SIGKILL)
    finally:
        window.communicate()
    assert ptclock("--smoke-test", data=data).returncode == 0  # the lock went with the process
    after = json.loads(ptclock("visit", "show", "--json", data=data).stdout)
    lines = {line["code"]: line for line in after["lines"]}
    assert lines["97140"]["running"] is True
    assert lines["97110"]["running"] is False
    assert lines["97110"]["blocks"][0]["start"] == started["lines"][0]["running_since"]
    store = open_store(data / "ptclock.sqlite3")
    assert store.integrity() == ["ok"]
    assert [e.action for e in store.audit_trail()][:4] == [
        "visit_new",
        "timer_start",
        "timer_stop",
        "timer_start",
    ]


def test_settings_dialog_refuses_a_bad_npi(make_window: WindowMaker, qtbot: QtBot) -> None:
    window = make_window()
    dialog = window.settings_dialog()
    dialog.npi.setText("1234567890")
    dialog._accept_if_valid()
    assert dialog.problem.text() == "NPI: 1234567890 is not a valid 10-digit NPI"
    dialog.npi.setText("1234567893")
    dialog.favourites.setText("97530 97110 9999x")
    dialog._accept_if_valid()
    assert "9999X" in dialog.problem.text().upper()
    dialog.favourites.setText("97530, 97110")
    assert not dialog.sound_cues.isChecked()
    dialog.sound_cues.setChecked(True)
    dialog._accept_if_valid()
    assert dialog.result_settings is not None
    assert dialog.result_settings.favourites == ("97530", "97110")
    assert dialog.result_settings.sound_cues
    window.controller.apply_settings(dialog.result_settings)
    assert list(window.tiles)[:2] == ["97530", "97110"]
    assert window.controller.settings.sound_cues


def test_the_database_watcher_wakes_an_idle_window(
    make_window: WindowMaker, clock: FakeClock, tmp_path: Path, qtbot: QtBot
) -> None:
    path = tmp_path / "ptclock.sqlite3"
    window = make_window(path=path)
    window.ticker.stop()  # no tick here: the file watcher must notice the other's commit
    other = keeper(clock, store=open_store(path))
    other.start("97112", other.new_visit("Grace"))
    qtbot.waitUntil(lambda: window.tiles["97112"].state_label.text() == RUNNING_MARK, timeout=5000)


def test_settings_dialog_sets_this_years_kx_threshold(make_window: WindowMaker) -> None:
    from decimal import Decimal

    window = make_window()
    dialog = window.settings_dialog()
    dialog.kx_threshold.setText("abc")
    dialog._accept_if_valid()
    assert dialog.problem.text() == "KX threshold: abc is not an amount"
    dialog.kx_threshold.setText("$2,500.00")
    dialog._accept_if_valid()
    assert dialog.result_settings is not None
    assert dialog.result_settings.kx_thresholds[dialog.kx_year] == Decimal("2500.00")


def test_settings_dialog_names_who_sends_and_receives_the_charges(
    make_window: WindowMaker,
) -> None:
    from ptclock.charges.batch import Sender
    from ptclock.charges.sending import _sender
    from ptclock.settings import settings_from_dict, settings_to_dict

    window = make_window()
    dialog = window.settings_dialog()
    dialog.mrn_system.setText("the EMR's numbers")
    dialog._accept_if_valid()
    assert dialog.problem.text().startswith("MRN identifier system: the EMR's numbers is not a URI")
    assert dialog.result_settings is None
    dialog.mrn_system.setText("urn:oid:2.16.840.1.113883.19.5")
    dialog.sending_application.setText("PTCLOCK-GYM")
    dialog.receiving_application.setText("ATHENA")
    dialog.receiving_facility.setText("RIVERSIDE")
    dialog._accept_if_valid()
    chosen = dialog.result_settings
    assert chosen is not None
    assert settings_from_dict(settings_to_dict(chosen)) == chosen
    assert _sender(chosen.changed(clinic_name="Riverside PT")) == Sender(
        "PTCLOCK-GYM", "Riverside PT", "ATHENA", "RIVERSIDE", "urn:oid:2.16.840.1.113883.19.5"
    )


def test_no_display_is_one_line(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    environment |= {"PTCLOCK_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "ptclock"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "ptclock: no display here (DISPLAY is not set): open ptclock on a desktop, or use the "
        "command line (ptclock --help)"
    )
