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
    clinic_today(window, app)
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
    names = [*shots, "documentation.png", "clinic-today.png", "compact-mode.png"]
    names.append("visit-summary.png")
    print("wrote", ", ".join(names))
    return 0


def clinic_today(window: MainWindow, app: QApplication) -> None:
    """The Clinic today tab as a workstation of a clinic shows it: the news its sync thread
    hands the window (here made up, so no clinic database is needed for the picture)."""
    from datetime import timedelta

    from ptclock.clinic.background import ClinicNews
    from ptclock.clinic.clinic_now import Treating

    now = window.controller.local_now()
    treating = (
        Treating("Gym", "Jordan Lee", "Ada Lovelace", "open", now - timedelta(minutes=21),
                 (("97110", now - timedelta(minutes=9)),)),
        Treating("Table 2", "Sam Kim", "Bo Chen", "open", now - timedelta(minutes=14),
                 (("97140", now - timedelta(minutes=14)),)),
        Treating("Front desk", "Ana Ruiz", "Cy Diaz", "paused", now - timedelta(minutes=32), ()),
    )  # fmt: skip
    sent = now.strftime("%H:%M")
    window.show_clinic_view()
    window.clinic_news.emit(
        ClinicNews(
            f"Clinic: nothing waiting to be sent; last sent at {sent}.",
            f"Clinic ✓ up to date (sent at {sent})",
            True,
            treating,
        )
    )
    assert window.clinic_panel is not None
    window.tabs.setCurrentWidget(window.clinic_panel)
    app.processEvents()
    window.grab().save(str(IMAGES / "clinic-today.png"))


if __name__ == "__main__":
    sys.exit(main())
