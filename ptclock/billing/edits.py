"""NCCI procedure-to-procedure (PTP) edits: which code of a pair is paid, and whether a
modifier can bypass the edit.

Source: docs/billing.md, "NCCI edits", and the sources cited row by row in
``ptclock/resources/ncci_pairs.csv``. Of a pair, only the column-1 code is paid unless the
modifier indicator is 1 and a modifier (59, or the more specific XE/XS/XP/XU) on the
column-2 line is justified by distinct, separately documented time blocks (APTA, "NCCI Code
Edits: Your Questions Answered", 2020; AAPC, "Get Confident With Your Modifier 59
Placement"). Indicator 0: never bypassable; 9: the edit was deleted retroactively and never
applies. An edit is in force on a date of service from its effective date up to the day
before its deletion date.

The shipped table and a payer's own pairs share one CSV shape: ``column1, column2, modifier,
effective, deletion, source`` and an optional ``note`` (the edit in plain words). In the
shipped table ``source`` holds keys of the ``# source KEY: citation`` comment lines at the
top of the file (``shipped_sources`` reads them); a payer's file may put any text there.

CMS publishes the practitioner PTP edits quarterly as tab-delimited text after a few
preamble lines: Column 1, Column 2, "in existence prior to 1996" flag, Effective Date
(YYYYMMDD), Deletion Date (YYYYMMDD or ``*``), Modifier (0/1/9), PTP Edit Rationale. The
import streams the file (a million lines in constant memory) and keeps only the rows whose
two codes are in the catalog.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptclock.billing.catalog import (
    MAX_CSV_BYTES,
    MAX_LINE_BYTES,
    Catalog,
    csv_rows,
    normalize_code,
    read_lines,
    where,
)
from ptclock.billing.shipped import shipped_text
from ptclock.billing.time_blocks import BlockCheck, BlockKind

CODE = re.compile(r"^[A-Z0-9]{5}$")
BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
"""The modifiers that bypass an edit with indicator 1 on the column-2 line."""
MAX_PTP_BYTES = 1 << 30
"""CMS's practitioner PTP files are tens of megabytes each; a gigabyte is not one of them."""


