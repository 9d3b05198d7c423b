"""Where ``ptclock`` (and ``python -m ptclock``, and the frozen app) starts.

The command line parses the arguments and runs a command; with no command it opens the
window. The window lives in ``ptclock.app``, which the command line does not import: it is
handed the way to open it here, so the house is built from the top down (``main`` knows
``cli`` and ``app``; neither knows the other; both get their Timekeeper from
``ptclock.assembly``). Qt is only imported when the window really opens.
"""

from __future__ import annotations

from collections.abc import Sequence

from ptclock import cli


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, open_window=open_window)


def open_window(demo: bool, smoke_test: bool) -> int:
    from ptclock.app import run_window

    return run_window(demo=demo, smoke_test=smoke_test)
