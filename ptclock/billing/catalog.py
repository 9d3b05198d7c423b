"""The code catalog: which CPT codes exist, what they are called, and whether they are timed.

The catalog is data, not code (docs/billing.md, "Timed and untimed codes"): the shipped
list lives in ``ptclock/resources/codes.csv`` and a clinic adds its own codes (OT, SLP,
local codes) in a ``codes.csv`` of the same shape in its config directory, without a
release. The file format is CSV with a header row ``code,descriptor,kind,category,details``
where ``kind`` is ``timed`` (billed in 15-minute units) or ``untimed`` (billed once per
session); lines starting with ``#`` are comments.

An optional sixth column, ``medicare``, holds what Medicare does with the code when that is
not simply "paid": ``bundled`` (never paid separately, e.g. 97010) or ``not-payable:CODE``
(Medicare does not recognise the code and pays CODE for the service instead, e.g. 97014 →
G0283); empty for the ordinary case. A file without the column (every clinic file written
before it existed) reads exactly as before. ``ptclock.billing.payer_rules`` turns the value
into the sentence a therapist reads; the sources are cited in the shipped ``codes.csv``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ptclock.billing.shipped import shipped_text

CODE_PATTERN = re.compile(r"^[A-Z0-9]{5}$")
"""A CPT or HCPCS code: five characters, digits or capital letters (97110, G0283, 0552T)."""

COLUMNS = ("code", "descriptor", "kind", "category", "details")
OPTIONAL_COLUMNS = ("medicare",)
"""Columns a catalog file may add after ``COLUMNS`` (an older file without them still reads)."""
KINDS = {"timed": True, "untimed": False}
MEDICARE_BUNDLED = "bundled"
MEDICARE_NOT_PAYABLE = "not-payable"
MEDICARE_VALUE = re.compile(r"^(bundled|not-payable(:[A-Z0-9]{5})?)$")
"""``medicare`` column values: empty, ``bundled``, ``not-payable`` or ``not-payable:CODE``."""
MAX_TEXT = 300


class CatalogError(ValueError):
    """A catalog file is malformed; the message names the file and the line (None: the
    file as a whole, e.g. not a regular file)."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        super().__init__(where(source, line, problem))
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
    medicare: str = ""
    """What Medicare does with the code when it is not simply paid: ``""`` (paid as usual),
    ``"bundled"`` or ``"not-payable:G0283"`` (see the module docstring)."""

    @property
    def medicare_instead(self) -> str | None:
        """The code Medicare pays instead of this one (``not-payable:CODE``), if any."""
        status, _, instead = self.medicare.partition(":")
        if status != MEDICARE_NOT_PAYABLE or not instead:
            return None
        return instead

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


MAX_LINE_BYTES = 8 * 1024
"""The longest line a data file may have. A CMS PTP row, a fee or a catalog row is well
under 400 bytes; a longer "line" is binary data or a file without line breaks, refused
before it is held in memory."""

MAX_CSV_BYTES = 64 * 1024 * 1024
"""The largest CSV ptclock reads whole (the clinic's codes, fees, a payer's pairs)."""

NEWLINE = re.compile(rb"\r\n|\r|\n")

FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def where(source: str, line: int | None, problem: str) -> str:
    """``file, line N: problem``, or ``file: problem`` for the file as a whole."""
    return f"{source}: {problem}" if line is None else f"{source}, line {line}: {problem}"


def read_lines(
    path: Path,
    error_type: Any,
    encoding: str = "utf-8",
    max_bytes: int = MAX_CSV_BYTES,
) -> Iterator[str]:
    """The lines of a text file, with their line breaks (``\\n``, ``\\r\\n`` or ``\\r``),
    in constant memory; anything else is ``error_type(source, line, problem)``.

    Only a regular file is opened: a FIFO, a device (``/dev/zero``), a folder or a socket is
    refused from ``stat`` before any ``open`` (an open FIFO would wait for a writer), and the
    open itself is non-blocking and checked to be the file that was looked at. Refused too:
    a file over ``max_bytes``, a line over ``MAX_LINE_BYTES``, a NUL byte (binary data) and,
    for UTF-8, bytes that are not UTF-8 (a BOM at the start is allowed and dropped).
    """
    source = str(path)
    with _open_regular(path, error_type, max_bytes) as stream:
        buffer, start, number, total = b"", 0, 0, 0
        while True:
            chunk = stream.read(256 * 1024)
            total += len(chunk)
            if total > max_bytes:
                raise error_type(source, None, f"is larger than {_size(max_bytes)}")
            buffer = buffer[start:] + chunk
            start = 0
            while True:
                found = NEWLINE.search(buffer, start)
                # A \r at the end of a chunk may be the first half of \r\n.
                if found is None or (chunk and found.end() == len(buffer) and found[0] == b"\r"):
                    break
                number += 1
                yield _line(buffer[start : found.end()], number, source, error_type, encoding)
                start = found.end()
            if len(buffer) - start > MAX_LINE_BYTES:
                raise error_type(
                    source,
                    number + 1,
                    f"is too long (over {MAX_LINE_BYTES} bytes): not a text file?",
                )
            if not chunk:
                if start < len(buffer):
                    yield _line(buffer[start:], number + 1, source, error_type, encoding)
                return


def read_text(
    path: Path, error_type: Any, encoding: str = "utf-8", max_bytes: int = MAX_CSV_BYTES
) -> str:
    """The whole of a text file, read with ``read_lines``'s checks."""
    return "".join(read_lines(path, error_type, encoding, max_bytes))


