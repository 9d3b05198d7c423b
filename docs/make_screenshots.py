"""Make the screenshots in README and the user guide from ``ptclock --demo`` (offscreen).

Run: .venv/bin/python docs/make_screenshots.py   (writes docs/images/*.png)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from ptclock import assembly
from ptclock.app import make_demo_data
from ptclock.report.export import export_visit
from ptclock.ui.controller import SessionController
from ptclock.ui.main_window import MainWindow

IMAGES = Path(__file__).with_name("images")


def main() -> int:
    app = QApplication(sys.argv[:1])
    make_demo_data()
    keeper = assembly.timekeeper()
    window = MainWindow(SessionController(keeper), save_to_disk=False)
    window.resize(1200, 760)
    window.show()
    app.processEvents()
    IMAGES.mkdir(exist_ok=True)
    shots = {"main-window.png": window}
    window.grab().save(str(IMAGES / "main-window.png"))
    window.tabs.setCurrentIndex(1)
    app.processEvents()
    window.grab().save(str(IMAGES / "documentation.png"))
    window.tabs.setCurrentIndex(0)
    window.enter_compact()
    app.processEvents()
    window.compact.grab().save(str(IMAGES / "compact-mode.png"))
    window.ticker.stop()
    keeper.set_visit_note("Tolerated well; progress step height next visit.")
    keeper.end()
    pdf = export_visit(
        keeper,
        keeper.store.visits_on(keeper.visit(1).date_of_service)[0].id,
        IMAGES / "visit-summary.pdf",
    )
    # The first page as a picture (pdftoppm, from poppler-utils).
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(IMAGES / "visit-summary")],
        check=True,
    )
    pdf.unlink()
    keeper.store.close()
    names = [*shots, "documentation.png", "compact-mode.png", "visit-summary.png"]
    print("wrote", ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
