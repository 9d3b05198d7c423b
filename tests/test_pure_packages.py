"""billing/ and timing/ must work with Qt and SQL out of reach (they are pure)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import ptclock.billing
import ptclock.timing

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in {'PySide6', 'shiboken6', 'sqlite3', '_sqlite3', 'sqlite_utils'}:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('imported', len(sys.argv) - 1)
"""


def test_pure_packages_import_without_qt_or_sql() -> None:
    names = []
    for package in (ptclock.billing, ptclock.timing):
        names.append(package.__name__)
        names += [
            info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
        ]
    done = subprocess.run([sys.executable, "-c", BLOCKER, *names], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"imported {len(names)}"
    assert len(names) >= 6
