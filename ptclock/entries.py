"""What a person types, checked once for every door (window, CLI, imports).

Names, MRNs, dates of birth, reasons and notes are cleaned or refused here with one sentence
saying what is wrong and where; nothing is stored until they pass. Pure: no store, no Qt.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from ptclock.formats import clock_text
from ptclock.refused import TimekeeperError

MAX_NAME = 300
MAX_MRN = 64
MAX_TEXT = 4000
MAX_REASON = 500
MAX_CORRECTION_MINUTES = 24 * 60


def patient_name(text: str) -> str:
    """A patient's name as stored: cleaned, never empty (one rule for every door)."""
    name = clean_text(text, "the patient name", MAX_NAME)
    if not name:
        raise TimekeeperError("the patient name is empty")
    return name


MIN_BIRTH_YEAR = 1900


def birth_date(text: str, today: date | None = None) -> date | None:
    """A date of birth as typed: empty is None; else YYYY-MM-DD, a real date from 1900, and
    (given ``today``, the date of service) not after it. One rule for every door."""
    typed = text.strip()
    if not typed:
        return None
    shown = repr(typed if len(typed) <= 20 else typed[:19] + "…")
    born = None
    if len(typed) == 10 and typed[4] == typed[7] == "-" and typed.replace("-", "").isdigit():
        try:
            born = date.fromisoformat(typed)
        except ValueError:
            born = None
    if born is None or not typed.isascii():
        raise TimekeeperError(f"the date of birth {shown} is not a date like 1950-04-30")
    if born.year < MIN_BIRTH_YEAR:
        raise TimekeeperError(
            f"the date of birth {typed} is before {MIN_BIRTH_YEAR}: check the year"
        )
    if today is not None and born > today:
        raise TimekeeperError(
            f"the date of birth {typed} is after the date of service {today.isoformat()}"
        )
    return born


def check_correction(
    minutes: int, code: str | None = None, seconds_before: int | None = None
) -> None:
    """A correction is 1 to 1440 minutes either way; with ``seconds_before`` (the code's
    time now) an addition may not take the code past 24 hours.

    Recorded time beyond a day (a timer left running) is billed and flagged by the tally;
    a correction that would put it there is a typing error, refused. Removing time is always
    allowed (it is how a timer left running is repaired), down to zero.
    """
    if minutes == 0:
        raise TimekeeperError("a correction of 0 minutes changes nothing")
    if abs(minutes) > MAX_CORRECTION_MINUTES:
        raise TimekeeperError(f"{minutes} minutes is more than a day")
    if seconds_before is not None and minutes > 0:
        after = seconds_before + minutes * 60
        if after > MAX_CORRECTION_MINUTES * 60:
            raise TimekeeperError(
                f"adding {minutes} minute{'' if minutes == 1 else 's'} would give "
                f"{code or 'the code'} "
                f"{clock_text(after)}, more than 24 hours on one code: it has "
                f"{clock_text(seconds_before)}"
            )


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder how the text around them shows, so a
name or a note reads differently from what is stored. (The marks U+061C, U+200E and U+200F
only set the direction of neutral characters: kept in notes, where pasted right-to-left
text carries them, and refused in one-line text with the other invisible characters.)"""

JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: part of the spelling in Persian, the Indic scripts and
emoji sequences, so kept there: between two visible characters beyond the Latin and IPA
letters. Anywhere else (in "Ada", at an end, beside a space) they only hide."""


def _joiner_in_place(text: str, index: int) -> bool:
    if index == 0 or index == len(text) - 1:
        return False
    return all(
        ord(neighbour) >= 0x370 and unicodedata.category(neighbour)[0] in "LMNSP"
        for neighbour in (text[index - 1], text[index + 1])
    )


def _refused(text: str, index: int, multiline: bool) -> str | None:
    """Why the character at ``index`` cannot be stored, or None when it can."""
    ch = text[index]
    kind = unicodedata.category(ch)
    if ch in "\n\t" and multiline:
        return None
    if kind == "Cc":
        return "a control character"
    if kind == "Cs":
        return "bytes that are not UTF-8 text"
    if ch in BIDI_CONTROLS:
        return "a bidirectional control character"
    if kind in ("Zl", "Zp") and not multiline:
        return "a line break"
    if kind == "Cf" and not multiline and not (ch in JOINERS and _joiner_in_place(text, index)):
        return "an invisible formatting character"
    return None


def clean_text(text: str, what: str, limit: int, multiline: bool = False) -> str:
    """Trimmed text that shows as what it is; too long is an error, not a cut.

    Refused anywhere: C0 and C1 controls and DEL (one-line text: also tab and newline),
    lone surrogates (undecodable bytes), and the bidi embeddings, overrides and isolates
    (U+202A-E, U+2066-9) that make text read differently from what is stored. One-line
    text (names, MRN, reasons, body part) also refuses every other invisible format
    character (Unicode Cf: bidi marks, zero-width space, word joiner, soft hyphen, BOM,
    tags) and line or paragraph separators; a zero-width (non-)joiner stays only where a
    script or an emoji needs it. Notes keep those, which pasted text often carries.
    """
    for index, ch in enumerate(text):
        if ch.isascii() and (ch.isprintable() or (multiline and ch in "\n\t")):
            continue
        problem = _refused(text, index, multiline)
        if problem is not None:
            raise TimekeeperError(
                f"{what} contains {problem} (U+{ord(ch):04X}, character {index + 1}): remove it"
            )
    text = text.strip()
    if len(text) > limit:
        raise TimekeeperError(f"{what} is longer than {limit} characters")
    return text


def reason(text: str) -> str:
    """The reason a correction or an override is made: required, one line."""
    why = clean_text(text, "the reason", MAX_REASON)
    if not why:
        raise TimekeeperError("a correction needs a reason")
    return why
