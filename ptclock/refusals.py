"""The errors whose message is the sentence a therapist reads, from whichever room raised it.

A rule said no (``TimekeeperError``), or the database could not be read or written
(``StoreError``); either way nothing was changed. The window catches ``REFUSALS`` and shows
the message, without knowing the store (an import contract keeps ``ui/`` away from it).
"""

from __future__ import annotations

from ptclock.store.errors import StoreError
from ptclock.timekeeper import TimekeeperError

REFUSALS: tuple[type[Exception], ...] = (TimekeeperError, StoreError)
