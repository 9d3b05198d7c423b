"""The code catalog: which CPT codes exist, what they are called, and whether they are timed.

The catalog is data, not code (BILLING_RULES.md, "Timed and untimed codes"): the shipped
list lives in ``ptclock/resources/codes.csv`` and a clinic adds its own codes (OT, SLP,
local codes) in a ``codes.csv`` of the same shape in its config directory, without a
release. The file format is CSV with a header row ``code,descriptor,kind,category,details``
where ``kind`` is ``timed`` (billed in 15-minute units) or ``untimed`` (billed once per
session); lines starting with ``#`` are comments.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

CODE_PATTERN = re.compile(r"^[A-Z0-9]{5}$")
"""A CPT or HCPCS code: five characters, digits or capital letters (97110, G0283, 0552T)."""

COLUMNS = ("code", "descriptor", "kind", "category", "details")
KINDS = {"timed": True, "untimed": False}
MAX_TEXT = 300


class CatalogError(ValueError):
    """A catalog file is malformed; the message names the file and the line."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}, line {line}: {problem}")
        self.source = source
        self.line = line
        self.problem = problem


class UnknownCodeError(KeyError):
    """A code that is in neither the shipped catalog nor the clinic's own file."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown code {self.code!r}: not in the code catalog (ptclock codes lists them)"


@dataclass(frozen=True)
class Code:
    """One billable service."""

    code: str
    descriptor: str
    timed: bool
    category: str
    details: str = ""
    source: str = "ptclock"
    line: int = 0

    def matches(self, words: str) -> bool:
        """True when every word of ``words`` is in the code, its name, category or details."""
        haystack = " ".join((self.code, self.descriptor, self.category, self.details)).lower()
        return all(word in haystack for word in words.lower().split())


class Catalog:
    """All known codes, in catalog order. Lookups of unknown codes raise UnknownCodeError."""

    def __init__(self, codes: Iterable[Code]) -> None:
        self._codes: dict[str, Code] = {}
        for code in codes:
            self._codes[code.code] = code

    def __getitem__(self, code: str) -> Code:
        try:
            return self._codes[normalize_code(code)]
        except KeyError:
            raise UnknownCodeError(code) from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalize_code(code) in self._codes

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes.values())

    def __len__(self) -> int:
        return len(self._codes)

    def search(self, words: str) -> list[Code]:
        """Codes whose number, name or description contain all the words ("gait", "manual")."""
        return [code for code in self if code.matches(words)]


def csv_rows(reader: Any, source: str, error_type: Any) -> Iterator[list[str]]:
    """The reader's rows; a CSV the csv module cannot read is ``error_type`` with its line.

    Shared by every CSV ptclock reads (catalog, payer edits, fees).
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise error_type(source, reader.line_num, f"not valid CSV ({error})") from None
        yield row


def normalize_code(text: str) -> str:
    """Codes are compared without surrounding blanks and in capitals (g0283 is G0283)."""
    return text.strip().upper()


def parse_catalog(text: str, source: str) -> list[Code]:
    """Read catalog rows from CSV text; raise CatalogError naming ``source`` and the line."""
    codes: list[Code] = []
    seen: dict[str, int] = {}
    header_seen = False
    reader = csv.reader(io.StringIO(text))
    for row in csv_rows(reader, source, CatalogError):
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if not header_seen:
            if tuple(cell.lower() for cell in cells[: len(COLUMNS)]) != COLUMNS:
                raise CatalogError(
                    source, line, f"the first row must be the header {','.join(COLUMNS)}"
                )
            header_seen = True
            continue
        if len(cells) not in (len(COLUMNS) - 1, len(COLUMNS)):
            raise CatalogError(
                source,
                line,
                f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)}), found {len(cells)}",
            )
        code_text, descriptor, kind, category = cells[:4]
        details = cells[4] if len(cells) == len(COLUMNS) else ""
        code = normalize_code(code_text)
        if not CODE_PATTERN.match(code):
            raise CatalogError(
                source, line, f"{code_text!r} is not a code (five letters or digits, like 97110)"
            )
        if code in seen:
            raise CatalogError(source, line, f"{code} is listed twice (first on line {seen[code]})")
        if not descriptor:
            raise CatalogError(source, line, f"{code} has no descriptor")
        if kind.lower() not in KINDS:
            raise CatalogError(
                source, line, f"{code}: kind must be 'timed' or 'untimed', not {kind!r}"
            )
        if not category:
            raise CatalogError(source, line, f"{code} has no category")
        for name, value in (
            ("descriptor", descriptor),
            ("category", category),
            ("details", details),
        ):
            if len(value) > MAX_TEXT:
                raise CatalogError(
                    source, line, f"{code}: {name} is longer than {MAX_TEXT} characters"
                )
        seen[code] = line
        codes.append(Code(code, descriptor, KINDS[kind.lower()], category, details, source, line))
    if not header_seen:
        raise CatalogError(source, 1, "the file is empty: it needs the header " + ",".join(COLUMNS))
    return codes


def shipped_codes() -> list[Code]:
    """The codes that ship with ptclock, read from the package's resources."""
    text = resources.files("ptclock.resources").joinpath("codes.csv").read_text(encoding="utf-8")
    return parse_catalog(text, "ptclock codes.csv")


def load_catalog(clinic_file: Path | None = None) -> Catalog:
    """The shipped catalog plus the clinic's own codes from ``clinic_file`` if it exists.

    A clinic code that repeats a shipped code is reported (with file and line) rather than
    silently replacing the shipped descriptor: two different meanings for one code on a
    claim is exactly the kind of error ptclock is here to prevent.
    """
    codes = shipped_codes()
    if clinic_file is not None and clinic_file.is_file():
        try:
            text = clinic_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(str(clinic_file), 1, f"cannot be read: {error}") from error
        shipped = {code.code for code in codes}
        clinic = parse_catalog(text, str(clinic_file))
        for code in clinic:
            if code.code in shipped:
                raise CatalogError(
                    str(clinic_file),
                    code.line,
                    f"{code.code} is already a ptclock code; remove it from this file",
                )
        codes.extend(clinic)
    return Catalog(codes)
