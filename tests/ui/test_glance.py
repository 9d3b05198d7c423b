"""Readable from across the room (issue 15): what a therapist sees at a glance, asserted as
words and font sizes, never pixels — the now band, the tiles' running cue the instant they are
pressed, a window that keeps its size, the ended visit, the unit cues and both themes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QBoxLayout, QStyleFactory, QWidget
from pytestqt.qtbot import QtBot

from ptclock.billing import Rule
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.ui import theme
from ptclock.ui.code_tile import RUNNING_MARK, STOPPED_MARK
from ptclock.ui.main_window import MainWindow
from ptclock.ui.now_panel import FLASH_MS, BandState, Cue
from ptclock.ui.start_visit_dialog import StartVisitDialog

LONG_NAME = "Maria-Fernanda Alejandra de los Ángeles Villanueva-Castellanos y Montenegro"


def start(window: MainWindow, name: str = "Ada Lovelace", payer: Payer = Payer.MEDICARE) -> None:
    """Start a visit through the window's own door (the Start visit button's dialog)."""

    def fill(dialog: StartVisitDialog) -> bool:
        dialog.name_edit.setText(name)
        dialog.payer_box.setCurrentIndex(dialog.payer_box.findData(payer.value))
        return True

    window.ask_visit = fill  # type: ignore[method-assign]
    window.new_visit()


def settle() -> None:
    """Let Qt lay out and paint what is pending, and what that posted in turn (no sleeping)."""
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


@pytest.fixture
def treating(window: MainWindow, clock: FakeClock) -> MainWindow:
    """30 minutes of 97110, then 97140 for 7:39: 37 timed minutes, 2 units, one more minute
    to the third."""
    start(window)
    window.controller.toggle("97110")
    clock.advance(minutes=30)
    window.controller.toggle("97140")
    clock.advance(minutes=7, seconds=39)
    window.tick()
    # The jump of 30 minutes won two units at once (a real day ticks through them): the
    # flash for it is over.
    window.now.end_flash()
    return window


def test_the_now_band_says_what_runs_how_long_and_the_units(treating: MainWindow) -> None:
    band = treating.now
    assert band.state is BandState.RUNNING
    assert band.state_text == "▶ RUNNING"
    assert (band.code_text, band.descriptor_text) == ("97140", "Manual therapy")
    assert band.time_text == "7:39"
    assert band.units_text == "2 units"
    assert band.next_text == "1 more timed minute for unit 3"
    assert band.cue is Cue.UNIT_NEAR  # one minute or less: highlighted
    assert band.texts() == [
        "▶ RUNNING",
        "97140",
        "Manual therapy",
        "7:39",
        "2 units",
        "1 more timed minute for unit 3",
    ]


def test_the_key_texts_are_big_enough_to_read_from_two_metres(treating: MainWindow) -> None:
    band, tile = treating.now, treating.tiles["97140"]
    assert theme.pixel_size(band.time_font) >= 40
    assert theme.pixel_size(band.units_font) >= 32
    assert theme.pixel_size(band.next_font) >= 24
    assert theme.pixel_size(tile.time_font) >= 28
    assert theme.pixel_size(tile.code_font) >= 20
    assert theme.pixel_size(treating.header.clock.time_font) >= 24
    assert theme.pixel_size(treating.header.state_badge.badge_font) >= 20


def test_nothing_running_paused_and_ended_are_said_in_words(
    window: MainWindow, clock: FakeClock
) -> None:
    band = window.now
    assert band.isHidden()  # no visit: the header's big Start visit button says it
    start(window)
    assert band.isVisible()
    assert band.state_text == "No timer running — tap a code to start"
    assert band.units_text == "0 units"
    window.controller.toggle("97110")
    clock.advance(minutes=9)
    window.tick()
    window.controller.pause_or_resume()
    assert band.state is BandState.PAUSED
    assert band.texts()[:5] == ["❚❚ PAUSED", "97110", "Therapeutic exercise", "9:00", "1 unit"]
    assert band.cue is Cue.NONE


def test_a_tile_shows_running_the_instant_it_is_pressed(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    start(window)
    tile = window.tiles["97530"]
    assert not tile.shows_running()
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton)
    # Held down, before the controller is asked: the running look is painted already.
    assert tile.isDown()
    assert tile.shows_running()
    assert tile.state_label.text() == RUNNING_MARK
    assert window.controller.keeper.store.running_segments() == []
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton)
    # Released on the tile: the controller started it, and the tile stays running (the
    # pointer still on it changes nothing).
    assert tile.shows_running() and tile.isChecked()
    assert tile.state_label.text() == RUNNING_MARK
    assert window.now.code_text == "97530"
    clock.advance(seconds=5)
    window.tick()
    assert tile.time_label.text() == "0:05"
    # Pressing the running tile shows what the click will do: stop.
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton)
    assert not tile.shows_running()
    assert tile.state_label.text() == STOPPED_MARK
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton)
    assert tile.state_label.text() == STOPPED_MARK and not tile.isChecked()


def test_a_press_dragged_off_the_tile_starts_nothing(window: MainWindow, qtbot: QtBot) -> None:
    start(window)
    tile = window.tiles["97110"]
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton)
    assert tile.shows_running()
    outside = QPoint(tile.width() + 40, tile.height() + 40)
    qtbot.mouseMove(tile, outside)
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton, pos=outside)
    assert not tile.shows_running()
    assert window.controller.keeper.store.running_segments() == []


def test_the_window_keeps_its_size(window: MainWindow, clock: FakeClock) -> None:
    window.resize(1366, 768)
    settle()
    start(window, LONG_NAME)
    settle()
    for code in ("97110", "97112", "97530", "97530"):
        window.controller.toggle(code)
        clock.advance(minutes=61, seconds=7)
        window.tick()
        settle()
        assert window.size().toTuple() == (1366, 768)
    window.controller.add_minutes("97140", 125, "documented on paper")
    settle()
    assert window.size().toTuple() == (1366, 768)
    header = window.header
    # The long name is elided, and the buttons stay whole inside the header.
    assert header.patient_label.text() == LONG_NAME
    assert header.patient_label.width() < header.patient_label.sizeHint().width()
    assert header.controls.geometry().right() < header.width()
    assert header.controls.width() >= header.controls.minimumSizeHint().width()


@pytest.mark.parametrize(
    ("size", "columns", "wide"), [((1366, 768), 5, True), ((960, 1040), 4, False)]
)
def test_the_tiles_fit_the_width_and_never_scroll_sideways(
    window: MainWindow, size: tuple[int, int], columns: int, wide: bool
) -> None:
    start(window, LONG_NAME)
    window.resize(*size)
    settle()
    assert window.size().toTuple() == size
    board = window.board
    assert board.columns == columns
    assert not board.horizontalScrollBar().isVisible()
    assert board.widget().width() <= board.viewport().width()
    for tile in window.tiles.values():
        assert tile.geometry().right() < board.viewport().width()
    # All ten tiles and the Add code button fit 1366×768 and half a 1920 screen unscrolled.
    assert not board.verticalScrollBar().isVisible()
    direction = window.body.direction()
    if wide:
        assert direction is QBoxLayout.Direction.LeftToRight  # details right of the tiles
    else:
        assert direction is QBoxLayout.Direction.TopToBottom  # details under them
    assert window.details.isVisible()
    assert window.now.width() <= window.width()


def test_columns_follow_the_width(window: MainWindow) -> None:
    start(window)
    widths = {}
    for width in (760, 960, 1100, 1366, 1920):
        window.resize(width, 900)
        settle()
        widths[width] = window.board.columns
    assert widths[760] < widths[960] <= widths[1100] <= widths[1366] < widths[1920]


def test_leaving_the_cms_rule_on_a_medicare_visit_is_asked(window: MainWindow) -> None:
    assert not hasattr(window.header, "rule_button")  # no longer one click beside Pause
    start(window)
    asked: list[tuple[str, Rule]] = []
    answer = False

    def confirm(patient: str, rule: Rule) -> bool:
        asked.append((patient, rule))
        return answer

    window.ask_rule_change = confirm  # type: ignore[method-assign]
    window.rule_action.trigger()
    assert asked == [("Ada Lovelace", Rule.AMA)]
    assert window.controller.tally().rule is Rule.CMS  # type: ignore[union-attr]
    answer = True
    window.rule_action.trigger()
    assert window.controller.tally().rule is Rule.AMA  # type: ignore[union-attr]
    assert window.header.details_label.text().startswith("Medicare · AMA per-code rule")
    # A commercial visit switches either way without a question.
    start(window, "Grace Hopper", Payer.COMMERCIAL)
    for _ in range(2):
        before = window.controller.tally().rule  # type: ignore[union-attr]
        window.rule_action.trigger()
        assert window.controller.tally().rule is not before  # type: ignore[union-attr]
    assert len(asked) == 2


def test_an_ended_visit_says_so_and_offers_the_next_one(
    window: MainWindow, qtbot: QtBot, clock: FakeClock
) -> None:
    start(window)
    window.controller.toggle("97110")
    clock.advance(minutes=20)
    window.tick()
    assert window.now.next_text == "3 more timed minutes for unit 2"
    window.ask_end_visit = lambda _patient, _units: True  # type: ignore[method-assign]
    window.end_visit()
    header, band = window.header, window.now
    assert header.state_badge.isVisible() and header.state_badge.text() == "■ ENDED"
    assert band.state is BandState.ENDED
    assert band.texts() == ["■ Visit ended", "1 unit"]
    assert band.next_text == ""  # no "more minutes for the next unit" on an ended visit
    assert window.totals.next_label.text() == ""
    assert header.controls.currentWidget() is header.next_button
    assert header.next_button.isVisible()
    assert header.next_button.text().startswith("Start next visit")
    asked: list[StartVisitDialog] = []

    def fill(dialog: StartVisitDialog) -> bool:
        asked.append(dialog)
        dialog.name_edit.setText("Grace Hopper")
        return True

    window.ask_visit = fill  # type: ignore[method-assign]
    qtbot.mouseClick(header.next_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    assert header.patient_label.text() == "Grace Hopper"
    assert header.controls.currentWidget() is not header.next_button
    assert not header.state_badge.isVisible()


def test_the_visit_clock_moves_while_nothing_runs(window: MainWindow, clock: FakeClock) -> None:
    start(window)
    assert window.header.clock.text() == "0:00:00"
    clock.advance(minutes=2, seconds=5)
    window.tick()
    assert window.controller.keeper.store.running_segments() == []
    assert window.header.clock.text() == "0:02:05"
    clock.advance(minutes=60)
    window.tick()
    assert window.header.clock.text() == "1:02:05"


def test_a_unit_won_flashes_for_two_seconds(window: MainWindow, clock: FakeClock) -> None:
    start(window)
    band = window.now
    sounded: list[Cue] = []
    band.sound_cue = sounded.append  # type: ignore[method-assign]
    window.controller.toggle("97110")
    clock.advance(minutes=7)
    window.tick()
    assert band.cue is Cue.UNIT_NEAR
    assert band.next_text == "1 more timed minute for unit 1"
    clock.advance(minutes=1)
    window.tick()
    assert band.cue is Cue.UNIT_WON
    assert band.flash_timer.isActive() and band.flash_timer.interval() == FLASH_MS == 2000
    assert "★ Unit 1 reached" in band.texts()
    assert band.units_text == "1 unit"
    assert sounded == [Cue.UNIT_NEAR, Cue.UNIT_WON]
    clock.advance(seconds=1)
    window.tick()
    assert band.cue is Cue.UNIT_WON  # still flashing: the same unit is not won twice
    band.end_flash()  # what the flash timer's timeout does
    assert band.cue is Cue.NONE
    assert not band.flash_timer.isActive()
    assert band.texts()[-1] == "15 more timed minutes for unit 2"


def test_no_flash_for_units_that_were_not_won_by_a_running_timer(
    window: MainWindow, clock: FakeClock
) -> None:
    start(window)
    window.controller.add_minutes("97110", 20, "treated before the visit was opened")
    assert window.now.units_text == "1 unit"
    assert window.now.cue is Cue.NONE
    window.controller.toggle("97110")
    clock.advance(minutes=2)
    window.tick()
    start(window, "Grace Hopper")  # another visit with fewer units: no cue either
    assert window.now.cue is Cue.NONE


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted: set[QWidget] = set()
        self.layouts = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            self.painted.add(watched)
        elif event.type() == QEvent.Type.LayoutRequest:
            self.layouts += 1
        return False


def test_a_second_repaints_only_the_band_the_running_tile_and_the_clock(
    treating: MainWindow, clock: FakeClock
) -> None:
    window = treating
    window.now.end_flash()
    clock.advance(seconds=1)
    window.tick()
    settle()
    counter = PaintCounter()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(counter)
    try:
        clock.advance(seconds=1)
        window.tick()
        settle()
    finally:
        app.removeEventFilter(counter)
    assert window.now.time_text == "7:41"
    expected = {window.now, window.tiles["97140"], window.header.clock}
    assert counter.painted == expected, [
        w.objectName() or type(w).__name__ for w in counter.painted
    ]
    assert counter.layouts == 0


def _fusion(palette: QPalette | None) -> QPalette:
    style = QStyleFactory.create("Fusion")
    assert style is not None
    return palette if palette is not None else style.standardPalette()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_strong_colours_keep_text_readable_in_both_themes(dark: bool) -> None:
    palette = _fusion(theme.dark_palette() if dark else None)
    colours = theme.theme_of(palette)
    assert colours.dark is dark
    pairs = {
        "running": (colours.running_text, colours.running_fill),
        "unit reached": (colours.won_text, colours.won_fill),
        "next unit close": (colours.near_text, colours.near_fill),
        "running mark on the tile": (colours.accent, colours.base),
        "secondary words": (colours.muted, colours.base),
        "text": (colours.text, colours.base),
    }
    for name, (ink, ground) in pairs.items():
        assert theme.contrast(ink, ground) >= 4.5, name


def test_the_window_follows_a_dark_palette(treating: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    app.setPalette(theme.dark_palette())  # as a dark desktop theme gives it
    try:
        settle()
        for widget in (treating.now, treating.tiles["97140"], treating.header.clock):
            assert theme.theme_of(widget.palette()).dark
            assert not widget.grab().isNull()  # paints in the dark theme without error
    finally:
        app.setPalette(light)
        settle()
    assert not theme.theme_of(treating.now.palette()).dark


def test_a_refusal_stays_in_the_banner_until_dismissed(
    treating: MainWindow, clock: FakeClock
) -> None:
    treating.controller.add_minutes("97110", -500, "typo")  # below zero: refused
    refusal = treating.banner.messages()[0]
    assert "below zero" in refusal
    for _ in range(30):  # half a minute of ticks: a problem does not fade
        clock.advance(seconds=1)
        treating.tick()
    assert treating.banner.shown()[0] == refusal
    treating.banner.rows()[0].dismiss_button.click()
    assert refusal not in treating.banner.messages()


def test_a_refusal_in_compact_mode_brings_the_full_window_back(treating: MainWindow) -> None:
    treating.show()
    treating.enter_compact()
    assert treating.compact.isVisible() and not treating.isVisible()
    treating.controller.add_minutes("97110", -500, "typo")
    assert treating.isVisible() and not treating.compact.isVisible()
    assert "below zero" in treating.banner.shown()[0]


def test_a_tick_paints_only_the_times_and_they_match_a_full_paint(treating: MainWindow) -> None:
    """The per-second repaint covers only the running times (band, tile and visit clock),
    and what it paints there is what a full paint of the widget shows."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QImage, QPainter, QRegion

    tile, clock = treating.tiles["97140"], treating.header.clock
    for widget, area in (
        (treating.now, treating.now._time_area),
        (tile, tile._time_box),
        (clock, clock._time_rect),
    ):
        assert area is not None
        assert area.width() * area.height() < widget.width() * widget.height()
        full = widget.grab().toImage().copy(area)
        part = QImage(area.size(), QImage.Format.Format_ARGB32_Premultiplied)
        part.fill(0)
        painter = QPainter(part)
        widget.render(painter, QPoint(0, 0), QRegion(area))
        painter.end()
        assert part.convertToFormat(full.format()) == full


