"""The window a therapist uses all day: visit header, the now band, code tiles, billing
details, documentation, today.

From top to bottom: the menus, the visit header (``VisitHeader``), ``message_area`` (an empty
slot for messages such as a banner: add widgets to it; ``show_problem``/``show_notice`` are
the one way messages come in), the bar of timers running for other patients, the now band
(``NowPanel``), then the tabs (Timers, Documentation, Today) with the billing details
(``TotalsPanel``) to their right in a wide window and under them in a narrow one.

The window never resizes itself: every text that changes is elided, wrapped inside a fixed
size or painted, and the tiles flow into as many columns as fit (``TileBoard``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ptclock import paths
from ptclock.billing import Code, Rule
from ptclock.settings import Settings, SettingsError, save_settings
from ptclock.timekeeper import OtherTimers
from ptclock.timing.clock_watch import ClockJump
from ptclock.timing.records import Payer, VisitStatus
from ptclock.timing.tally import VisitTally
from ptclock.ui import questions, theme, words
from ptclock.ui.banner import Banner
from ptclock.ui.code_tile import CodeTile, TileBoard
from ptclock.ui.compact_strip import CompactStrip
from ptclock.ui.controller import SessionController
from ptclock.ui.documentation_panel import DocumentationPanel
from ptclock.ui.elsewhere_bar import ElsewhereBar
from ptclock.ui.now_panel import NowPanel
from ptclock.ui.report_actions import ReportActions
from ptclock.ui.today_panel import TodayPanel
from ptclock.ui.totals_panel import TotalsPanel
from ptclock.ui.tray import TrayIcon
from ptclock.ui.typing_guard import TypingGuard
from ptclock.ui.visit_header import VisitHeader

if TYPE_CHECKING:  # the dialogs load when first opened, not at start-up
    from ptclock.clinic.background import ClinicNews
    from ptclock.ui.audit_dialog import AuditDialog
    from ptclock.ui.clinic_panel import ClinicPanel
    from ptclock.ui.code_picker import CodePicker
    from ptclock.ui.correction_dialog import CorrectionDialog
    from ptclock.ui.modifier_dialog import ModifierDialog
    from ptclock.ui.settings_dialog import SettingsDialog
    from ptclock.ui.start_visit_dialog import StartVisitDialog

STYLE = """
QLabel#warning, QLabel#tie { font-weight: bold; }
"""
WIDE_WINDOW = 1200
"""From this width on, the billing details sit right of the tabs; below it, under them."""
DETAILS_WIDTH = 330
DETAILS_HEIGHT = (120, 0.22, 230)
"""The billing details' height under the tabs in a narrow window: 22% of the window's
height, within 120 and 230 pixels (they scroll within)."""
QWIDGETSIZE_MAX = 16777215
FIRST_SIZE = (1366, 1040)
"""The window's size as it opens, within the screen's free area."""
SECOND_LOOK_MS = 200
"""After the file watcher fired, look again this much later for the commit to be visible."""


NO_KEYRING_WORDS = (
    "The patient data on this computer is not encrypted: anyone with the disk can read it. "
    "Tools → Encrypt patient data… encrypts it with a passphrase you choose (this computer has "
    "no system keyring to keep a key in), or keep the computer's disk encrypted "
    "(docs/security.md)."
)


class MainWindow(QMainWindow):
    clinic_news = Signal(object)
    """How the clinic sync stands (a ClinicNews), from the sync's own thread: queued here."""

    def __init__(
        self,
        controller: SessionController,
        icon: QIcon | None = None,
        save_to_disk: bool = True,
        first_run_question: bool = True,
    ) -> None:
        super().__init__()
        self.controller = controller
        self.save_to_disk = save_to_disk
        self.setWindowTitle("ptclock")
        self.setStyleSheet(STYLE)
        self._styled_for = self.palette().cacheKey()
        if icon is not None:
            self.setWindowIcon(icon)
        self._first_size()
        self.tiles: dict[str, CodeTile] = {}
        self._tile_codes: tuple[str, ...] = ()
        self._dialog: QMessageBox | None = None
        self._failure = ""
        """The last refusal shown, to say why documentation was not saved."""
        self.typing_guard = TypingGuard(self)
        self.typing_guard.follow(_application())

        self.header = VisitHeader()
        self.header.start_visit.connect(self.new_visit)
        self.header.pause_resume.connect(controller.pause_or_resume)
        self.header.end_visit.connect(self.end_visit)
        self.header.performer_changed.connect(controller.set_performer)
        self.elsewhere = ElsewhereBar()
        self.elsewhere.open_requested.connect(self.open_visit)

        self.now = NowPanel()
        self.now.cue_began.connect(self._sound_cue)
        self.add_code_button = QPushButton("+ Add code…\n(Ctrl+K)")
        self.add_code_button.setFont(theme.font(self.add_code_button.font(), 17, bold=True))
        self.add_code_button.setMinimumHeight(44)
        self.add_code_button.setAccessibleName("Add code")
        self.add_code_button.clicked.connect(self.add_code)
        self.board = TileBoard(self.add_code_button)

        self.documentation = DocumentationPanel()
        self.documentation.save_requested.connect(self.save_documentation)
        self.today = TodayPanel()
        self.today.open_requested.connect(self.open_visit)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.board, "Timers")
        self.tabs.addTab(self.documentation, "Documentation")
        self.tabs.addTab(self.today, "Today")
        self.clinic_panel: ClinicPanel | None = None
        """Clinic today: a tab only on a workstation that joined a clinic."""
        self.clinic_state: QLabel | None = None
        """The sync's state in a few words, in the status bar (clinic mode only)."""
        self.clinic_news.connect(self._show_clinic_news)
        self.totals = TotalsPanel()
        self.details = QScrollArea()
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details.setWidget(self.totals)
        self.details.setAccessibleName("Billing details")
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addWidget(self.tabs, 1)
        self.body.addWidget(self.details)
        self.message_area = QVBoxLayout()
        """An empty slot right under the header for messages (a banner): add widgets here."""
        self.message_area.setContentsMargins(0, 0, 0, 0)
        self.banner = Banner()
        self.message_area.addWidget(self.banner)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addLayout(self.message_area)
        layout.addWidget(self.elsewhere)
        layout.addWidget(self.now)
        layout.addLayout(self.body, 1)
        self.setCentralWidget(central)
        self._wide: bool | None = None
        self._details_height: int | None = None
        self._place_details()

        self.compact = CompactStrip()
        self.compact.expand_requested.connect(self.leave_compact)
        self.compact.stop_requested.connect(controller.stop_running)
        self.compact.pause_requested.connect(controller.pause_or_resume)
        self.compact.switch_requested.connect(controller.toggle_on)
        self.compact.toggle_requested.connect(controller.toggle)
        self.tray = TrayIcon(icon or QIcon(), self)
        self.tray.show_window.connect(self.bring_back)
        self.tray.stop_requested.connect(controller.stop_running)
        self.tray.switch_requested.connect(controller.toggle_on)
        self.tray.quit_requested.connect(self.quit_from_tray)
        self.tray.show()
        self._quitting = False
        self._ending = False

        self.reports = ReportActions(controller, self, save_to_disk)
        self._build_menus()
        controller.changed.connect(self.redraw)
        controller.ticked.connect(self.redraw_time)
        controller.seconds_moved.connect(self.redraw_seconds)
        controller.failed.connect(self.show_problem)
        controller.notice.connect(self.show_notice)
        controller.long_timer.connect(self.ask_still_treating)
        controller.slept.connect(self.ask_about_sleep)

        self.ticker = QTimer(self)
        self.ticker.setSingleShot(True)
        # Precise: a coarse timer may fire up to 5% early, and re-arming "to the next whole
        # second" from 0.95 s would then tick twice.
        self.ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self.ticker.timeout.connect(self.tick)
        # Another process's commit: the file watcher is the fast path, but SQLite makes a
        # commit visible (in the -shm index) only after it wrote the -wal, so the first look
        # can come too early; a second look follows, and the tick is the backstop.
        self.watcher = QFileSystemWatcher(self)
        self._watch_database()
        self.watcher.fileChanged.connect(self._database_touched)
        self.second_look = QTimer(self)
        self.second_look.setSingleShot(True)
        self.second_look.setInterval(SECOND_LOOK_MS)
        self.second_look.timeout.connect(self.controller.look_outside)
        self.redraw()
        left_open = controller.left_open()
        if left_open:
            self.show_problem(
                f"A visit from {left_open[0].date_of_service.isoformat()} is still open: see Today."
            )
        self.provider_dialog: SettingsDialog | None = None
        if save_to_disk and first_run_question:
            # First run (no provider name or NPI yet): ask, once the window is up.
            QTimer.singleShot(0, self, self.first_run)

    # -- menus and keys --------------------------------------------------------------------

    def _action(self, menu_name: str, text: str, slot: object, shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self._menus[menu_name].addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self._menus = {
            name: bar.addMenu(name) for name in ("&Visit", "&Timer", "&Report", "Vie&w", "&Tools")
        }
        self.new_visit_action = self._action("&Visit", "&New visit…", self.new_visit, "Ctrl+N")
        self.pause_action = self._action(
            "&Visit", "&Pause / resume", self.controller.pause_or_resume, "Space"
        )
        self.rule_action = self._action(
            "&Visit", "Switch billing &rule…", self.switch_rule, "Ctrl+R"
        )
        self._action("&Visit", "&End visit…", self.end_visit, "Ctrl+Shift+E")
        self._menus["&Visit"].addSeparator()
        self._action("&Visit", "&Correct time…", self.correct_time, "Ctrl+E")
        self._action("&Visit", "&Audit trail…", self.show_audit, "Ctrl+Shift+A")
        self._action("&Visit", "Change &modifiers…", self.change_modifiers, "Ctrl+Shift+M")
        self.stop_action = self._action(
            "&Timer", "&Stop running code", self.controller.stop_running, "Esc"
        )
        self._action("&Timer", "&Add code…", self.add_code, "Ctrl+K")
        self._menus["&Timer"].addSeparator()
        self.key_actions: list[QAction] = []
        for number in range(1, 10):
            action = self._action(
                "&Timer",
                f"Toggle favourite {number}",
                lambda _checked=False, n=number: self.toggle_key(n),
                str(number),
            )
            self.key_actions.append(action)
        self._action("&Report", "Export &visit PDF…", self.reports.export_visit_pdf, "Ctrl+S")
        self._action("&Report", "&Print visit…", self.reports.print_visit, "Ctrl+P")
        self._action(
            "&Report", "Export &day PDF…", lambda: self.reports.export_day(".pdf"), "Ctrl+Shift+S"
        )
        self._action("&Report", "Export day &CSV…", lambda: self.reports.export_day(".csv"))
        self._action("&Report", "Send day's c&harges…", self.reports.send_charges)
        self.compact_action = self._action("Vie&w", "&Compact mode", self.enter_compact, "Ctrl+M")
        self._action("Vie&w", "&Timers", lambda: self.tabs.setCurrentIndex(0), "Ctrl+1")
        self._action("Vie&w", "&Documentation", lambda: self.tabs.setCurrentIndex(1), "Ctrl+2")
        self._action("Vie&w", "T&oday", lambda: self.tabs.setCurrentIndex(2), "Ctrl+3")
        self._action("&Tools", "&Settings…", self.edit_settings, "Ctrl+,")
        self._action("&Tools", "&Restore from backup…", self.restore_backup)
        self._action("&Tools", "&Encrypt patient data…", self.encrypt_data)

    def toggle_key(self, number: int) -> None:
        codes = list(self._tile_codes)
        if number <= len(codes):
            self.controller.toggle(codes[number - 1])

    # -- redraw --------------------------------------------------------------------------

    def redraw(self) -> None:
        tally = self.controller.tally()
        claim = self.controller.review(tally)
        self.header.show_tally(tally)
        self.header.show_performer(self.controller.performer)
        self.now.show_tally(tally, claim.billing if claim is not None else None)
        self.elsewhere.show_running(self.controller.running_elsewhere(self.controller.visit_id))
        self.totals.show_tally(tally, claim)
        self._show_rule_action(tally)
        self.documentation.show_tally(tally)
        self.compact.show_tally(tally, claim)
        codes = self.controller.favourites()
        self.compact.show_codes(codes)
        self.tray.show_tally(tally, codes)
        self._rebuild_tiles(codes)
        running = tally.running_codes if tally is not None else ()
        paused = tally is not None and tally.record.visit.status is VisitStatus.PAUSED
        for code, tile in self.tiles.items():
            line = None
            if tally is not None:
                try:
                    line = tally.code(code)
                except KeyError:
                    line = None
            tile.show_time(
                line.seconds if line else 0,
                line.units if line else 0,
                code in running,
                paused and tally is not None and code in tally.record.visit.paused_codes,
            )
            tile.setEnabled(tally is not None and tally.record.visit.is_open)
        self.add_code_button.setEnabled(tally is not None and tally.record.visit.is_open)
        self.today.show_day(self.controller.today(), self.controller.left_open())
        self.stop_action.setEnabled(bool(running))
        self._arm_ticker()

    def redraw_time(self, tally: VisitTally | None) -> None:
        """A second passed: only what time moves (clocks, units, totals) is redrawn."""
        if tally is None:
            self.redraw()
            return
        claim = self.controller.review(tally)
        self.header.show_tally(tally)
        self.now.show_tally(tally, claim.billing if claim is not None else None)
        if self.elsewhere.isVisible():
            self.elsewhere.show_running(self.controller.running_elsewhere(self.controller.visit_id))
        self.totals.show_tally(tally, claim)
        if self.compact.isVisible():
            self.compact.show_tally(tally, claim)
        self.tray.show_tally(tally, [self.tiles[c].code for c in self._tile_codes])
        paused = tally.record.visit.status is VisitStatus.PAUSED
        for line in tally.codes:
            tile = self.tiles.get(line.code)
            if tile is not None:
                tile.show_time(
                    line.seconds,
                    line.units,
                    line.running,
                    paused and line.code in tally.record.visit.paused_codes,
                )
        self._arm_ticker()

    def _sound_cue(self, _cue: object) -> None:
        """A unit reached, or the next unit a minute away: the system's beep, if the
        therapist turned the sound cue on (Settings); the colour cue shows either way."""
        if self.controller.settings.sound_cues:
            self.beep()

    def beep(self) -> None:
        QApplication.beep()

    def redraw_seconds(self, tally: VisitTally) -> None:
        """A second passed within the minute: only the clocks move (the visit clock, the
        running codes' times). The units, the totals, the claim and the tray's tooltip
        change with whole minutes, so ``redraw_time`` redraws them then."""
        self.header.clock.set_seconds(tally.elapsed_seconds)
        self.now.show_seconds(tally)
        for code in tally.running_codes:
            tile = self.tiles.get(code)
            if tile is not None:
                tile.show_seconds(tally.code(code).seconds)
        if self.compact.isVisible():
            self.compact.show_tally(tally, self.controller.review(tally))
        if self.elsewhere.isVisible():
            self.elsewhere.show_running(self.controller.running_elsewhere(self.controller.visit_id))
        self._arm_ticker()

    def _rebuild_tiles(self, codes: list[Code]) -> None:
        wanted = tuple(code.code for code in codes)
        if wanted == self._tile_codes:
            return
        self._tile_codes = wanted
        for tile in self.tiles.values():
            tile.deleteLater()
        self.tiles = {}
        for index, code in enumerate(codes):
            key = str(index + 1) if index < 9 else ""
            tile = CodeTile(code, key)
            tile.clicked.connect(lambda _checked=False, c=code.code: self.controller.toggle(c))
            self.tiles[code.code] = tile
        self.board.set_tiles(list(self.tiles.values()))
        for number, action in enumerate(self.key_actions, start=1):
            if number <= len(codes):
                action.setText(f"Toggle {codes[number - 1].code} {codes[number - 1].descriptor}")
                action.setEnabled(True)
            else:
                action.setText(f"Toggle favourite {number}")
                action.setEnabled(False)

    # -- layout ------------------------------------------------------------------------------

    def _first_size(self) -> None:
        """Open at ``FIRST_SIZE`` or the screen's free area, whichever is smaller."""
        width, height = FIRST_SIZE
        screen = _application().primaryScreen()
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
        self.resize(width, height)

    def changeEvent(self, event: QEvent) -> None:
        if (
            event.type()
            in (
                QEvent.Type.ApplicationPaletteChange,
                QEvent.Type.PaletteChange,
            )
            and self._styled_for != self.palette().cacheKey()
        ):
            # A style sheet stops a new palette from reaching the widgets under it: set it
            # again once every widget heard of the change, and the whole window takes the
            # desktop's new (light or dark) palette.
            QTimer.singleShot(0, self, self._restyle)
        super().changeEvent(event)

    def _restyle(self) -> None:
        self._styled_for = self.palette().cacheKey()
        self.setStyleSheet("")
        self.setStyleSheet(STYLE)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_details()

    def _place_details(self) -> None:
        """The billing details right of the tabs in a wide window, under them otherwise."""
        wide = self.width() >= WIDE_WINDOW
        if not wide:
            least, share, most = DETAILS_HEIGHT
            height = max(least, min(most, int(self.height() * share)))
            if height != self._details_height:
                self._details_height = height
                self.details.setFixedHeight(height)
        if wide == self._wide:
            return
        self._wide = wide
        self.header.set_wide(wide)
        if wide:
            self.body.setDirection(QBoxLayout.Direction.LeftToRight)
            self._details_height = None
            self.details.setMinimumHeight(0)
            self.details.setMaximumHeight(QWIDGETSIZE_MAX)
            self.details.setFixedWidth(DETAILS_WIDTH)
        else:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
            self.details.setMinimumWidth(0)
            self.details.setMaximumWidth(QWIDGETSIZE_MAX)

    # -- the one-second tick ---------------------------------------------------------------

    def _arm_ticker(self) -> None:
        """Tick on the next whole second, running or not: the clocks move, and another
        process's change must show within a second even when the file watcher misses it
        (a network folder, a -wal that was recreated). An idle tick costs one PRAGMA."""
        if not self.ticker.isActive():
            now = datetime.now()  # aligns the tick to the real second; no time is read from it
            self.ticker.start(1000 - now.microsecond // 1000 + 5)

    def tick(self) -> None:
        self.ticker.stop()
        self.controller.refresh()
        self._arm_ticker()

    def _database_touched(self, _path: str) -> None:
        self.controller.look_outside()
        self.second_look.start()
        self._watch_database()

    def _watch_database(self) -> None:
        """Watch the database and its -wal (again, if a file was replaced since)."""
        path = self.controller.database_path()
        if path is None:
            return
        watched = set(self.watcher.files())
        files = [str(name) for name in (path, path.with_name(path.name + "-wal"))]
        missing = [name for name in files if name not in watched and Path(name).exists()]
        if missing:
            self.watcher.addPaths(missing)

    # -- visit actions ---------------------------------------------------------------------

    def new_visit(self) -> None:
        from ptclock.ui.start_visit_dialog import StartVisitDialog

        dialog = StartVisitDialog(
            self.controller.patient_names(), self.controller.returning_patient, self
        )
        if not self.ask_visit(dialog):
            return
        others = OtherTimers.KEEP
        running = self.controller.running_elsewhere(None)
        if running:
            timers = [f"{code} for {visit.patient}" for visit, code, _ in running]
            answer = self.ask_other_timers(timers, dialog.patient())
            if answer == "cancel":
                return
            others = OtherTimers(answer)
        if self.controller.start_visit(
            dialog.patient(), dialog.payer(), dialog.mrn(), others, dob=dialog.dob()
        ):
            self.tabs.setCurrentIndex(0)

    def ask_visit(self, dialog: StartVisitDialog) -> bool:
        """Whether the therapist filled in the start-visit dialog and pressed Start."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def ask_other_timers(self, timers: list[str], patient: str) -> str:
        """ "stop", "keep" or "cancel": another patient's timer runs as a visit starts."""
        return questions.other_patient_running(self, timers, patient)

    def end_visit(self) -> None:
        tally = self.controller.tally()
        if tally is None or not tally.record.visit.is_open:
            return
        if self.ask_end_visit(tally.record.visit.patient, tally.billing.total_units):
            self.controller.end_visit()

    def ask_end_visit(self, patient: str, units: int) -> bool:
        """Whether the therapist confirmed ending ``patient``'s visit at ``units``."""
        answer = QMessageBox.question(
            self,
            "End visit",
            f"End the visit of {patient}? Timers stop and the visit is "
            f"frozen at {words.units(units)}; corrections stay possible.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def switch_rule(self) -> None:
        """Visit → Use the other billing rule; on a Medicare visit, leaving the CMS 8-minute
        rule is asked first."""
        tally = self.controller.tally()
        if tally is None or not tally.record.visit.is_open:
            return
        rule = Rule.AMA if tally.rule is Rule.CMS else Rule.CMS
        visit = tally.record.visit
        if (
            visit.payer is Payer.MEDICARE
            and rule is not Rule.CMS
            and not self.ask_rule_change(visit.patient, rule)
        ):
            return
        self.controller.set_rule(rule)

    def ask_rule_change(self, patient: str, rule: Rule) -> bool:
        """Whether to bill ``patient``'s Medicare visit under ``rule`` all the same."""
        answer = QMessageBox.question(
            self,
            "Change the billing rule",
            f"{patient}'s visit is billed to Medicare, which counts timed minutes under the "
            f"CMS 8-minute rule. Use the {rule.in_words} for this visit anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _show_rule_action(self, tally: VisitTally | None) -> None:
        """The Visit menu names the rule it switches to ("…": a question comes first)."""
        other = Rule.CMS if tally is not None and tally.rule is Rule.AMA else Rule.AMA
        asks = tally is not None and tally.record.visit.payer is Payer.MEDICARE
        text = f"Use {other.in_words.split(' (')[0]}" + ("…" if asks and other is Rule.AMA else "")
        if self.rule_action.text() != text:
            self.rule_action.setText(text)
        self.rule_action.setEnabled(tally is not None and tally.record.visit.is_open)

    def open_visit(self, visit_id: int) -> None:
        self.controller.open_visit(visit_id)
        self.tabs.setCurrentIndex(0)

    def add_code(self) -> None:
        from ptclock.ui.code_picker import CodePicker

        picker = CodePicker(self.controller.catalog, self)
        if self.ask_code(picker):
            code = picker.chosen()
            if code is not None:
                self.controller.toggle_on(code)

    def ask_code(self, picker: CodePicker) -> bool:
        """Whether the therapist picked a code in the code picker and pressed OK."""
        return picker.exec() == QDialog.DialogCode.Accepted

    def correct_time(self) -> None:
        tally = self.controller.tally()
        if tally is None:
            self.show_problem("Open a visit first.")
            return
        from ptclock.ui.correction_dialog import CorrectionDialog

        dialog = CorrectionDialog(tally, self.controller.favourites(), self)
        if not self.ask_correction(dialog):
            return
        if dialog.moving():
            self.controller.move_minutes(
                dialog.code(), dialog.target(), dialog.minutes(), dialog.reason()
            )
        else:
            self.controller.add_minutes(dialog.code(), dialog.minutes(), dialog.reason())

    def ask_correction(self, dialog: CorrectionDialog) -> bool:
        """Whether the therapist filled in the correction (minutes and reason) and pressed OK."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def change_modifiers(self) -> None:
        tally = self.controller.tally()
        claim = self.controller.review()
        if tally is None or claim is None:
            self.show_problem("Open a visit first.")
            return
        from ptclock.ui.modifier_dialog import ModifierDialog

        dialog = ModifierDialog(tally, self.controller.modifier_reasons(claim), self)
        if self.ask_modifier(dialog):
            self.controller.override_modifier(
                dialog.code(), dialog.modifier(), dialog.adding(), dialog.reason()
            )

    def ask_modifier(self, dialog: ModifierDialog) -> bool:
        """Whether the therapist chose a modifier to add or remove, with a reason, and OK."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def show_audit(self) -> None:
        tally = self.controller.tally()
        if tally is None:
            return
        visit = tally.record.visit
        from ptclock.ui.audit_dialog import AuditDialog

        self.ask_audit(AuditDialog(self.controller.audit_trail(visit.id), visit.zone, self))

    def ask_audit(self, dialog: AuditDialog) -> None:
        """Show the audit trail until the therapist closes it."""
        dialog.exec()

    def save_documentation(self) -> None:
        """Save what was typed (as you type, and before another visit is shown)."""
        panel = self.documentation
        if panel.visit_id is None:
            return
        at = self.controller.wall_clock_now()
        if not panel.unsaved():
            panel.saved(at)
            return
        notes, visit_note = panel.unsaved_notes(), panel.unsaved_visit_note()
        self._failure = ""
        if self.controller.save_documentation(panel.visit_id, notes, visit_note):
            panel.saved(at)
        else:
            panel.not_saved(self._failure or "try again")

    def settings_dialog(self) -> SettingsDialog:
        """Tools → Settings… as it opens: this computer's settings, its catalog, this year."""
        from ptclock.ui.settings_dialog import SettingsDialog

        return SettingsDialog(
            self.controller.settings,
            self.controller.catalog,
            self.controller.local_now().year,
            self,
        )

    def edit_settings(self) -> None:
        dialog = self.settings_dialog()
        if not self.ask_settings(dialog) or dialog.result_settings is None:
            return
        self.use_settings(dialog.result_settings)

    def ask_settings(self, dialog: SettingsDialog) -> bool:
        """Whether the therapist changed the settings and pressed Save."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def use_settings(self, settings: Settings | None) -> None:
        """Save the settings (when this window saves) and use them from now on."""
        if settings is None:
            return
        if self.save_to_disk:
            try:
                save_settings(settings)
            except (OSError, SettingsError) as error:
                self.show_problem(f"Settings were not saved: {error}")
                return
        self.controller.apply_settings(settings)

    def first_run(self) -> None:
        """Until the provider's name and NPI are set, ask for them (and the credentials and
        clinic) as the window opens: every visit stores its provider, and a PDF needs them."""
        settings = self.controller.settings
        if not (settings.provider and settings.npi):
            self.ask_provider()
            return  # one question at a time: encryption is offered at the next start
        self.offer_encryption()

    def offer_encryption(self) -> None:
        """Once (issue 16): a plain store where the computer has a keyring is offered
        encryption; where it has none, the therapist is told the data is not encrypted."""
        from ptclock.restoring import Encryption

        settings = self.controller.settings
        state = self.controller.encryption()
        if settings.encryption_offered or state not in (
            Encryption.CAN_ENCRYPT,
            Encryption.NO_KEYRING,
        ):
            return
        self.use_settings(settings.changed(encryption_offered=True))
        if self.ask_encrypt(with_passphrase=state is Encryption.NO_KEYRING):
            self.encrypt_data(asked=True)
        elif state is Encryption.NO_KEYRING:
            self.show_problem(NO_KEYRING_WORDS)
        else:
            self.show_notice("Not encrypted for now: Tools → Encrypt patient data… does it.")

    def encrypt_data(self, asked: bool = False) -> None:
        """Tools → Encrypt patient data…: the store and its backups encrypted in place, the
        key kept in the system keyring (``ptclock encrypt`` does the same)."""
        from ptclock.restoring import Encryption

        state = self.controller.encryption()
        if state is Encryption.ENCRYPTED:
            self.show_notice("The patient data here is encrypted already.")
            return
        if state is Encryption.IN_MEMORY:
            return
        if not asked and not self.ask_encrypt(with_passphrase=state is Encryption.NO_KEYRING):
            return
        self.save_documentation()
        done = self.controller.encrypt()
        if done is not None:
            copies = len(done.copies)
            also = f" and {copies} backup{'s' if copies != 1 else ''}" if copies else ""
            kept = (
                "The key is stretched from your passphrase: you type it at each start."
                if state is Encryption.NO_KEYRING
                else "The key is kept in the system keyring."
            )
            self.show_notice(
                f"Patient data encrypted: {done.database.name}{also}. {kept} For a backup "
                "to restore on another computer, use ptclock backup --out FILE."
            )

    def ask_encrypt(self, with_passphrase: bool = False) -> bool:
        """Whether to encrypt now (tests replace this method)."""
        how = (
            "This computer has no keyring, so you choose a passphrase next, and type it each "
            "time ptclock starts."
            if with_passphrase
            else "The key is made at random and kept in this computer's keyring, which your "
            "login unlocks; nothing else changes."
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Encrypt patient data",
            "The patient data on this computer (names, visits, notes and their backups) is "
            f"not encrypted: anyone with the disk can read it. Encrypt it now? {how} "
            "Exported PDFs and CSVs stay as they are.",
            parent=self,
        )
        encrypt = box.addButton("Encrypt now", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(encrypt)
        box.exec()
        return box.clickedButton() is encrypt

    def ask_provider(self) -> None:
        """The Settings dialog, headed by what the first run needs, opened without blocking
        (tests replace this method); saved and used when the therapist presses Save."""
        dialog = self.settings_dialog()
        dialog.setWindowTitle("Welcome to ptclock: who is treating?")
        heading = QLabel(
            "Before the first visit: the provider's name, credentials and NPI, and the clinic. "
            "Each visit keeps them, and every PDF is signed with them."
        )
        heading.setWordWrap(True)
        form = dialog.layout()
        if isinstance(form, QFormLayout):
            form.insertRow(0, heading)
        dialog.accepted.connect(lambda: self.use_settings(dialog.result_settings))
        dialog.finished.connect(dialog.deleteLater)
        self.provider_dialog = dialog
        dialog.open()
        dialog.provider.setFocus()

    def restore_backup(self) -> None:
        """Tools → Restore from backup…: a backup in place of the database, the current
        file kept aside (never deleted)."""
        backup = self.ask_backup_file()
        if backup is None or not self.ask_restore(backup):
            return
        self.save_documentation()
        done = self.controller.restore(backup)
        if done is not None:
            kept = (
                f"; the replaced file was kept as {done.kept_aside[0]}" if done.kept_aside else ""
            )
            self.show_notice(f"Restored {done.backup.name}{kept}.")

    def ask_backup_file(self) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Restore from backup", str(paths.backups_dir()), "ptclock backups (*.sqlite3)"
        )
        return Path(chosen) if chosen else None

    def ask_restore(self, backup: Path) -> bool:
        answer = QMessageBox.question(
            self,
            "Restore from backup",
            f"Put {backup.name} in place of the current database? Everything recorded after "
            "that backup is no longer shown; the current database is kept aside, not deleted.",
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- compact mode and tray ---------------------------------------------------------------

    def enter_compact(self) -> None:
        tally = self.controller.tally()
        self.compact.show_codes(self.controller.favourites())
        self.compact.show_tally(tally, self.controller.review(tally))
        self.compact.show()
        self.compact.raise_()
        self.compact.activateWindow()  # Space, Esc and 1-9 reach the strip
        self.hide()

    def leave_compact(self) -> None:
        self.compact.hide()
        self.bring_back()

    def bring_back(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def quit_from_tray(self) -> None:
        self._quitting = True
        self.close()

    # -- questions ----------------------------------------------------------------------------

    # -- clinic mode -------------------------------------------------------------------------

    def show_clinic_view(self) -> None:
        """The "Clinic today" tab and the sync's state in the status bar (clinic mode)."""
        if self.clinic_panel is not None:
            return
        from ptclock.ui.clinic_panel import ClinicPanel

        self.clinic_panel = ClinicPanel()
        self.tabs.addTab(self.clinic_panel, "Clinic today")
        self.clinic_state = QLabel("Clinic: waiting for the first sync…")
        self.clinic_state.setAccessibleName("Clinic sync")
        self.statusBar().addPermanentWidget(self.clinic_state)

    def _show_clinic_news(self, news: ClinicNews) -> None:
        self.show_clinic_view()
        assert self.clinic_panel is not None and self.clinic_state is not None
        self.clinic_panel.show_news(news, self.controller.local_now())
        self.clinic_state.setText(news.short)
        self.clinic_state.setToolTip(news.status)
        if news.shared:
            from ptclock.clinic.sync import with_shared

            settings = with_shared(self.controller.settings, dict(news.shared))
            if settings != self.controller.settings:  # the clinic's name, address, page size
                if self.save_to_disk:
                    save_settings(settings)
                self.controller.apply_settings(settings)

    def show_problem(self, message: str) -> None:
        """A refusal or a fault: in the banner until the therapist dismisses it. In compact
        mode the full window comes back, so no problem goes unseen."""
        self._failure = message
        self.banner.say(message, "problem")
        if self.compact.isVisible():
            self.leave_compact()

    def show_notice(self, message: str) -> None:
        """Something done (a report saved, a clock change handled): in the banner a while."""
        self.banner.say(message, "notice")

    def ask_still_treating(self, code: str) -> None:
        box = questions.still_treating(self, code, self.controller.settings.long_timer_minutes)
        box.finished.connect(
            lambda _result: (
                None if box.property("answer") == "keep" else self.controller.toggle(code)
            )
        )
        box.finished.connect(box.deleteLater)  # answered: gone (a day asks many times)
        self._dialog = box
        box.open()

    def ask_about_sleep(self, jump: ClockJump) -> None:
        box = questions.asleep(self, int(jump.seconds // 60))

        def decide(_result: int) -> None:
            answer = box.property("answer")
            if answer != "keep":
                self.controller.discard_sleep(jump, keep_running=answer == "discard-keep")

        box.finished.connect(decide)
        box.finished.connect(box.deleteLater)
        self._dialog = box
        box.open()

    def ask_on_close(self) -> str:
        """ "keep", "stop" or "cancel": what to do with running timers when closing."""
        return questions.on_close(self, self.tray.available())

    def end_session(self) -> None:
        """The system is ending ptclock (SIGTERM at logout or shutdown): close without a
        question nobody is there to answer. Running timers keep running from their stored
        start, as after any restart."""
        self._ending = True
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.controller.anything_running() and not self._ending:
            choice = self.ask_on_close()
            if choice == "cancel":
                event.ignore()
                return
            if choice == "keep" and self.tray.available() and not self._quitting:
                event.ignore()
                self.hide()
                return
            if choice == "stop" and not self.controller.stop_all():
                event.ignore()  # not stopped (the disk said no): the window stays, and says why
                return
        self.save_documentation()
        if self.documentation.unsaved() and not self._ending:
            event.ignore()  # typing the store refused stays on screen, with the reason
            self.show_problem(
                "The documentation could not be saved, so ptclock stays open: "
                f"{self.documentation.state_label.text()}"
            )
            return
        self.ticker.stop()
        self.second_look.stop()
        self.typing_guard.stop(_application())
        watched = self.watcher.files()
        if watched:
            self.watcher.removePaths(watched)
        self.compact.close()
        self.tray.icon.hide()
        event.accept()


def _application() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "the window needs a QApplication"
    return app
