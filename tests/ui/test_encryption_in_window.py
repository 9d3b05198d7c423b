"""The window and encryption (issue 16): a plain store is offered encryption once; Tools →
Encrypt patient data… does it with the window open and a timer running; without a keyring
the therapist is told the data is not encrypted; export dialogs say their file is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ptclock.settings import Settings, load_settings
from ptclock.store.driver import is_encrypted
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui.main_window import NO_KEYRING_WORDS, MainWindow
from ptclock.ui.report_actions import export_title
from tests.conftest import PLAIN_FILE_KEYRING, use_keyring
from tests.ui.conftest import WindowMaker

PROVIDER = Settings(provider="Jo Park", npi="1234567893")


def window_saving_settings(make_window: WindowMaker, tmp_path: Path) -> MainWindow:
    """A window that saves its settings, as ptclock's does; its start-up questions are
    asked by each test (``first_run``), not by a timer during the test's set-up."""
    window = make_window(path=tmp_path / "data" / "ptclock.sqlite3", settings=PROVIDER)
    window.save_to_disk = True
    return window


@pytest.fixture
def plain_window(
    keyring_off: None,
    make_window: WindowMaker,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> MainWindow:
    """A window on a plain store with a visit and a running timer; then a keyring."""
    window = window_saving_settings(make_window, tmp_path)
    window.controller.start_visit("Ada Lovelace", Payer.MEDICARE)
    window.controller.toggle("97110")
    use_keyring(PLAIN_FILE_KEYRING, tmp_path / "keyring", monkeypatch)
    return window


def test_the_window_offers_encryption_once(plain_window: MainWindow, clock: FakeClock) -> None:
    window = plain_window
    asked: list[bool] = []
    window.ask_encrypt = lambda with_passphrase=False: asked.append(True) or True  # type: ignore[method-assign]
    window.first_run()
    assert asked == [True]
    path = window.controller.database_path()
    assert path is not None and is_encrypted(path)
    assert "Patient data encrypted: ptclock.sqlite3." in window.banner.messages()[0]
    assert load_settings().encryption_offered
    # The timer kept running through it, and the window shows the visit as before.
    clock.advance(minutes=9)
    window.tick()
    assert window.header.patient_label.text() == "Ada Lovelace"
    assert window.now.time_text == "9:00"
    window.first_run()  # the next start: not asked again
    assert asked == [True]


def test_not_now_is_remembered_and_the_menu_does_it_later(plain_window: MainWindow) -> None:
    window = plain_window
    answers = iter([False, True])
    window.ask_encrypt = lambda with_passphrase=False: next(answers)  # type: ignore[method-assign]
    window.first_run()
    path = window.controller.database_path()
    assert path is not None and not is_encrypted(path)
    assert "Tools → Encrypt patient data… does it" in window.banner.messages()[0]
    tools = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    encrypt = next(a for a in tools.actions() if a.text() == "&Encrypt patient data…")
    encrypt.trigger()
    assert is_encrypted(path)


def test_without_a_keyring_declining_says_the_data_is_not_encrypted(
    keyring_off: None, make_window: WindowMaker, tmp_path: Path
) -> None:
    window = window_saving_settings(make_window, tmp_path)
    asked: list[bool] = []
    window.ask_encrypt = lambda with_passphrase=False: asked.append(with_passphrase) or False  # type: ignore[method-assign]
    window.first_run()
    assert asked == [True]  # offered, with a passphrase to choose
    assert window.banner.messages()[0] == NO_KEYRING_WORDS
    assert load_settings().encryption_offered  # said once, not at every start


def test_without_a_keyring_the_window_encrypts_with_a_chosen_passphrase(
    keyring_off: None, make_window: WindowMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ptclock.store import keys
    from ptclock.ui import passphrase_dialog

    window = window_saving_settings(make_window, tmp_path)
    window.controller.start_visit("Ada Lovelace", Payer.MEDICARE)
    chosen = "a tulip in the snow at noon"
    replies = iter([chosen, chosen])
    said: list[str] = []
    monkeypatch.setattr(passphrase_dialog, "typed", lambda _label: next(replies))
    monkeypatch.setattr(passphrase_dialog, "told", said.append)
    keys.ask_passphrases_with(  # as app.py does for the window
        lambda new: passphrase_dialog.ask(new, keys.CHOOSING_WORDS, keys.check_passphrase)
    )
    window.ask_encrypt = lambda with_passphrase=False: with_passphrase  # type: ignore[method-assign]
    window.first_run()
    path = window.controller.database_path()
    assert path is not None and is_encrypted(path)
    assert said == [keys.CHOOSING_WORDS]  # the one-time explanation, before choosing
    assert "stretched from your passphrase" in window.banner.messages()[0]
    assert window.header.patient_label.text() == "Ada Lovelace"


def test_an_encrypted_store_is_not_offered_anything(
    keyring_on: Path, make_window: WindowMaker, tmp_path: Path
) -> None:
    window = window_saving_settings(make_window, tmp_path)
    window.ask_encrypt = lambda with_passphrase=False: pytest.fail("nothing to ask")  # type: ignore[method-assign]
    window.first_run()
    window.encrypt_data()
    assert window.banner.messages()[0] == "The patient data here is encrypted already."


def test_the_export_dialog_says_the_file_is_not_encrypted(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    captions: list[str] = []

    def dialog(_parent: object, caption: str, *_rest: object) -> tuple[str, str]:
        captions.append(caption)
        return "", ""

    monkeypatch.setattr("ptclock.ui.report_actions.QFileDialog.getSaveFileName", dialog)
    window.controller.start_visit("Ada Lovelace", Payer.MEDICARE)
    window.reports.export_day(".csv")
    assert captions and captions[0].endswith("— the file will not be encrypted")
    assert export_title("Export visit PDF") == ("Export visit PDF — the file will not be encrypted")
