"""Opening the window: ``ptclock``, ``ptclock --demo`` and ``ptclock --smoke-test``.

What only the demo, a real session or a missing file needs (tempfile, shutil, signal,
importlib.resources) is imported where it is used: start-up pays for the window, not for
every way it could open (issue 15).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ptclock import paths

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from ptclock.clinic.background import BackgroundSync
    from ptclock.timekeeper import Timekeeper
    from ptclock.ui.controller import SessionController
    from ptclock.ui.main_window import MainWindow


def missing_display_library() -> str | None:
    """On Linux with X11, one line naming the libraries Qt's xcb plugin cannot load.

    Qt's own message is a wall of text ending in "Aborted"; this says it in one line, with the
    libraries the plugin's linker actually misses (ptclock.desktop_libraries) and the packages.
    """
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and (os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY")):
        return None
    from ptclock import desktop_libraries  # only on X11: it runs ldd

    missing = desktop_libraries.missing_libraries()
    return desktop_libraries.install_hint(missing) if missing else None


def no_display() -> bool:
    """On Linux with no display and no platform chosen, Qt would abort with a wall of text."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


ICON = Path(__file__).parent / "resources" / "icons" / "ptclock.svg"
"""The icon beside this module: in a checkout, a wheel and the frozen app alike."""


def icon_path() -> Path:
    if ICON.is_file():
        return ICON
    from importlib import resources  # an unusual install (a zip): ask the package

    return Path(str(resources.files("ptclock.resources").joinpath("icons/ptclock.svg")))


def make_demo_data() -> Path:
    """A throw-away data folder with a visit in progress, for first looks and screenshots."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ptclock-demo-"))
    try:
        _fill_demo(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a demo that failed leaves nothing either
        raise
    return folder


def _fill_demo(folder: Path) -> None:
    from ptclock.billing import load_catalog
    from ptclock.settings import Settings, save_settings
    from ptclock.store import open_store
    from ptclock.timekeeper import Timekeeper
    from ptclock.timing.clock import FakeClock, SystemClock, zone_name
    from ptclock.timing.records import Payer

    paths.use_data_dir(folder / "data")
    os.environ[paths.CONFIG_ENV] = str(folder / "config")
    settings = Settings(
        provider="Jordan Lee",
        credentials="PT, DPT",
        npi="1234567893",
        clinic_name="Riverside Physical Therapy",
        clinic_address="12 Mill Street, Springfield",
    )
    save_settings(settings)
    real = SystemClock()
    clock = FakeClock(real.now() - timedelta(minutes=31), zone=_iana_or_utc(zone_name(real.zone())))
    keeper = Timekeeper(open_store(), clock, load_catalog(), settings)
    keeper.new_visit("Demo Patient", Payer.MEDICARE)
    keeper.start("97110")
    clock.advance(minutes=14, seconds=20)
    keeper.set_code_note(
        "97110", body_part="left knee", exercises="SLR 3×10, 2 lb", goal="climb stairs at home"
    )
    keeper.start("97140")
    clock.advance(minutes=9, seconds=5)
    keeper.start("97530")
    keeper.store.close()


def _iana_or_utc(name: str) -> str:
    """The demo's fake clock needs an IANA zone; a bare UTC offset falls back to UTC."""
    return name if "/" in name else "UTC"


def run_window(demo: bool = False, smoke_test: bool = False) -> int:
    """Open the window; returns the exit status."""
    if no_display():
        print(
            "ptclock: no display here (DISPLAY is not set): open ptclock on a desktop, or use "
            "the command line (ptclock --help)",
            file=sys.stderr,
        )
        return 1
    hint = missing_display_library()
    if hint is not None:
        print(hint, file=sys.stderr)
        return 1

    _import_logic_first()
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("ptclock")
    app.setDesktopFileName("org.ptclock.ptclock")
    icon = QIcon(str(icon_path()))
    app.setWindowIcon(icon)
    demo_folder: list[Path] = []
    try:
        if demo:
            demo_folder.append(make_demo_data())
        return _open_window(app, icon, smoke_test)
    finally:
        if demo_folder:
            import shutil

            for folder in demo_folder:
                shutil.rmtree(folder, ignore_errors=True)  # the demo leaves nothing behind


def _import_logic_first() -> None:
    """The window's pure logic (the store, billing, the Timekeeper), imported before PySide6:
    a module imported after PySide6 is checked by it (it reads the module's source, looking
    for ``from __feature__``); before, it is spared, about 6 ms of start-up (issue 15)."""
    import ptclock.assembly
    import ptclock.timekeeper  # noqa: F401


PASSPHRASE_TRIES = 3


def _say_nothing(_text: str) -> None:
    """The smoke test asks no passphrase, so it has nothing to say about one."""