def _what_time_moves(window: MainWindow) -> list[object]:
    """Every text on the window that moves with time: the clocks, the band, the tiles, the
    totals and the tray's tooltip."""
    tiles = [
        (code, tile.time_label.text(), tile.units_label.text())
        for code, tile in window.tiles.items()
    ]
    totals = [label.text() for label in window.totals._labels]
    return [
        window.header.clock.text(),
        window.now.texts(),
        tiles,
        totals,
        window.tray.tooltip,
    ]


def test_each_second_shows_what_a_full_redraw_shows(treating: MainWindow, clock: FakeClock) -> None:
    """Within a minute a tick redraws only the clocks; after every one of 150 one-second
    ticks (two codes running in turn, units won, the clock's minutes turning) the window
    says exactly what redrawing all of it says."""
    window = treating
    seconds_only = []
    window.controller.seconds_moved.connect(seconds_only.append)
    for second in range(150):
        if second == 70:
            window.controller.toggle("97110")
        clock.advance(seconds=1)
        window.tick()
        shown = _what_time_moves(window)
        window.redraw()
        assert _what_time_moves(window) == shown, f"after {second + 1} s"
    assert len(seconds_only) > 100  # most seconds took the short way
    # 30 minutes before, 80 s since it was started again; the tooltip keeps to minutes.
    assert window.tray.tooltip == "ptclock — ▶ 97110 31 minutes · visit 3 units"


@pytest.mark.parametrize("sound", [False, True], ids=["sound off", "sound on"])
def test_the_cues_beep_only_when_the_sound_cue_is_on(
    window: MainWindow, clock: FakeClock, sound: bool
) -> None:
    window.controller.keeper.settings = window.controller.settings.changed(sound_cues=sound)
    beeps: list[str] = []
    window.beep = lambda: beeps.append("beep")  # type: ignore[method-assign]
    start(window)
    window.controller.toggle("97110")
    for _ in range(8 * 60):  # a second at a time, as the day runs: near at 7 min, won at 8
        clock.advance(seconds=1)
        window.tick()
    assert window.now.units_text == "1 unit"
    assert beeps == (["beep", "beep"] if sound else [])
