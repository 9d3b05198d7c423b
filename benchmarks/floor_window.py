"""The floor for start-up: what ptclock's window cannot start without, in plain PySide6 and
the standard library, with no ptclock code (issue 15).

``run_all.py`` times it next to the bare window (``bare_window.py``) and ``ptclock
--smoke-test``, interleaved, so the table says how much of ptclock's start-up is the design
itself and how much is ptclock's own code. What it pays for, and nothing more:

- the Qt modules the window uses (QtCore, QtGui, QtWidgets) and the namespaces every widget
  program touches (``Qt``'s enums, the style, key sequences, painters, fonts);
- the standard library a timer that keeps its seconds on disk needs: sqlite3 (a WAL database,
  opened and asked for the running timers), json (the settings file), datetime and zoneinfo
  (the local day of a visit);
- the window as specified: a menu bar of five menus and ptclock's 27 actions with their
  shortcuts, a header (name, visit clock, performer, Pause, End visit), the painted "now"
  band, three tabs, ten painted code tiles and an Add button in a scroll area, the billing
  details beside them, a tray icon with its menu; shown at ptclock's size and painted once.

Missing, on purpose: billing, the audit trail, the store's checks, backups and migrations,
the style sheet and every dialog — what ptclock's own code adds is the difference between
this row and ptclock's.
"""

import json
import os
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QIcon,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


class Painted(QWidget):
    """A fixed-size, opaque widget painting a few lines of text, as the tiles, the band and
    the visit clock do; a changed line repaints just its own strip, as theirs do."""

    def __init__(self, lines: list[str], pixels: int, width: int, height: int) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.lines = lines
        self.face = QFont(self.font())
        self.face.setPixelSize(pixels)
        self.face.setBold(True)
        self.setFixedSize(width, height)

    def line_area(self, number: int) -> QRect:
        step = self.face.pixelSize() + 6
        return QRect(10, 8 + number * step, self.width() - 20, step)

    def show_line(self, number: int, text: str) -> None:
        self.lines[number] = text
        self.update(self.line_area(number))

    def paintEvent(self, event: QPaintEvent) -> None:
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().base())
        painter.setFont(self.face)
        for number, line in enumerate(self.lines):
            area = self.line_area(number)
            if area.intersects(event.rect()):
                painter.drawText(area, align, line)
        painter.end()


class Floor:
    """The floor's window and what it keeps: the database, the tray, the painted parts."""

    def __init__(self) -> None:
        self.keep: list[object] = []
        self.window = QMainWindow()
        self.database: sqlite3.Connection | None = None
        self.clock: Painted | None = None
        self.band: Painted | None = None
        self.tiles: list[Painted] = []


def build() -> Floor:
    """Open the floor's database and settings and show its window (QApplication exists)."""
    floor = Floor()
    folder = Path(os.environ.get("PTCLOCK_DATA_DIR") or tempfile.mkdtemp(prefix="floor-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = sqlite3.connect(folder / "floor.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=FULL")
    database.execute(
        "CREATE TABLE IF NOT EXISTS segments "
        "(id INTEGER PRIMARY KEY, visit INTEGER, code TEXT, started TEXT, ended TEXT)"
    )
    database.commit()
    database.execute("SELECT * FROM segments WHERE ended IS NULL").fetchall()
    settings = folder / "settings.json"
    if settings.exists():
        json.loads(settings.read_text(encoding="utf-8"))
    else:
        settings.write_text(json.dumps({"provider": "Jordan Lee"}), encoding="utf-8")
    datetime.now(ZoneInfo("America/Chicago")).date()

    floor.database = database
    window = floor.window
    window.setWindowTitle("floor")
    for name, count in (("Visit", 7), ("Timer", 11), ("Report", 5), ("View", 4), ("Tools", 3)):
        menu = window.menuBar().addMenu(name)
        for number in range(count):
            action = QAction(f"{name} action {number}…", window)
            action.setShortcut(QKeySequence(f"Ctrl+Shift+{number % 10}"))
            menu.addAction(action)
    central = QWidget()
    layout = QVBoxLayout(central)
    header = QHBoxLayout()
    header.addWidget(QLabel("Demo Patient"))
    floor.clock = Painted(["0:31:00"], 28, 180, 40)
    header.addWidget(floor.clock)
    performer = QComboBox()
    performer.addItems(["Performed by PT", "Performed by PTA"])
    header.addWidget(performer)
    header.addWidget(QPushButton("Pause (Space)"))
    header.addWidget(QPushButton("End visit…"))
    layout.addLayout(header)
    floor.band = Painted(["▶ RUNNING 97530", "7:35", "2 units"], 40, 1150, 150)
    layout.addWidget(floor.band)
    board = QWidget()
    grid = QGridLayout(board)
    for number in range(10):
        tile = Painted(
            [f"971{number:02d}", "Therapeutic exercise", "14:20", "1 unit"], 22, 190, 150
        )
        grid.addWidget(tile, number // 4, number % 4)
        floor.tiles.append(tile)
    grid.addWidget(QPushButton("+ Add code…"), 2, 2)
    scroll = QScrollArea()
    scroll.setWidget(board)
    scroll.setWidgetResizable(True)
    tabs = QTabWidget()
    tabs.addTab(scroll, "Timers")
    tabs.addTab(QWidget(), "Documentation")
    tabs.addTab(QWidget(), "Today")
    body = QHBoxLayout()
    body.addWidget(tabs, 1)
    details = QWidget()
    details_layout = QVBoxLayout(details)
    for line in ("Total: 2 units", "CMS 8-minute rule", "Timed minutes: 30", "Billed: 97110 × 1"):
        details_layout.addWidget(QLabel(line))
    body.addWidget(details)
    layout.addLayout(body)
    window.setCentralWidget(central)
    icon = QPixmap(32, 32)
    icon.fill(QColor("darkgreen"))
    tray = QSystemTrayIcon(QIcon(icon), window)
    tray_menu = QMenu()
    tray_menu.addAction("Show ptclock")
    tray.setContextMenu(tray_menu)
    tray.show()
    floor.keep += [tray, tray_menu]
    window.resize(1200, 760)
    window.show()
    return floor


def main() -> None:
    app = QApplication(sys.argv[:1])
    floor = build()
    app.processEvents()
    if floor.database is not None:
        floor.database.close()


if __name__ == "__main__":
    main()
