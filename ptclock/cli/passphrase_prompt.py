"""The command line's passphrase, where the computer has no keyring (``store/keys.py``):
typed on the terminal, not echoed, or given to a script in PTCLOCK_PASSPHRASE."""

from __future__ import annotations

import getpass
import os
import sys

from ptclock.cli.parser import UserError
from ptclock.store import keys

ENVIRONMENT = "PTCLOCK_PASSPHRASE"


def ask_on_terminal(new: bool) -> str | None:
    """The passphrase, or None when there is no terminal to ask on and no PTCLOCK_PASSPHRASE.
    Choosing one (``new``): the one-time explanation, then typed twice."""
    given = os.environ.get(ENVIRONMENT)
    if given:
        return given
    if not sys.stdin.isatty():
        return None
    if not new:
        return typed("Passphrase for ptclock's patient data: ")
    print(keys.CHOOSING_WORDS, file=sys.stderr)
    first = typed("Choose a passphrase: ")
    try:
        keys.check_passphrase(first)
    except ValueError as error:
        raise UserError(f"{error}; nothing was changed") from None
    if typed("Type it again: ") != first:
        raise UserError("the two passphrases typed differ; nothing was changed")
    return first


def typed(prompt: str) -> str:
    """What the person types, not echoed; Ctrl-D or Ctrl-C is one sentence, not a trace."""
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)  # the prompt's line ends
        raise UserError("nothing was typed; nothing was changed") from None