class EditFileError(ValueError):
    """A malformed edits file; the message names the file and line (None: the whole file,
    e.g. not a regular file or too large). Nothing was imported."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        super().__init__(where(source, line, problem))
        self.line = line


def edits_file_lines(path: Path) -> Iterator[str]:
    """The lines of an edits file as the import reads them (``.csv``: a payer's pairs in
    UTF-8; else CMS's PTP text, Latin-1), with ``read_lines``'s checks: a regular file only
    (never a FIFO or ``/dev/zero``), no line over 8 KiB, no NUL bytes, at most 1 GiB."""
    if path.suffix.lower() == ".csv":
        return read_lines(path, EditFileError, "utf-8", MAX_CSV_BYTES)
    return read_lines(path, EditFileError, "latin-1", MAX_PTP_BYTES)


@dataclass(frozen=True)
class PtpEdit:
    column1: str
    column2: str
    modifier: int
    effective: date
    deletion: date | None = None
    source: str = ""
    """Where the edit comes from: the shipped table's source keys, CMS's rationale for an
    imported edit, or a payer file's text."""
    payer: str = ""
    """Empty for CMS's edits; a payer's name for its own extra pairs."""
    note: str = ""
    """The edit in plain words (the shipped table's ``note`` column)."""

    def in_force(self, day: date) -> bool:
        if self.modifier == 9 or day < self.effective:
            return False
        return self.deletion is None or day < self.deletion

    @property
    def bypassable(self) -> bool:
        return self.modifier == 1


@dataclass(frozen=True)
class ImportResult:
    edits: tuple[PtpEdit, ...]
    read: int
    kept: int
    rejected: int
    """Rows read but not kept: a code outside the catalog (not a PT code)."""

    @property
    def summary(self) -> str:
        return (
            f"{self.read} edits read, {self.kept} kept, {self.rejected} rejected "
            "(codes not in the catalog)"
        )


class EditTable:
    """The edits in force: CMS's (shipped or imported) and payers' own pairs."""

    def __init__(self, edits: Iterable[PtpEdit]) -> None:
        self.edits = tuple(edits)
        self._by_pair: dict[frozenset[str], list[PtpEdit]] = {}
        for edit in self.edits:
            self._by_pair.setdefault(frozenset((edit.column1, edit.column2)), []).append(edit)

    def __len__(self) -> int:
        return len(self.edits)

    def applying(self, codes: Iterable[str], day: date, payer: str = "") -> list[PtpEdit]:
        """The edits in force on ``day`` between any two of ``codes`` (for this payer)."""
        present = list(dict.fromkeys(normalize_code(code) for code in codes))
        found = []
        for index, first in enumerate(present):
            for second in present[index + 1 :]:
                for edit in self._by_pair.get(frozenset((first, second)), []):
                    if edit.in_force(day) and edit.payer in ("", payer):
                        found.append(edit)
        return found


@dataclass(frozen=True)
class EditFinding:
    """An edit that applies between two codes billed together, with the time-block check
    behind a 59/XU (indicator 1 only) and the sentence the therapist reads."""

    edit: PtpEdit
    blocks: BlockCheck | None
    payer: str = ""
    """The claim's payer as a therapist reads it ("Medicare"); empty: not named."""
    modifier: str = ""
    """The modifier ptclock puts on the column-2 line when the blocks support it (XU for
    Medicare, 59 for other payers); empty: "59 or XU"."""
    on_line: tuple[str, ...] | None = None
    """The bypass modifiers on the column-2 line once the therapist's changes are applied;
    None: not known (ptclock's suggestion is assumed to stand)."""

    @property
    def message(self) -> str:
        """One sentence: what is wrong, in plain words, and what to do (or that ptclock did
        it). "97140 and 97530 are billed together: Medicare pays both only if they were done
        in separate time blocks — they were (97140 at 10:02–10:14; 97530 at 10:14–10:31), so
        XU is added to 97530." """
        first, second = self.edit.column1, self.edit.column2
        head = f"{first} and {second} are billed together: "
        if not self.edit.bypassable:
            return (
                f"{head}only {first} is paid and no modifier changes that, so {second} will "
                f"be denied — check that {second} belongs on this claim."
            )
        pays = f"{self.payer} pays both" if self.payer else "both are paid"
        modifier = self.modifier or "59 or XU"
        change = "(Visit → Change modifiers…)"
        on_line = self.on_line
        if self.blocks is None:
            return (
                f"{head}{pays} only if {second} carries {modifier} and your note shows they "
                "were separate services."
            )
        blocks = self.blocks
        if blocks.supportable:
            how = (
                ", in split blocks as CMS's example allows"
                if blocks.kind is BlockKind.SPLIT
                else ""
            )
            shown = f"they were{how} ({blocks.evidence})"
            if on_line is not None and not on_line:
                return (
                    f"{head}{pays} only if they were done in separate time blocks — {shown}, "
                    f"but {modifier} was taken off {second}, so {second} will not be paid: "
                    f"add it back {change} if your note shows the separate blocks."
                )
            on = on_line[0] if on_line else modifier
            return (
                f"{head}{pays} only if they were done in separate time blocks — {shown}, so "
                f"{on} is added to {second}."
            )
        if on_line:
            return (
                f"{head}{pays} only if they were done in separate time blocks, but "
                f"{blocks.problem}; {on_line[0]} was added to {second} by hand, so make sure "
                "your note documents the separate blocks."
            )
        return (
            f"{head}{pays} only if they were done in separate time blocks, but "
            f"{blocks.problem}, so {second} will not be paid: if they were separate, document "
            f"the blocks and add {modifier} with a reason {change}; if not, bill only one "
            "of them."
        )


def _date(text: str, source: str, line: int, what: str, compact: bool) -> date:
    try:
        if compact:
            if len(text) != 8 or not text.isdigit():
                raise ValueError
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return date.fromisoformat(text)
    except ValueError:
        form = "YYYYMMDD" if compact else "YYYY-MM-DD"
        raise EditFileError(source, line, f"{what} {text!r} is not a date ({form})") from None


def _indicator(text: str, source: str, line: int) -> int:
    if text not in ("0", "1", "9"):
        raise EditFileError(source, line, f"modifier indicator {text!r} must be 0, 1 or 9")
    return int(text)


def parse_cms_ptp(lines: Iterable[str], catalog: Catalog, source: str) -> ImportResult:
    """Read a CMS practitioner PTP file, streaming; raise EditFileError on a malformed row.

    Lines before the first row whose first two fields are codes are the preamble (titles,
    column headings). After that every non-blank line must be a complete edit.
    """
    kept: list[PtpEdit] = []
    read = 0
    started = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if len(line) > MAX_LINE_BYTES:
            raise EditFileError(source, number, "is too long: not a CMS PTP file?")
        if "\x00" in line:
            raise EditFileError(source, number, "contains binary data (a NUL byte)")
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        looks_like_edit = len(fields) >= 2 and CODE.match(fields[0]) and CODE.match(fields[1])
        if not started:
            if not looks_like_edit:
                continue
            started = True
        if not looks_like_edit:
            raise EditFileError(source, number, "expected two codes separated by a tab")
        if len(fields) < 6:
            raise EditFileError(
                source, number, f"expected 7 tab-separated columns, found {len(fields)}"
            )
        read += 1
        effective = _date(fields[3], source, number, "effective date", compact=True)
        deletion = (
            None
            if fields[4] == "*"
            else _date(fields[4], source, number, "deletion date", compact=True)
        )
        if deletion is not None and deletion < effective:
            raise EditFileError(source, number, "deletion date is before the effective date")
        indicator = _indicator(fields[5], source, number)
        if fields[0] in catalog and fields[1] in catalog:
            rationale = fields[6] if len(fields) > 6 else ""
            kept.append(
                PtpEdit(fields[0], fields[1], indicator, effective, deletion, rationale[:200])
            )
    if not started:
        raise EditFileError(source, 1, "no edits found: is this a CMS PTP file?")
    return ImportResult(tuple(kept), read, len(kept), read - len(kept))


PAYER_COLUMNS = ("column1", "column2", "modifier", "effective", "deletion", "source")
OPTIONAL_PAIR_COLUMNS = ("note",)
"""Columns a pairs file may add after ``PAYER_COLUMNS`` (a file without them still reads)."""
MAX_SOURCE = 200
MAX_NOTE = 500
SOURCE_LINE = re.compile(r"^#\s*source\s+([A-Za-z0-9][A-Za-z0-9._-]*)\s*:\s*(\S.*)$")
"""``# source KEY: citation`` — a source the rows of a pairs file name by KEY."""


def parse_pairs_csv(text: str, catalog: Catalog, source: str, payer: str = "") -> list[PtpEdit]:
    """Pairs from a CSV with the shipped table's columns (a payer's own edits).

    The header is ``PAYER_COLUMNS``, optionally followed by ``note``; a row may leave out
    its trailing ``note``. Lines starting with ``#`` are comments (the ``# source`` lines
    included: ``parse_sources`` reads those).
    """
    edits = []
    reader = csv.reader(io.StringIO(text))
    header: tuple[str, ...] = ()
    for row in csv_rows(reader, source, EditFileError):
        number = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if not header:
            names = tuple(c.lower() for c in cells)
            if names[: len(PAYER_COLUMNS)] != PAYER_COLUMNS:
                raise EditFileError(
                    source, number, "the first row must be the header " + ",".join(PAYER_COLUMNS)
                )
            extra = names[len(PAYER_COLUMNS) : len(PAYER_COLUMNS) + len(OPTIONAL_PAIR_COLUMNS)]
            header = PAYER_COLUMNS + (
                OPTIONAL_PAIR_COLUMNS if extra == OPTIONAL_PAIR_COLUMNS else ()
            )
            continue
        if not len(PAYER_COLUMNS) <= len(cells) <= len(header):
            expected = (
                str(len(PAYER_COLUMNS))
                if len(header) == len(PAYER_COLUMNS)
                else f"{len(PAYER_COLUMNS)} or {len(header)}"
            )
            raise EditFileError(source, number, f"expected {expected} columns, found {len(cells)}")
        first, second = normalize_code(cells[0]), normalize_code(cells[1])
        for code in (first, second):
            if code not in catalog:
                raise EditFileError(source, number, f"unknown code {code!r}")
        if first == second:
            raise EditFileError(source, number, f"{first} is paired with itself")
        effective = _date(cells[3], source, number, "effective date", compact=False)
        deletion = (
            _date(cells[4], source, number, "deletion date", compact=False) if cells[4] else None
        )
        if deletion is not None and deletion < effective:
            raise EditFileError(source, number, "deletion date is before the effective date")
        note = cells[6] if len(cells) > len(PAYER_COLUMNS) else ""
        edits.append(
            PtpEdit(
                first,
                second,
                _indicator(cells[2], source, number),
                effective,
                deletion,
                cells[5][:MAX_SOURCE],
                payer,
                note[:MAX_NOTE],
            )
        )
    if not header:
        raise EditFileError(source, 1, "the file is empty")
    return edits


def parse_sources(text: str) -> dict[str, str]:
    """The ``# source KEY: citation`` lines of a pairs file, as {KEY: citation}."""
    found = {}
    for line in text.splitlines():
        match = SOURCE_LINE.match(line.strip())
        if match:
            found[match[1]] = match[2].strip()
    return found


def source_keys(edit: PtpEdit) -> tuple[str, ...]:
    """The source keys a shipped row names (``"CMS-MOD59;WEBPT-2023"`` → two keys)."""
    return tuple(key.strip() for key in edit.source.split(";") if key.strip())


def _shipped_text() -> str:
    return shipped_text("ncci_pairs.csv")


def shipped_sources() -> dict[str, str]:
    """The sources the shipped table cites, {key: title, date and URL}."""
    return parse_sources(_shipped_text())


def shipped_edits(catalog: Catalog) -> list[PtpEdit]:
    """The pairs shipped with ptclock (each with its source keys and note); CMS's quarterly
    file, once imported, replaces them (``billing_data.edit_table``)."""
    return parse_pairs_csv(_shipped_text(), catalog, "ptclock ncci_pairs.csv")
