"""The data files that ship with ptclock (``ptclock/resources``), read as text.

The file beside the package serves a checkout, a wheel and the frozen app alike;
importlib.resources, which costs about 3 ms of start-up to import and use, is asked only for
an unusual install (a zip), where there is no such file (issue 15).
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).parent.parent / "resources"


def shipped_text(name: str) -> str:
    """The UTF-8 text of the shipped file ``name`` (``"codes.csv"``)."""
    beside = RESOURCES / name
    if beside.is_file():
        return beside.read_text(encoding="utf-8")
    from importlib import resources

    return resources.files("ptclock.resources").joinpath(name).read_text("utf-8")
