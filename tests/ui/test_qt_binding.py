"""The Qt binding a window can run on all day.

PySide6 6.12.0 dropped one reference to ``None`` on every void method call on Python < 3.12;
at about 25 such calls a tick the window aborted nine minutes into a timer. These tests
fail on such a binding within seconds, where the window would die after minutes.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

ROOT = Path(__file__).parents[2]
VOID_CALLS = 200_000


def pinned_binding() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.findall(r'^\s*"PySide6-Essentials==([\d.]+)",$', text, re.MULTILINE)
    assert len(found) == 1, "pyproject.toml does not pin the Qt binding to one release"
    return str(found[0])


def test_the_installed_binding_is_the_pinned_one() -> None:
    # The installer freezes whatever is installed: it must be the release the pin names.
    assert metadata.version("PySide6-Essentials") == pinned_binding()
    assert metadata.version("shiboken6") == pinned_binding()


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: no count to drop"
)
def test_void_calls_leave_the_count_of_none_alone(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    texts = ("0:01", "0:02")
    label.setText(texts[1])
    before = sys.getrefcount(None)
    for index in range(VOID_CALLS // 2):
        label.setText(texts[index % 2])  # a void call, as every tick makes
        label.update()
    after = sys.getrefcount(None)
    assert label.text() == texts[(VOID_CALLS // 2 - 1) % 2]
    # A leaking binding loses one reference per call: 200,000 here. A sound one, none.
    assert abs(after - before) < 10, f"None lost {before - after} references"
