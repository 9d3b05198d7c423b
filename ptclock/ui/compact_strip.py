"""Compact mode: a small always-on-top strip to sit beside the EMR (issue 15).

One row, to be read from two metres away::

    Ada Lovelace  ▶ RUNNING  7:39  2 units                      Codes▾ ❚❚ Pause ■ Stop ⤢ Full window
                  97530            8 more timed minutes for unit 3

* The timer's state, its code and the code's time sit on one block, filled with the running
  green while a code runs (``theme.py``, as on the tiles) and always saying so in words and a
  mark too (▶ RUNNING, ❚❚ PAUSED, ■ stopped): colour is never the only cue.
* Every text is on an opaque label of fixed size: a tick repaints the labels whose text
  changed and nothing else — no layout pass, and the strip never changes size. A number too
  wide for its label is drawn smaller; a name is elided with "…" (the whole in its tooltip).
* The words about the next unit are billing's (``Billing.next_unit_words()``).
* Keys while the strip has focus: Space pauses or resumes the visit, Esc stops the running
  code, 1–9 start or stop favourite 1–9 (as in the window), Ctrl+M goes back to the full
  window. No button takes focus, and these keys never reach a button: Space never clicks Stop.

The strip only shows and asks: ``show_tally`` on every redraw and tick, ``show_codes`` when
the favourites change; its signals are intentions for the controller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ptclock.timing.records import VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import theme, words
from ptclock.ui.code_tile import PAUSED_MARK, RUNNING_MARK, STOPPED_MARK
from ptclock.ui.widget_parts import TOUCH_HEIGHT, DescribedCode

PATIENT_PX = 16
STATE_PX = 13
CODE_PX = 22
ELAPSED_PX = 32
"""The code's time: readable from two metres (issue 15 asks at least 28 px in the strip)."""
UNITS_PX = 24
NEXT_PX = 13
BUTTON_PX = 14
SMALLEST_PX = 9
"""A number too wide for its label shrinks to fit, never below this."""
PATIENT_WIDTH = 190
"""About 16 letters of a name at ``PATIENT_PX``; a longer name is elided (tooltip: all of it)."""
SIDE = 6
"""The room left and right of a label's text."""

ENDED_MARK = "■ ENDED"
NO_VISIT = "No visit"
NO_CODE = "—"
START_WORDS = "Start a visit in the full window"

if TYPE_CHECKING:
    from ptclock.claims import Claim


@dataclass(frozen=True)
class StripView:
    """Everything the strip says, as text: compared whole, so an unchanged tick costs
    nothing but this comparison."""

    state: str
    """"none", "running", "paused", "stopped" or "ended"."""
    patient: str
    mark: str
    code: str
    time: str
    units: str
    next_unit: str
    running: tuple[str, ...]
    near: bool = False
    """A timer runs and the next unit is near (``Billing.next_unit_near``)."""


def strip_view(tally: VisitTally | None, claim: Claim | None = None) -> StripView:
    """What the strip shows for ``tally``; units and the next unit from ``claim`` when given
    (the day's pooled minutes, as the totals panel shows them), else from the visit alone.

    The code shown is the running one (the first, as the window's now band shows it, "+1"
    when more run), else the code the pause stopped, else the last one timed. The sentence
    about the next unit is highlighted while a timer runs and that unit is near
    (``Billing.next_unit_near``), as in the window."""
    if tally is None:
        return StripView("none", NO_VISIT, STOPPED_MARK, "", words.clock(0), "", START_WORDS, ())
    visit = tally.record.visit
    running = tally.running_codes
    if running:
        state, mark = "running", RUNNING_MARK
        shown, others = running[0], len(running) - 1  # as the window's now band
    else:
        if visit.status is VisitStatus.PAUSED:
            state, mark = "paused", PAUSED_MARK
        elif visit.is_open:
            state, mark = "stopped", STOPPED_MARK
        else:
            state, mark = "ended", ENDED_MARK
        paused = [c for c in visit.paused_codes if c in {line.code for line in tally.codes}]
        if state == "paused" and paused:
            shown, others = paused[0], len(paused) - 1
        else:
            shown, others = _last_timed(tally), 0
    seconds = tally.code(shown).seconds if shown else 0
    billing = claim.billing if claim is not None else tally.billing
    sentence = billing.next_unit_sentence() if visit.is_open else None
    return StripView(
        state=state,
        patient=visit.patient,
        mark=mark,
        code=(shown + (f" +{others}" if others else "")) if shown else NO_CODE,
        time=words.clock(seconds),
        units=words.units(billing.total_units),
        next_unit=sentence or "",
        running=running,
        near=bool(running and sentence and billing.next_unit_near()),
    )


