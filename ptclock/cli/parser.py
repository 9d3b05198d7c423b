"""An argparse parser whose mistakes are one clear line and exit status 2."""

from __future__ import annotations

import argparse
from typing import NoReturn


class UserError(Exception):
    """Bad input from the person at the keyboard: printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage and then the error; ptclock's contract is one line on stderr."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.prog}: {message} (see {self.prog} --help)")


def code_minutes(text: str) -> tuple[str, int]:
    """``CODE=MINUTES`` → (code, minutes); the message names the argument that is wrong."""
    code, sep, minutes = text.partition("=")
    if not sep:
        raise UserError(f"{text!r}: expected CODE=MINUTES, like 97110=33")
    if not code.strip():
        raise UserError(f"{text!r}: the code is missing before '='")
    return code.strip(), whole_number(minutes, text)


def whole_number(text: str, argument: str, allow_negative: bool = False) -> int:
    """Parse whole minutes; ``argument`` is how the error names what the user typed."""
    cleaned = text.strip()
    digits = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if not digits.isascii() or not digits.isdigit():
        raise UserError(f"{argument!r}: minutes must be a whole number")
    value = int(cleaned)
    if value < 0 and not allow_negative:
        raise UserError(f"{argument!r}: minutes cannot be negative")
    return value
