"""The banner (issue 15): every message in view until it is read — kinds, stacking, repeats,
the notice's fade (its timer, never a sleep), keys (Alt+D, and Esc left to the window), the
room it takes, and contrast in light and dark themes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QEnterEvent, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ptclock.ui.banner import (
    DARK,
    LIGHT,
    NOTICE_MS,
    VISIBLE,
    Banner,
    BannerRow,
    colours,
    contrast,
)
from ptclock.ui.widget_parts import TOUCH_HEIGHT

LONG = (
    "97140 and 97530 are billed together: Medicare pays both only if they were done in "
    "separate time blocks, but they overlapped 10:05–10:09, so 97530 will not be paid: if they "
    "were separate, document the blocks and add XU with a reason (Visit → Change "
    "modifiers…); if not, bill only one of them."
)


class Window(QMainWindow):
    """A window like ptclock's: a header, the banner, the body; Esc stops the timer."""

    def __init__(self) -> None:
        super().__init__()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(QLabel("Ada Lovelace · 97110 running"))
        self.banner = Banner(central)
        layout.addWidget(self.banner)
        layout.addWidget(QLabel("tiles"), 1)
        self.setCentralWidget(central)
        self.stopped = 0
        stop = QAction("Stop running code", self)
        stop.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        stop.triggered.connect(self.stop)
        self.addAction(stop)

    def stop(self) -> None:
        self.stopped += 1


def window(qtbot: QtBot, width: int = 900, height: int = 500) -> Window:
    shown = Window()
    qtbot.addWidget(shown)
    shown.resize(width, height)
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def row(banner: Banner, index: int = 0) -> BannerRow:
    return banner.rows()[index]


