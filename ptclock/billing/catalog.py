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
import os
import re
import stat
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
    return Catalog(codes)
