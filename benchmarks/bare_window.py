"""The floor for start-up: a bare PySide6 program that shows one window and exits.

A file of its own, as small as a program can be, so the baseline pays for nothing but
Python, PySide6, a QApplication and one shown label (``run_all.py`` times it next to
``ptclock --smoke-test``).
"""

import sys

from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("bare")
label.show()
app.processEvents()
