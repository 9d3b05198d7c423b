"""An argparse parser whose mistakes are one clear line and exit status 2."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from typing import Any, NoReturn

MAX_ID = 2**63 - 1
"""Visit ids are SQLite rowids: 1 to 2⁶³ − 1."""


class UserError(Exception):
    """Bad input from the person at the keyboard: printed as one line, exit status 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage and then the error; ptclock's contract is one line on stderr.

    ``type=int`` is range-checked as a record id (1 … 2⁶³ − 1) in every subcommand: the only
    whole numbers ptclock's options take are ids, and a larger one must be bad input, not an
    overflow in the store.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("type", int, record_id)

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.prog}: {message} (see {self.prog} --help)")


def record_id(text: str) -> int:
    """A visit id: a whole number from 1 to 2⁶³ − 1 (argparse names the argument)."""
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit():
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a visit id (a whole number)")
    if len(digits) > len(str(MAX_ID)) or not 1 <= int(digits) <= MAX_ID:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a visit id (1 to {MAX_ID}; ptclock visit list shows them)"
        )
    return int(digits)


def shown(text: str, limit: int = 40) -> str:
    """What the user typed, quoted and cut short; an undecodable byte shows as ``\\xff``."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + "".join(_shown_character(ch) for ch in cut) + "'"


def _shown_character(ch: str) -> str:
    if "\udc80" <= ch <= "\udcff":  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{ord(ch) - 0xDC00:02x}"
    if "\ud800" <= ch <= "\udfff":
        return f"\\u{ord(ch):04x}"
    return ch if ch.isprintable() else repr(ch)[1:-1]


def check_arguments(argv: Sequence[str], parser: argparse.ArgumentParser) -> None:
    """Every argument must be text: bytes that are not UTF-8 (they arrive from a POSIX
    command line as lone surrogates, surrogateescape) are one line naming the argument,
    before anything else reads them."""
    for index, argument in enumerate(argv):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            name = argument_name(argv, index, parser)
            value = argument.partition("=")[2] if argument.startswith(f"{name}=") else argument
            raise UserError(f"{name}: {shown(value)} is not UTF-8 text") from None


def argument_name(argv: Sequence[str], index: int, parser: argparse.ArgumentParser) -> str:
    """How an error names argument ``index``: its option (``--patient``), else its place."""
    argument = argv[index]
    if argument.startswith("--") and "=" in argument:
        option = argument.partition("=")[0]
        if option in _options_with_values(parser):
            return option
    before = argv[index - 1] if index > 0 else ""
    if before in _options_with_values(parser):
        return before
    return f"argument {index + 1}"


def _options_with_values(parser: argparse.ArgumentParser) -> set[str]:
    """The option strings, in this parser and its subcommands, that take a value."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found |= _options_with_values(child)
        elif action.option_strings and action.nargs != 0:
            found.update(action.option_strings)
    return found


def code_minutes(text: str) -> tuple[str, int]:
    """``CODE=MINUTES`` → (code, minutes); the message names the argument that is wrong."""
    code, sep, minutes = text.partition("=")
    if not sep:
        raise UserError(f"{text!r}: expected CODE=MINUTES, like 97110=33")
    if not code.strip():
        raise UserError(f"{text!r}: the code is missing before '='")
    return code.strip(), whole_number(minutes, text)


MAX_DIGITS = 9
"""Minutes are checked against a day after parsing; more digits than this is a typo, and
never reaches int() (which refuses over 4,300 digits with an exception of its own)."""


def whole_number(text: str, argument: str, allow_negative: bool = False) -> int:
    """Parse whole minutes; ``argument`` is how the error names what the user typed."""
    cleaned = text.strip()
    digits = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    if not digits.isascii() or not digits.isdigit():
        raise UserError(f"{shown(argument)}: minutes must be a whole number")
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise UserError(f"{shown(argument)}: {len(digits)} digits is far too many minutes")
    value = int(cleaned)
    if value < 0 and not allow_negative:
        raise UserError(f"{shown(argument)}: minutes cannot be negative")
    return value


def service_date(text: str) -> date:
    """A ``--date`` argument: an ISO date, or one clear line."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None