def _line(raw: bytes, number: int, source: str, error_type: Any, encoding: str) -> str:
    if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        raise error_type(
            source, number, f"is too long (over {MAX_LINE_BYTES} bytes): not a text file?"
        )
    if b"\x00" in raw:
        raise error_type(source, number, "contains binary data (a NUL byte): not a text file?")
    if number == 1 and encoding == "utf-8":
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise error_type(
            source,
            number,
            f"is not {encoding.upper()} text (byte 0x{raw[error.start]:02x} at position "
            f"{error.start + 1}): save the file as {encoding.upper()}",
        ) from None


def _open_regular(path: Path, error_type: Any, max_bytes: int) -> io.BufferedReader:
    source = str(path)
    try:
        seen = path.stat()
        kind = next((words for test, words in FILE_KINDS if test(seen.st_mode)), None)
        if kind is not None or not stat.S_ISREG(seen.st_mode):
            raise error_type(
                source, None, f"is {kind or 'not a regular file'}: give the path of a text file"
            )
        if seen.st_size > max_bytes:
            raise error_type(source, None, f"is larger than {_size(max_bytes)}")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise error_type(source, None, f"cannot be read: {error.strerror}") from None
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (
            seen.st_dev,
            seen.st_ino,
        ):
            raise error_type(source, None, "changed while it was being opened: try again")
        return open(descriptor, "rb", closefd=True)  # noqa: PTH123 (a descriptor, not a path)
    except BaseException:
        os.close(descriptor)
        raise


def _size(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return f"{count} bytes"


def normalize_code(text: str) -> str:
    """Codes are compared without surrounding blanks and in capitals (g0283 is G0283)."""
    return text.strip().upper()


def parse_catalog(text: str, source: str) -> list[Code]:
    """Read catalog rows from CSV text; raise CatalogError naming ``source`` and the line.

    The header is ``COLUMNS`` optionally followed by ``OPTIONAL_COLUMNS`` (``medicare``); a
    row may leave out its trailing empty cells (``details``, ``medicare``).
    """
    codes: list[Code] = []
    seen: dict[str, int] = {}
    header: tuple[str, ...] = ()
    reader = csv.reader(io.StringIO(text))
    for row in csv_rows(reader, source, CatalogError):
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if not header:
            header = _header(cells, source, line)
            continue
        if not len(COLUMNS) - 1 <= len(cells) <= len(header):
            raise CatalogError(
                source,
                line,
                f"expected {len(header)} columns ({', '.join(header)}), found {len(cells)}",
            )
        cells += [""] * (len(COLUMNS) + len(OPTIONAL_COLUMNS) - len(cells))
        code_text, descriptor, kind, category, details, medicare = cells[:6]
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
        medicare = _medicare(medicare, code, source, line)
        seen[code] = line
        codes.append(
            Code(code, descriptor, KINDS[kind.lower()], category, details, source, line, medicare)
        )
    if not header:
        raise CatalogError(source, 1, "the file is empty: it needs the header " + ",".join(COLUMNS))
    return codes


def _header(cells: list[str], source: str, line: int) -> tuple[str, ...]:
    """The columns a header announces: ``COLUMNS``, plus ``medicare`` when it follows them.

    Anything after ``details`` that is not ``medicare`` is ignored, as it always was."""
    names = [cell.lower() for cell in cells]
    if tuple(names[: len(COLUMNS)]) != COLUMNS:
        raise CatalogError(
            source,
            line,
            f"the first row must be the header {','.join(COLUMNS)} "
            f"(optionally followed by {','.join(OPTIONAL_COLUMNS)})",
        )
    extra = names[len(COLUMNS) : len(COLUMNS) + len(OPTIONAL_COLUMNS)]
    return COLUMNS + (OPTIONAL_COLUMNS if tuple(extra) == OPTIONAL_COLUMNS else ())


def _medicare(text: str, code: str, source: str, line: int) -> str:
    value = text.strip().lower()
    if value.startswith(MEDICARE_NOT_PAYABLE + ":"):
        value = MEDICARE_NOT_PAYABLE + ":" + normalize_code(value.partition(":")[2])
    if value and not MEDICARE_VALUE.match(value):
        raise CatalogError(
            source,
            line,
            f"{code}: medicare must be empty, 'bundled', 'not-payable' or "
            f"'not-payable:CODE' (like not-payable:G0283), not {text!r}",
        )
    if value == f"{MEDICARE_NOT_PAYABLE}:{code}":
        raise CatalogError(
            source, line, f"{code}: medicare names the code itself as its substitute"
        )
    return value


def shipped_codes() -> list[Code]:
    """The codes that ship with ptclock, read from the package's resources."""
    text = shipped_text("codes.csv")
    return parse_catalog(text, "ptclock codes.csv")


def load_catalog(clinic_file: Path | None = None) -> Catalog:
    """The shipped catalog plus the clinic's own codes from ``clinic_file`` if it exists.

    A clinic code that repeats a shipped code is reported (with file and line) rather than
    silently replacing the shipped descriptor: two different meanings for one code on a
    claim is exactly the kind of error ptclock is here to prevent.
    """
    codes = shipped_codes()
    if clinic_file is not None and (clinic_file.exists() or clinic_file.is_symlink()):
        # Not only is_file(): a folder, FIFO or device under the name is refused, not ignored.
        text = read_text(clinic_file, CatalogError)
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
    known = {code.code for code in codes}
    for code in codes:
        instead = code.medicare_instead
        if instead is not None and instead not in known:
            raise CatalogError(
                code.source,
                code.line,
                f"{code.code}: medicare names {instead}, which is not in the code catalog; "
                "add it to this file",
            )
    return Catalog(codes)
