"""The compact strip (issue 15), driven as a person would: what it says, which keys do what,
that nothing is clipped, that it never changes size, and that a tick asks for no layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ptclock.billing import Code
from ptclock.claim_desk import claim_for_visit_id
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.records import Payer
from ptclock.timing.tally import VisitTally
from ptclock.ui import theme
from ptclock.ui.code_tile import PAUSED_MARK, RUNNING_MARK, STOPPED_MARK
from ptclock.ui.compact_strip import ENDED_MARK, CompactStrip
from ptclock.ui.controller import SessionController
from tests.helpers import CATALOG, keeper

FAVOURITES = ("97110", "97112", "97116", "97140", "97530", "97535")


def favourites() -> list[Code]:
    return [CATALOG[code] for code in FAVOURITES]


@dataclass
class Heard:
    """Every signal the strip emitted, in order."""

    said: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _code in self.said]


def listen(strip: CompactStrip) -> Heard:
    heard = Heard()
    strip.pause_requested.connect(lambda: heard.said.append(("pause", "")))
    strip.stop_requested.connect(lambda: heard.said.append(("stop", "")))
    strip.expand_requested.connect(lambda: heard.said.append(("expand", "")))
    strip.switch_requested.connect(lambda code: heard.said.append(("switch", code)))
    strip.toggle_requested.connect(lambda code: heard.said.append(("toggle", code)))
    return heard


@pytest.fixture
def tk(clock: FakeClock) -> Timekeeper:
    return keeper(clock)


@pytest.fixture
def strip(qtbot: QtBot) -> Iterator[CompactStrip]:
    made = CompactStrip()
    qtbot.addWidget(made)
    made.show_codes(favourites())
    made.show()
    yield made
    made.close()


def running_visit(tk: Timekeeper, clock: FakeClock, patient: str = "Ada Lovelace") -> int:
    """97110 for 14 minutes, then 97530 running for 7:39: 21 timed minutes, 1 unit."""
    visit = tk.new_visit(patient)
    tk.start("97110", visit)
    clock.advance(minutes=14)
    tk.start("97530", visit)
    clock.advance(minutes=7, seconds=39)
    return visit


def test_it_shows_patient_code_time_units_and_the_next_unit(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    visit = running_visit(tk, clock)
    tally = tk.tally(visit)
    strip.show_tally(tally)
    assert strip.patient_label.text() == "Ada Lovelace"
    assert strip.state_label.text() == RUNNING_MARK
    assert strip.code_label.text() == "97530"
    assert strip.elapsed_label.text() == "7:39"
    assert strip.units_label.text() == "1 unit"
    # Billing's words, and the unit they lead to.
    assert tally.billing.next_unit_words() == "2 more timed minutes"
    assert strip.next_label.text() == "2 more timed minutes for unit 2"

    colours = theme.theme_of(strip.palette())
    assert not strip.view or not strip.view.near
    assert strip.next_label.palette().color(strip.next_label.backgroundRole()) != (
        colours.near_fill
    )
    clock.advance(seconds=21)  # 22 timed minutes
    strip.show_tally(tk.tally(visit))
    assert (strip.elapsed_label.text(), strip.next_label.text()) == (
        "8:00",
        "1 more timed minute for unit 2",
    )
    # The next unit a minute away while the timer runs: highlighted, as in the window.
    next_palette = strip.next_label.palette()
    assert next_palette.color(strip.next_label.backgroundRole()) == colours.near_fill
    assert next_palette.color(strip.next_label.foregroundRole()) == colours.near_text

    tk.pause(visit)
    clock.advance(minutes=3)
    strip.show_tally(tk.tally(visit))
    assert strip.state_label.text() == PAUSED_MARK
    assert (strip.code_label.text(), strip.elapsed_label.text()) == ("97530", "8:00")
    assert strip.pause_button.text() == "▶ Resume"
    assert strip.next_label.palette().color(strip.next_label.backgroundRole()) != (
        colours.near_fill
    )  # paused: nothing is near

    tk.resume(visit)
    tk.stop(None, visit)
    strip.show_tally(tk.tally(visit))
    assert strip.state_label.text() == STOPPED_MARK
    assert (strip.code_label.text(), strip.elapsed_label.text()) == ("97530", "8:00")
    assert strip.pause_button.text() == "❚❚ Pause"
    assert not strip.stop_button.isEnabled()

    tk.end(visit)
    strip.show_tally(tk.tally(visit))
    assert strip.state_label.text() == ENDED_MARK
    assert strip.units_label.text() == "1 unit"
    assert strip.next_label.text() == ""  # no "next unit" on an ended visit
    assert not strip.pause_button.isEnabled() and not strip.codes_button.isEnabled()

    strip.show_tally(None)
    assert strip.patient_label.text() == "No visit"
    assert strip.next_label.text() == "Start a visit in the full window"


def test_units_and_next_unit_come_from_the_claim_when_given(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    """The day's visits of one patient pool into one claim: the strip says what the totals
    panel says."""
    first = tk.new_visit("Ada Lovelace")
    tk.start("97110", first)
    clock.advance(minutes=10)
    tk.end(first)
    second = tk.new_visit("Ada Lovelace")
    tk.start("97530", second)
    clock.advance(minutes=5)
    tally = tk.tally(second)
    strip.show_tally(tally)
    assert strip.units_label.text() == "0 units"  # 5 minutes alone
    strip.show_tally(tally, claim_for_visit_id(tk, second))
    assert strip.units_label.text() == "1 unit"  # 15 minutes on the claim
    assert strip.next_label.text() == "8 more timed minutes for unit 2"


def test_a_long_name_is_elided_with_the_whole_in_the_tooltip(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    name = "Bartholomew Montgomery-Featherstonehaugh"
    strip.show_tally(tk.tally(running_visit(tk, clock, name)))
    shown = strip.patient_label.text()
    assert shown.endswith("…") and name.startswith(shown[:-1])
    assert strip.patient_label.toolTip() == name
    assert strip.patient_label.whole_text() == name


def test_a_name_is_plain_text(strip: CompactStrip, tk: Timekeeper, clock: FakeClock) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock, "<b>Ada</b>")))
    assert strip.patient_label.textFormat() == Qt.TextFormat.PlainText
    assert strip.patient_label.text() == "<b>Ada</b>"


def test_space_pauses_even_when_a_button_has_focus(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    buttons = (strip.codes_button, strip.pause_button, strip.stop_button, strip.expand_button)
    for button in buttons:
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus  # no click or Tab gives focus
    clicked: list[str] = []
    for button in buttons:
        button.clicked.connect(lambda _checked=False, b=button: clicked.append(b.text()))
    assert strip.focusPolicy() == Qt.FocusPolicy.StrongFocus
    qtbot.keyClick(strip, Qt.Key.Key_Space)
    assert heard.names() == ["pause"]
    for button in (strip.stop_button, strip.pause_button, strip.expand_button):
        button.setFocus()  # forced: the keys still never reach it
        qtbot.keyClick(button, Qt.Key.Key_Space)
    assert heard.names() == ["pause"] * 4
    assert clicked == []  # no button clicked: Space is pause, never Stop


def test_a_mouse_click_leaves_the_keys_with_the_strip(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    strip.setFocus()
    qtbot.mouseClick(strip.stop_button, Qt.MouseButton.LeftButton)
    assert not strip.stop_button.hasFocus()
    qtbot.keyClick(strip, Qt.Key.Key_Space)
    assert heard.names() == ["stop", "pause"]


def test_keys_esc_stops_digits_toggle_favourites_ctrl_m_expands(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    qtbot.keyClick(strip, Qt.Key.Key_Escape)
    qtbot.keyClick(strip, Qt.Key.Key_2)
    qtbot.keyClick(strip, Qt.Key.Key_5)
    qtbot.keyClick(strip, Qt.Key.Key_9)  # only six favourites: nothing
    qtbot.keyClick(strip, Qt.Key.Key_3, Qt.KeyboardModifier.KeypadModifier)
    qtbot.keyClick(strip, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # not the strip's
    qtbot.keyClick(strip, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert heard.said == [
        ("stop", ""),
        ("toggle", "97112"),
        ("toggle", "97530"),
        ("toggle", "97116"),
        ("expand", ""),
    ]


def test_a_held_key_acts_once(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    qtbot.keyPress(strip, Qt.Key.Key_Space)
    for _repeat in range(3):
        repeat = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ", True
        )
        QApplication.sendEvent(strip, repeat)
    qtbot.keyRelease(strip, Qt.Key.Key_Space)
    assert heard.names() == ["pause"]


def test_keys_do_only_what_the_buttons_can(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    heard = listen(strip)
    for key in (Qt.Key.Key_Space, Qt.Key.Key_Escape, Qt.Key.Key_1):
        qtbot.keyClick(strip, key)  # no visit
    visit = running_visit(tk, clock)
    tk.stop(None, visit)
    strip.show_tally(tk.tally(visit))
    qtbot.keyClick(strip, Qt.Key.Key_Escape)  # nothing runs
    tk.end(visit)
    strip.show_tally(tk.tally(visit))
    for key in (Qt.Key.Key_Space, Qt.Key.Key_1):
        qtbot.keyClick(strip, key)  # ended
    assert heard.said == []


def test_codes_are_switched_from_the_menu_and_the_running_one_is_marked(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    actions = {action.text().split()[1]: action for action in strip.codes_menu.actions()}
    assert list(actions) == list(FAVOURITES)
    assert actions["97110"].text() == "1   97110   Therapeutic exercise"
    assert [code for code, action in actions.items() if action.isChecked()] == ["97530"]
    assert actions["97530"].text().endswith(RUNNING_MARK)
    assert strip.codes_button.isEnabled()

    actions["97140"].trigger()
    assert heard.said == [("switch", "97140")]
    # The menu marks what the controller says runs, not what was asked.
    assert [code for code, action in actions.items() if action.isChecked()] == ["97530"]


def test_the_menu_follows_the_codes_and_is_rebuilt_only_when_they_change(
    strip: CompactStrip,
) -> None:
    before = strip.codes_menu.actions()
    strip.show_codes(favourites())
    assert strip.codes_menu.actions() == before
    strip.show_codes([*favourites(), *(CATALOG[c] for c in ("97150", "97750", "97760", "97761"))])
    texts = [action.text() for action in strip.codes_menu.actions()]
    assert len(texts) == 10
    assert texts[8].startswith("9   97760")
    assert texts[9].startswith("    97761")  # no key for the tenth


def test_no_button_text_is_clipped(strip: CompactStrip, tk: Timekeeper, clock: FakeClock) -> None:
    visit = running_visit(tk, clock)
    states = [tk.tally(visit)]
    tk.pause(visit)
    states.append(tk.tally(visit))
    for tally in (None, *states):
        strip.show_tally(tally)
        for button in (
            strip.codes_button,
            strip.pause_button,
            strip.stop_button,
            strip.expand_button,
        ):
            assert button.sizeHint().width() <= button.width(), button.text()
            assert button.sizeHint().height() <= button.height(), button.text()
            assert button.height() >= 44  # a touch target
    assert strip.expand_button.text() == "⤢ Full window"


def _geometry(strip: CompactStrip) -> list[tuple[int, int, int, int]]:
    """Where every widget of the strip is, and how big."""
    return [
        child.geometry().getRect()
        for child in strip.findChildren(QWidget)
        if child.window() is strip
    ]


def test_its_size_never_changes_with_what_it_says(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    assert strip.minimumSize() == strip.maximumSize()
    size, places = strip.size(), _geometry(strip)
    visit = running_visit(tk, clock, "Bartholomew Montgomery-Featherstonehaugh")
    shown = [tk.tally(visit)]
    tk.add_minutes("97530", 200, "timer started late")  # 207 minutes on one code
    shown.append(tk.tally(visit))
    tk.pause(visit)
    shown.append(tk.tally(visit))
    tk.resume(visit)
    tk.stop(None, visit)
    shown.append(tk.tally(visit))
    tk.end(visit)
    shown.append(tk.tally(visit))
    concurrent = tk.new_visit("Al", concurrent=True)
    tk.start("97110", concurrent)
    tk.start("97530", concurrent)
    clock.advance(minutes=61)
    shown.append(tk.tally(concurrent))
    for tally in (*shown, None):
        strip.show_tally(tally)
        assert strip.size() == size
        assert _geometry(strip) == places
    strip.show_tally(shown[1])
    # A time too wide for its label is drawn smaller, never cut.
    assert strip.elapsed_label.text() == strip.elapsed_label.whole_text() == "207:39"
    assert strip.elapsed_label.font().pixelSize() < 32
    metrics = QFontMetrics(strip.elapsed_label.font())
    assert metrics.horizontalAdvance("207:39") <= strip.elapsed_label.contentsRect().width()
    strip.show_tally(shown[-1])
    assert strip.code_label.text() == "97110 +1"  # two running: the first, and one more


def test_the_time_is_readable_from_two_metres(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    assert theme.pixel_size(strip.elapsed_label.font()) >= 28
    assert theme.pixel_size(strip.units_label.font()) >= 20
    assert theme.pixel_size(strip.code_label.font()) >= 20


@pytest.mark.parametrize("dark", [False, True])
def test_running_is_a_strong_colour_and_words(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, dark: bool
) -> None:
    if dark:
        strip.setPalette(theme.dark_palette())
    colours = theme.theme_of(strip.palette())
    assert colours.dark is dark
    visit = running_visit(tk, clock)
    strip.show_tally(tk.tally(visit))
    fill = strip.state_block.palette().color(strip.state_block.backgroundRole())
    ink = strip.elapsed_label.palette().color(strip.elapsed_label.foregroundRole())
    assert fill == colours.running_fill
    assert strip.elapsed_label.palette().color(strip.elapsed_label.backgroundRole()) == fill
    assert theme.contrast(ink, fill) >= 4.5
    assert strip.state_label.text() == RUNNING_MARK  # not colour alone

    tk.pause(visit)
    strip.show_tally(tk.tally(visit))
    fill = strip.state_block.palette().color(strip.state_block.backgroundRole())
    assert fill == colours.base  # paused: no running fill, the mark and its word
    mark = strip.state_label.palette().color(strip.state_label.foregroundRole())
    assert theme.contrast(mark, fill) >= 3
    assert strip.state_label.text() == PAUSED_MARK


class LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_tick_asks_for_no_layout(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    """Fixed-size opaque labels: a new time repaints its label, and nothing is laid out."""
    visit = running_visit(tk, clock)
    strip.show_tally(tk.tally(visit))
    requests = LayoutRequests()
    for watched in (strip, strip.state_block):
        watched.installEventFilter(requests)
    for _second in range(3):
        clock.advance(seconds=1)
        strip.show_tally(tk.tally(visit))
    QApplication.processEvents()  # a layout request is posted: it would arrive now
    assert strip.elapsed_label.text() == "7:42"
    assert requests.count == 0
    for label in (strip.elapsed_label, strip.code_label, strip.units_label, strip.next_label):
        assert label.autoFillBackground()  # opaque: its repaint stops at the label


def test_the_old_summary_line_is_still_there(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    assert strip.status_label.text() == "▶ 97530 7:39 · visit 1 unit"
    assert strip.status_text() == strip.status_label.text()


def test_the_shown_strip_takes_the_keys_itself(
    strip: CompactStrip, tk: Timekeeper, clock: FakeClock, qtbot: QtBot
) -> None:
    strip.show_tally(tk.tally(running_visit(tk, clock)))
    heard = listen(strip)
    strip.activateWindow()
    qtbot.waitUntil(strip.isActiveWindow)
    assert QApplication.focusWidget() is strip  # no button: none can be clicked by a key
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert heard.names() == ["pause"]


def wire(strip: CompactStrip, controller: SessionController) -> None:
    """The wiring the window gives the strip (its redraw and its tick, shortened)."""
    strip.pause_requested.connect(controller.pause_or_resume)
    strip.stop_requested.connect(controller.stop_running)
    strip.switch_requested.connect(controller.toggle_on)
    strip.toggle_requested.connect(controller.toggle)

    def redraw() -> None:
        strip.show_codes(controller.favourites())
        tally = controller.tally()
        strip.show_tally(tally, controller.review(tally))

    def tick(tally: VisitTally) -> None:
        strip.show_tally(tally, controller.review(tally))

    controller.changed.connect(redraw)
    controller.ticked.connect(tick)
    redraw()


def test_wired_to_the_controller_it_times_a_visit(
    qtbot: QtBot, tk: Timekeeper, clock: FakeClock
) -> None:
    controller = SessionController(tk)
    strip = CompactStrip()
    qtbot.addWidget(strip)
    wire(strip, controller)
    strip.show()
    assert controller.start_visit("Ada Lovelace", Payer.MEDICARE)
    qtbot.keyClick(strip, Qt.Key.Key_1)  # favourite 1
    assert (strip.state_label.text(), strip.code_label.text()) == (RUNNING_MARK, "97110")
    clock.advance(minutes=9, seconds=5)
    controller.refresh()  # the window's tick
    assert (strip.elapsed_label.text(), strip.units_label.text()) == ("9:05", "1 unit")
    actions = {action.text().split()[1]: action for action in strip.codes_menu.actions()}
    actions["97530"].trigger()  # switch: 97110 stops, 97530 runs
    assert strip.code_label.text() == "97530"
    assert tk.tally(controller.visit_id).running_codes == ("97530",)
    actions["97530"].trigger()  # already running: it stays so
    assert tk.tally(controller.visit_id).running_codes == ("97530",)
    clock.advance(minutes=1)
    qtbot.keyClick(strip, Qt.Key.Key_Space)
    assert strip.state_label.text() == PAUSED_MARK
    qtbot.keyClick(strip, Qt.Key.Key_Space)
    assert strip.state_label.text() == RUNNING_MARK
    qtbot.keyClick(strip, Qt.Key.Key_Escape)
    assert strip.state_label.text() == STOPPED_MARK
    assert (strip.code_label.text(), strip.elapsed_label.text()) == ("97530", "1:00")
    assert strip.next_label.text() == "13 more timed minutes for unit 2"
