"""Where ``ptclock`` (and ``python -m ptclock``, and the frozen app) starts.

The command line parses the arguments and runs a command; with no command it opens the
window. The window lives in ``ptclock.app``, which the command line does not import: it is
handed the way to open it here, so the house is built from the top down (``main`` knows
``cli`` and ``app``; neither knows the other; both get their Timekeeper from
``ptclock.assembly``). Qt is only imported when the window really opens.

Start-up is what a therapist waits for (issue 15): arguments that can only mean "open the
window" (none, ``--demo``, ``--smoke-test``, ``--data-dir DIR``, each spelled in full) open
it without building the command line's parser and importing every command. Anything else —
``--help``, a command, an abbreviation, a mistake — goes to the command line, which answers
exactly as it always did; an error while the window opens is reported by it too.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    wanted = window_arguments(arguments)
    if wanted is None:
        from ptclock import cli

        return cli.main(arguments, open_window=open_window)
    demo, smoke_test, data_dir = wanted
    try:
        if data_dir is not None:
            from ptclock import paths

            paths.use_data_dir(Path(data_dir))
        return open_window(demo, smoke_test)
    except Exception as error:  # answered as the command line answers it, or raised
        from ptclock import cli

        status = cli.exit_status(error)
        if status is None:
            raise
        return status


def window_arguments(argv: Sequence[str]) -> tuple[bool, bool, str | None] | None:
    """(demo, smoke test, data folder) when ``argv`` only asks for the window, as the
    command line's parser would read it; None for anything else, which the command line
    parses (and answers, for a mistake, with its one line and exit status 2).

    Only full spellings are taken here, and a ``--data-dir`` value that is not empty, does
    not start with "-" and is UTF-8 text; repeated options work as in argparse (the last
    ``--data-dir`` wins).
    """
    demo = smoke_test = False
    data_dir: str | None = None
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument == "--demo":
            demo = True
        elif argument == "--smoke-test":
            smoke_test = True
        elif argument == "--data-dir" and index + 1 < len(argv) and _plain(argv[index + 1]):
            index += 1
            data_dir = argv[index]
        elif argument.startswith("--data-dir=") and _plain(argument[len("--data-dir=") :]):
            data_dir = argument[len("--data-dir=") :]
        else:
            return None
        index += 1
    return demo, smoke_test, data_dir


def _plain(value: str) -> bool:
    """A value argparse takes as it is: not empty, not an option, and UTF-8 text."""
    if not value or value.startswith("-"):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def open_window(demo: bool, smoke_test: bool) -> int:
    from ptclock.app import run_window

    return run_window(demo=demo, smoke_test=smoke_test)