def _last_timed(tally: VisitTally) -> str:
    """The code timed last (its segment recorded last), else the last code with time."""
    segments = tally.record.segments
    if segments:
        return max(segments, key=lambda segment: segment.id).code
    return tally.codes[-1].code if tally.codes else ""


class Readout(QLabel):
    """A label of fixed size that paints its whole background: a new text repaints this
    label alone and asks for no layout (a widget whose least and largest sizes are equal
    posts no layout request). Plain text only (a name is never read as HTML)."""

    def __init__(
        self,
        name: str,
        font: QFont,
        size: QSize,
        align: Qt.AlignmentFlag,
        elide: bool = False,
    ) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(name)
        self.setAutoFillBackground(True)
        self.setFont(font)
        self.setAlignment(align)
        self.setContentsMargins(SIDE, 0, SIDE, 0)
        self.setFixedSize(size)
        self._font = QFont(font)
        self._elide = elide
        self._whole = ""

    def whole_text(self) -> str:
        """The text as given (``text()`` is what is drawn, perhaps elided)."""
        return self._whole

    def show_text(self, text: str) -> None:
        if text == self._whole:
            return
        self._whole = text
        room = self.width() - 2 * SIDE
        font, shown = self._font, text
        metrics = QFontMetrics(font)
        if metrics.horizontalAdvance(text) > room:
            if self._elide:
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            else:
                font = _fitted(font, text, room)
        if self.font() != font:
            self.setFont(font)
        tooltip = text if shown != text else ""
        if self.toolTip() != tooltip:
            self.setToolTip(tooltip)
        self.setText(shown)


def _room(font: QFont, text: str) -> int:
    """The width of a label that shows ``text`` in ``font`` whole."""
    return QFontMetrics(font).horizontalAdvance(text) + 2 * SIDE + 2


def _fitted(font: QFont, text: str, room: int) -> QFont:
    """``font`` made smaller until ``text`` fits ``room`` pixels (or reaches SMALLEST_PX)."""
    fitted = QFont(font)
    pixels = font.pixelSize()
    while pixels > SMALLEST_PX and QFontMetrics(fitted).horizontalAdvance(text) > room:
        pixels -= 1
        fitted.setPixelSize(pixels)
    return fitted