def test_a_message_is_a_row_with_its_kind_its_sentence_and_dismiss(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    assert banner.isHidden() and banner.messages() == []  # empty: takes no room
    banner.say("The database is read-only: the change was not saved.", "problem")
    assert banner.isVisible()
    first = row(banner)
    assert (first.mark.text(), first.word.text()) == ("⚠", "Problem")
    assert first.label.text() == "The database is read-only: the change was not saved."
    assert first.label.wordWrap()
    assert first.label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert first.label.textFormat() == Qt.TextFormat.PlainText  # typed text is never markup
    assert first.dismiss_button.text() == "✕"
    assert first.dismiss_button.accessibleName() == (
        "Dismiss: The database is read-only: the change was not saved."
    )
    assert first.accessibleName().startswith("Problem: The database is read-only")
    assert first.dismiss_button.minimumHeight() >= TOUCH_HEIGHT
    banner.say("Report saved.", "notice")
    assert (row(banner).mark.text(), row(banner).word.text()) == ("ℹ", "Notice")
    assert banner.messages() == [
        "Report saved.",
        "The database is read-only: the change was not saved.",
    ]
    qtbot.mouseClick(row(banner, 1).dismiss_button, Qt.MouseButton.LeftButton)
    assert banner.messages() == ["Report saved."]


def test_the_newest_is_on_top_and_at_most_three_show(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    for number in range(1, 6):
        banner.say(f"Message {number}.", "problem")
    assert banner.messages() == [f"Message {n}." for n in (5, 4, 3, 2, 1)]
    assert banner.shown() == ["Message 5.", "Message 4.", "Message 3."]
    assert [r.isVisible() for r in banner.rows()] == [True] * VISIBLE + [False, False]
    assert banner.more_label.isVisible()
    assert banner.more_label.text().startswith("and 2 more")
    banner.dismiss_newest()
    assert banner.shown() == ["Message 4.", "Message 3.", "Message 2."]
    assert row(banner, 2).isVisible()
    assert banner.more_label.text().startswith("and 1 more")
    banner.dismiss_newest()
    assert not banner.more_label.isVisible()


def test_the_same_message_twice_is_one_row_with_a_count(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    banner.say("Visit 3 ended.", "notice")
    banner.say("The clock was set back.", "problem")
    banner.say("Visit 3 ended.", "notice")
    assert banner.messages() == ["Visit 3 ended.", "The clock was set back."]  # moved up
    again = row(banner)
    assert again.count == 2 and again.times.isVisible() and again.times.text() == "×2"
    assert "(said 2 times)" in again.accessibleName()
    # The same words as another kind are another message.
    banner.say("Visit 3 ended.", "problem")
    assert len(banner.rows()) == 3


def test_a_notice_fades_after_ten_seconds_a_problem_stays(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    banner.say("The clock was set back.", "problem")
    banner.say("Report saved.", "notice")
    notice, problem = banner.rows()
    assert problem.fade_timer is None
    timer = notice.fade_timer
    assert timer is not None and timer.isActive() and timer.isSingleShot()
    assert timer.interval() == NOTICE_MS == 10_000
    timer.timeout.emit()  # ten seconds later
    assert banner.messages() == ["The clock was set back."]


def test_a_notice_said_again_or_under_the_pointer_does_not_fade(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    banner.say("Report saved.", "notice")
    notice = row(banner)
    assert notice.fade_timer is not None
    notice.fade_timer.stop()
    banner.say("Report saved.", "notice")
    assert notice.fade_timer.isActive()  # its ten seconds start over
    enter = QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5))
    QApplication.sendEvent(notice, enter)
    assert not notice.fade_timer.isActive()  # being read
    QApplication.sendEvent(notice, QEvent(QEvent.Type.Leave))
    assert notice.fade_timer.isActive()


def test_alt_d_dismisses_the_newest_and_esc_is_left_to_the_window(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    banner.say("First.", "problem")
    banner.say("Second.", "problem")
    shown.activateWindow()
    qtbot.waitUntil(shown.isActiveWindow)
    for focus in (row(banner).dismiss_button, row(banner).label):
        focus.setFocus()
        qtbot.keyClick(focus, Qt.Key.Key_Escape)
    assert shown.stopped == 2  # Esc stopped the timer both times ...
    assert banner.messages() == ["Second.", "First."]  # ... and dismissed nothing
    qtbot.keyClick(shown, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert banner.messages() == ["First."]


def test_clear_hides_the_banner_and_says_its_height(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    heights: list[int] = []
    banner.height_changed.connect(heights.append)
    banner.say("Report saved.", "notice")
    assert heights and heights[-1] > 0
    banner.clear()
    assert banner.messages() == [] and banner.isHidden()
    assert heights[-1] == 0
    banner.say("   ", "notice")  # nothing to say
    assert banner.messages() == []


def test_only_problems_and_notices(qtbot: QtBot) -> None:
    shown = window(qtbot)
    banner = shown.banner
    try:
        banner.say("Hm.", "done")  # type: ignore[arg-type]
    except ValueError as error:
        assert "problem or a notice" in str(error)
    else:  # pragma: no cover
        raise AssertionError("an unknown kind was accepted")


def test_the_banner_never_resizes_the_window(qtbot: QtBot) -> None:
    # A half-screen laptop window: long sentences wrap and the rows scroll; the window keeps
    # its size, and the banner stays inside it.
    for width, height in ((683, 700), (420, 300)):
        shown = window(qtbot, width, height)
        for number in range(4):
            shown.banner.say(f"{number}: {LONG}", "problem")
        shown.banner.say("/home/pt/" + "a-very-long-folder-name/" * 12 + "visit.pdf", "notice")
        QApplication.processEvents()
        assert shown.size().toTuple() == (width, height)
        assert shown.banner.width() <= width
        assert shown.banner.height() < height


def test_colours_have_strong_contrast_in_light_and_dark_themes(qtbot: QtBot) -> None:
    for theme in (LIGHT, DARK):
        for found in theme.values():
            assert contrast(found.text, found.background) >= 7  # WCAG AAA
            assert contrast(found.edge, found.background) >= 3  # the edge is seen too
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    light = QPalette()
    light.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    assert colours(dark, "problem") == DARK["problem"]
    assert colours(light, "notice") == LIGHT["notice"]
    shown = window(qtbot)
    banner = shown.banner
    banner.say("Report saved.", "notice")
    banner.setPalette(dark)  # the theme switched: the row follows
    assert DARK["notice"].background in row(banner).styleSheet()
    banner.setPalette(light)
    assert LIGHT["notice"].background in row(banner).styleSheet()
