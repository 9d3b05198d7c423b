"""The error a rule or a typed value raises when it says no: nothing was changed.

Its message is the sentence the therapist reads (the window shows it, the CLI prints it and
exits 2). Raised by the Timekeeper, the typed-entry checks and the billing-data imports.
"""

from __future__ import annotations


class TimekeeperError(ValueError):
    """An intention that cannot be carried out; nothing was changed."""
