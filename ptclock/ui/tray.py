"""The tray icon: the running code in its tooltip; its menu stops or switches the code."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ptclock.billing import Code
from ptclock.timing.tally import VisitTally
from ptclock.ui.compact_strip import status_line


class TrayIcon(QObject):
    show_window = Signal()
    stop_requested = Signal()
    switch_requested = Signal(str)
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icon, self)
        self.menu = QMenu()
        self.stop_action = QAction("Stop", self.menu)
        self.stop_action.triggered.connect(self.stop_requested)
        self.switch_menu = QMenu("Switch to")
        show = QAction("Show ptclock", self.menu)
        show.triggered.connect(self.show_window)
        quit_action = QAction("Quit ptclock", self.menu)
        quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.stop_action)
        self.menu.addMenu(self.switch_menu)
        self.menu.addSeparator()
        self.menu.addAction(show)
        self.menu.addAction(quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(lambda _reason: self.show_window.emit())
        self._codes: tuple[str, ...] = ()
        self.tooltip = ""

    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def show_tally(self, tally: VisitTally | None, codes: list[Code]) -> None:
        tooltip = f"ptclock — {status_line(tally, seconds=False)}"  # per minute
        if tooltip != self.tooltip:
            self.tooltip = tooltip
            self.icon.setToolTip(tooltip)
        running = tally.running_codes if tally is not None else ()
        self.stop_action.setText(f"Stop {' + '.join(running)}" if running else "Stop")
        self.stop_action.setEnabled(bool(running))
        wanted = tuple(code.code for code in codes)
        if wanted != self._codes:
            self._codes = wanted
            self.switch_menu.clear()
            for code in codes:
                action = self.switch_menu.addAction(f"{code.code}  {code.descriptor}")
                action.triggered.connect(
                    lambda _checked=False, c=code.code: self.switch_requested.emit(c)
                )
        self.switch_menu.setEnabled(tally is not None and tally.record.visit.is_open)