def open_keeper(tell: Callable[[str], None], tries: int = PASSPHRASE_TRIES) -> Timekeeper:
    """The window's Timekeeper; a passphrase that does not open the data is said (``tell``)
    and asked for again, ``tries`` times in all, before the last refusal is raised."""
    from ptclock import assembly
    from ptclock.store.keys import WrongPassphrase

    for _ in range(tries - 1):
        try:
            return assembly.timekeeper(create=True)
        except WrongPassphrase as error:
            said = str(error)
            tell(f"{said[:1].upper()}{said[1:]}. Type it again.")
    return assembly.timekeeper(create=True)


def _open_window(app: QApplication, icon: QIcon, smoke_test: bool) -> int:
    from PySide6.QtWidgets import QMessageBox

    from ptclock.assembly import DataFileError
    from ptclock.billing import CatalogError
    from ptclock.store import StoreError, WindowAlreadyOpen
    from ptclock.store.window_lock import WindowLock
    from ptclock.ui.controller import SessionController
    from ptclock.ui.main_window import MainWindow

    lock = WindowLock(paths.window_lock_file())
    try:
        lock.acquire()
    except WindowAlreadyOpen as error:
        if not smoke_test:
            from ptclock.ui.window_door import ask_to_come_forward

            if ask_to_come_forward(paths.window_socket_file()):
                print(
                    f"ptclock: already open on {lock.path.parent}; brought its window to the front"
                )
                return 0
        # No answer (a window still starting, or not responding): never a second window.
        print(f"ptclock: {error}", file=sys.stderr)
        return 0
    tell: Callable[[str], None] = _say_nothing
    if not smoke_test:  # where there is no keyring, the passphrase is asked in a dialog
        from ptclock.store import keys
        from ptclock.ui import passphrase_dialog

        keys.ask_passphrases_with(
            lambda new: passphrase_dialog.ask(new, keys.CHOOSING_WORDS, keys.check_passphrase)
        )
        tell = passphrase_dialog.told
    try:
        keeper = open_keeper(tell)
    except (DataFileError, StoreError, CatalogError, OSError) as error:
        message = str(error)
        print(f"ptclock: {message}", file=sys.stderr)
        if not smoke_test:
            QMessageBox.critical(None, "ptclock cannot open its data", message)
        lock.release()
        return 1
    controller = SessionController(keeper)
    window = MainWindow(controller, icon, first_run_question=not smoke_test)
    window.show()
    from ptclock.ui.window_door import WindowDoor

    # While this window holds the lock, a second launch asks it to come forward.
    door = WindowDoor(paths.window_socket_file(), lambda: come_forward(window))
    door.open()
    if smoke_test:
        app.processEvents()
        keeper.store.open_visits()  # the database answers a read, or this raises why
        shown = window.isVisible()
        window.ticker.stop()
        door.close()
        keeper.store.close()
        lock.release()
        if not shown:
            print("ptclock: smoke test failed: the window did not show", file=sys.stderr)
            return 1
        encrypted = "encrypted" if keeper.store.encrypted else "not encrypted"
        print(f"ptclock smoke test: ok ({app.platformName()}; patient data {encrypted})")
        return 0
    import signal

    stop_clinic_sync = _clinic_sync(controller, window)
    app.setQuitOnLastWindowClosed(True)
    # SIGTERM (a logout, a shutdown, `kill`) ends the window as a close does, without a
    # question: typing saved, the database closed cleanly. Python runs the handler at the
    # next tick (≤ 1 s).
    app.aboutToQuit.connect(window.save_documentation)

    def end(_signal: int, _frame: object) -> None:
        window.end_session()
        app.quit()  # also when the window was hidden in the tray

    previous = signal.signal(signal.SIGTERM, end)
    try:
        status = app.exec()
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_clinic_sync()
    door.close()
    keeper.store.close()
    lock.release()
    return int(status)


def _clinic_sync(controller: SessionController, window: MainWindow) -> Callable[[], None]:
    """On a workstation of a clinic: the sync in its own thread, sending at once what the
    window writes, its news shown in the window (``ptclock.clinic``). A computer that joins
    while the window is open (``ptclock clinic join``) starts it then. Returns what stops it."""
    running: list[BackgroundSync] = []

    def start_if_joined() -> None:
        if running or not controller.clinic_joined():
            return
        from ptclock import assembly
        from ptclock.clinic.background import BackgroundSync

        window.show_clinic_view()
        sync = BackgroundSync(assembly.timekeeper, window.clinic_news.emit)
        controller.written.connect(sync.nudge)
        controller.background_quiet = sync.quiet
        sync.start()
        running.append(sync)

    start_if_joined()
    controller.changed.connect(start_if_joined)

    def stop() -> None:
        for sync in running:
            sync.stop()

    return stop


def come_forward(window: MainWindow) -> None:
    """Answer a second launch, which means "show me ptclock": the full window, raised and focused.

    From the tray, the taskbar (minimized) or compact mode alike: the strip gives way to it.
    """
    from PySide6.QtCore import Qt

    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    if window.compact.isVisible():
        window.leave_compact()
    else:
        window.bring_back()