class CompactStrip(QWidget):
    """The strip. Signals (intentions; the controller decides):

    * ``expand_requested`` — back to the full window (button, Ctrl+M);
    * ``pause_requested`` — pause or resume the visit (button, Space);
    * ``stop_requested`` — stop the running code (button, Esc);
    * ``switch_requested(code)`` — a code chosen in the Codes menu: start it unless it
      already runs;
    * ``toggle_requested(code)`` — key 1–9: start that favourite, or stop it if it runs.
    """

    expand_requested = Signal()
    stop_requested = Signal()
    pause_requested = Signal()
    switch_requested = Signal(str)
    toggle_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("ptclock")
        self.setAccessibleName("ptclock compact strip")
        # The strip itself takes the keys: no button can hold focus.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        base = self.font()
        lines = {
            px: QFontMetrics(theme.font(base, px, bold=True)).height()
            for px in (STATE_PX, CODE_PX, ELAPSED_PX, UNITS_PX, NEXT_PX)
        }
        row = max(
            TOUCH_HEIGHT,
            lines[STATE_PX] + lines[CODE_PX],
            lines[UNITS_PX] + lines[NEXT_PX],
            lines[ELAPSED_PX],
        )
        row += 4

        left = Qt.AlignmentFlag.AlignLeft
        middle, top, bottom = (
            Qt.AlignmentFlag.AlignVCenter,
            Qt.AlignmentFlag.AlignTop,
            Qt.AlignmentFlag.AlignBottom,
        )
        patient_font = theme.font(base, PATIENT_PX, bold=True)
        self.patient_label = Readout(
            "Patient", patient_font, QSize(PATIENT_WIDTH, row), left | middle, elide=True
        )
        state_font = theme.font(base, STATE_PX, bold=True)
        code_font = theme.font(base, CODE_PX, bold=True)
        all_marks = (RUNNING_MARK, PAUSED_MARK, STOPPED_MARK, ENDED_MARK)
        width = max(*(_room(state_font, mark) for mark in all_marks), _room(code_font, "00000"))
        self.state_label = Readout(
            "Timer state", state_font, QSize(width, row - lines[CODE_PX]), left | bottom
        )
        self.code_label = Readout("Code timed", code_font, QSize(width, lines[CODE_PX]), left | top)
        elapsed_font = theme.font(base, ELAPSED_PX, bold=True, digits=True)
        self.elapsed_label = Readout(
            "Time on the code",
            elapsed_font,
            QSize(_room(elapsed_font, "00:00"), row),
            Qt.AlignmentFlag.AlignRight | middle,
        )
        units_font = theme.font(base, UNITS_PX, bold=True, digits=True)
        next_font = theme.font(base, NEXT_PX)
        width = max(
            _room(units_font, "00 units"), _room(next_font, "14 more timed minutes for unit 10")
        )
        self.units_label = Readout(
            "Units", units_font, QSize(width, row - lines[NEXT_PX]), left | bottom
        )
        self.next_label = Readout(
            "Minutes to the next unit", next_font, QSize(width, lines[NEXT_PX]), left | top
        )

        self.state_block = QFrame()
        self.state_block.setAutoFillBackground(True)
        self.state_block.setAccessibleName("The timer: state, code and time")
        block = QHBoxLayout(self.state_block)
        block.setContentsMargins(0, 0, 0, 0)
        block.setSpacing(0)
        marks = QVBoxLayout()
        marks.setContentsMargins(0, 0, 0, 0)
        marks.setSpacing(0)
        marks.addWidget(self.state_label)
        marks.addWidget(self.code_label)
        block.addLayout(marks)
        block.addWidget(self.elapsed_label)
        billing = QVBoxLayout()
        billing.setContentsMargins(0, 0, 0, 0)
        billing.setSpacing(0)
        billing.addWidget(self.units_label)
        billing.addWidget(self.next_label)

        button_font = theme.font(base, BUTTON_PX, bold=True)
        self.codes_menu = QMenu(self)
        self.codes_menu.setFont(theme.font(base, 16))
        self.codes_menu.setAttribute(Qt.WidgetAttribute.WA_WindowPropagation)  # the palette
        self.codes_menu.setStyleSheet("QMenu::item { padding: 10px 24px 10px 8px; }")  # gloves
        self.codes_menu.setAccessibleName("Switch to code")
        self.codes_button = self._button(
            ["Codes"],
            "Switch to another code",
            "Start another code (keys 1–9: favourites 1–9)",
            button_font,
            menu=self.codes_menu,
        )
        self.pause_button = self._button(
            ["❚❚ Pause", "▶ Resume"],
            "Pause visit",
            "Pause or resume the visit (Space)",
            button_font,
        )
        self.pause_button.clicked.connect(self.pause_requested)
        self.stop_button = self._button(
            ["■ Stop"], "Stop the running code", "Stop the running code (Esc)", button_font
        )
        self.stop_button.clicked.connect(self.stop_requested)
        self.expand_button = self._button(
            ["⤢ Full window"],
            "Back to the full window",
            "Back to the full window (Ctrl+M)",
            button_font,
        )
        self.expand_button.clicked.connect(self.expand_requested)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(8)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        layout.addWidget(self.patient_label)
        layout.addWidget(self.state_block)
        layout.addLayout(billing)
        for button in (self.codes_button, self.pause_button, self.stop_button, self.expand_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)

        self._tally: VisitTally | None = None
        self._view: StripView | None = None
        self._codes: tuple[str, ...] = ()
        self._code_items: tuple[tuple[str, str], ...] | None = None
        self._code_actions: dict[str, QAction] = {}
        self.show_tally(None)

    def _button(
        self,
        texts: list[str],
        name: str,
        tip: str,
        font: QFont,
        menu: QMenu | None = None,
    ) -> QPushButton:
        """A touch-size button that never takes focus (Space must not click it) and is as
        wide as its widest text needs, so no text is clipped and none resizes the strip."""
        button = QPushButton()
        button.setFont(font)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        if menu is not None:
            button.setMenu(menu)
        width = 0
        for text in texts:
            button.setText(text)
            width = max(width, button.sizeHint().width())
        button.setText(texts[0])
        button.setFixedSize(width + 4, TOUCH_HEIGHT)
        button.installEventFilter(self)
        return button

    # -- what it shows -----------------------------------------------------------------------

    def show_tally(self, tally: VisitTally | None, claim: Claim | None = None) -> None:
        """Show ``tally`` (units and the next unit of ``claim`` when given). Called on every
        redraw and tick: only the labels whose text changed are touched."""
        self._tally = tally
        view = strip_view(tally, claim)
        if view == self._view:
            return
        before, self._view = self._view, view
        self.patient_label.show_text(view.patient)
        self.state_label.show_text(view.mark)
        self.code_label.show_text(view.code)
        self.elapsed_label.show_text(view.time)
        self.units_label.show_text(view.units)
        self.next_label.show_text(view.next_unit)
        if before is None or before.state != view.state:
            self._show_state()
        elif before.near != view.near:
            self._paint_state()
        if before is None or before.running != view.running:
            self._mark_running()

    def show_codes(self, codes: Sequence[DescribedCode]) -> None:
        """The codes the Codes menu offers and keys 1–9 toggle (the window's favourites, in
        the tiles' order). Rebuilt only when they changed."""
        items = tuple((code.code, code.descriptor) for code in codes)
        if items == self._code_items:
            return
        self._code_items = items
        self._codes = tuple(code for code, _descriptor in items)
        self.codes_menu.clear()
        self._code_actions = {}
        for index, (code, descriptor) in enumerate(items):
            key = str(index + 1) if index < 9 else " "
            action = self.codes_menu.addAction(menu_text(key, code, descriptor, running=False))
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, c=code: self._switch(c))
            self._code_actions[code] = action
        self._mark_running()
        self._enable()

    def status_text(self) -> str:
        """The one-line summary the tray shows too (``status_line``)."""
        return status_line(self._tally)

    @property
    def status_label(self) -> _Said:
        """Deprecated: the one line the strip showed before issue 15, read as ``.text()``;
        kept until main_window's tests read the new labels."""
        return _Said(self.status_text)

    @property
    def view(self) -> StripView | None:
        """What the strip shows now."""
        return self._view

    def _switch(self, code: str) -> None:
        self._mark_running()  # a triggered action checks itself: the controller's answer marks
        self.switch_requested.emit(code)

    def _mark_running(self) -> None:
        """Check the running codes in the Codes menu, uncheck the others."""
        running = self._view.running if self._view is not None else ()
        for index, (code, descriptor) in enumerate(self._code_items or ()):
            action = self._code_actions[code]
            if action.isChecked() != (code in running):
                action.setChecked(code in running)
                key = str(index + 1) if index < 9 else " "
                action.setText(menu_text(key, code, descriptor, code in running))

    def _show_state(self) -> None:
        view = self._view
        state = view.state if view is not None else "none"
        paused = state == "paused"
        text = "▶ Resume" if paused else "❚❚ Pause"
        if self.pause_button.text() != text:
            self.pause_button.setText(text)
            self.pause_button.setAccessibleName("Resume visit" if paused else "Pause visit")
        self._enable()
        self._paint_state()

    def _enable(self) -> None:
        state = self._view.state if self._view is not None else "none"
        open_visit = state in ("running", "paused", "stopped")
        self.pause_button.setEnabled(open_visit)
        self.stop_button.setEnabled(state == "running")
        self.codes_button.setEnabled(open_visit and bool(self._codes))

    def _paint_state(self) -> None:
        """The timer block's colours: the running green filled, else the window's base with
        the paused mark in the running green (as the tiles do)."""
        state = self._view.state if self._view is not None else "none"
        colours = theme.theme_of(self.palette())
        if state == "running":
            fill, ink, mark = colours.running_fill, colours.running_text, colours.running_text
        elif state == "paused":
            fill, ink, mark = colours.base, colours.text, colours.accent
        else:  # stopped, ended, no visit: the last code's time, muted
            fill, ink, mark = colours.base, colours.muted, colours.muted
        block = QPalette(self.palette())
        block.setColor(QPalette.ColorRole.Window, fill)
        block.setColor(QPalette.ColorRole.WindowText, ink)
        self.state_block.setPalette(block)  # the code and its time inherit it
        block.setColor(QPalette.ColorRole.WindowText, mark)
        self.state_label.setPalette(block)
        near = self._view is not None and self._view.near
        self.next_label.setPalette(self._near_palette(colours) if near else QPalette())

    def _near_palette(self, colours: theme.Theme) -> QPalette:
        """The next unit is close: its sentence in the window's highlight (theme.py)."""
        palette = QPalette(self.palette())
        palette.setColor(QPalette.ColorRole.Window, colours.near_fill)
        palette.setColor(QPalette.ColorRole.WindowText, colours.near_text)
        return palette

    # -- keys ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._key(event):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self._command(event) is None:
            super().keyReleaseEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A strip key pressed while a button somehow has focus is the strip's, press and
        release: a button clicks on Space's release, so neither may reach it."""
        if isinstance(event, QKeyEvent) and self._command(event) is not None:
            if event.type() == QEvent.Type.KeyPress:
                self._key(event)
                return True
            if event.type() == QEvent.Type.KeyRelease:
                return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_state()

    def _command(self, event: QKeyEvent) -> str | None:
        """The strip's name for ``event``'s key: "pause", "stop", "expand", "1"…"9"; None
        for a key that is not the strip's."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        if modifiers == Qt.KeyboardModifier.ControlModifier and key == Qt.Key.Key_M:
            return "expand"
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return None
        if key == Qt.Key.Key_Space:
            return "pause"
        if key == Qt.Key.Key_Escape:
            return "stop"
        if Qt.Key.Key_1.value <= key <= Qt.Key.Key_9.value:
            return str(key - Qt.Key.Key_0.value)
        return None

    def _key(self, event: QKeyEvent) -> bool:
        """Act on a strip key (once: a held key's repeats do nothing); False if not one.
        A key does only what its button could do now."""
        command = self._command(event)
        if command is None:
            return False
        if event.isAutoRepeat():
            return True
        if command == "expand":
            self.expand_requested.emit()
        elif command == "pause":
            if self.pause_button.isEnabled():
                self.pause_requested.emit()
        elif command == "stop":
            if self.stop_button.isEnabled():
                self.stop_requested.emit()
        elif self.codes_button.isEnabled() and int(command) <= len(self._codes):
            self.toggle_requested.emit(self._codes[int(command) - 1])
        return True


def menu_text(key: str, code: str, descriptor: str, running: bool) -> str:
    """A line of the Codes menu: "5   97530   Therapeutic activities   ▶ RUNNING"."""
    mark = f"   {RUNNING_MARK}" if running else ""
    return f"{key}   {code}   {descriptor.replace('&', '&&')}{mark}"


class _Said:
    """Words read like a label's ``text()`` without a label (the compatibility line)."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[], str]) -> None:
        self._read = read

    def text(self) -> str:
        return self._read()


def status_line(tally: VisitTally | None, *, seconds: bool = True) -> str:
    """ "▶ 97110 12:34 · visit 3 units": the strip's summary; without ``seconds``
    ("▶ 97110 12 minutes · visit 3 units") the tray's tooltip, which changes once a minute."""
    if tally is None:
        return "No visit"
    total = words.units(tally.billing.total_units)
    running = [tally.code(code) for code in tally.running_codes]
    if not running:
        return f"■ Nothing running · visit {total}"
    shown = " + ".join(
        f"{line.code} "
        + (words.clock(line.seconds) if seconds else words.minutes(line.seconds // 60))
        for line in running
    )
    return f"▶ {shown} · visit {total}"
