"""Reading the charge files back the way a billing system would: HL7 through hl7apy in strict
validation, FHIR through the R4B models, CSV through ``csv.reader``.

Independent of ``ptclock.charges``: the HL7 escapes are decoded here from the standard
(v2.5.1 chapter 2.7), not with the code under test.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from hl7apy.consts import VALIDATION_LEVEL  # type: ignore[import-untyped]
from hl7apy.core import Group, Message, Segment  # type: ignore[import-untyped]
from hl7apy.parser import parse_message, parse_segment  # type: ignore[import-untyped]

BATCH_SEGMENTS = ("FHS", "BHS", "BTS", "FTS")
ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}


def segments(batch_file: str) -> list[str]:
    """The file's segments; every one, the last too, ends with a carriage return."""
    assert batch_file.endswith("\r"), "the last segment is not ended by a carriage return"
    assert "\n" not in batch_file, "a line feed in the file: segments end with \\r only"
    return batch_file[:-1].split("\r")


def message_texts(batch_file: str) -> list[str]:
    """Each message (MSH up to the next MSH or batch segment), segments joined by \\r."""
    out: list[list[str]] = []
    current: list[str] | None = None
    for segment in segments(batch_file):
        if segment.startswith("MSH|"):
            current = [segment]
            out.append(current)
        elif segment[:3] in BATCH_SEGMENTS:
            current = None
        else:
            assert current is not None, f"segment outside a message: {segment[:20]!r}"
            current.append(segment)
    return ["\r".join(message) for message in out]


def parse_strict(text: str) -> Any:
    """One DFT^P03, parsed in strict validation with its groups, and validated."""
    message = parse_message(text, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    assert isinstance(message, Message)
    assert message.validate() is True
    return message


def batch_segment(batch_file: str, name: str) -> Any:
    """BTS or FTS, parsed by hl7apy in strict validation."""
    found = [s for s in segments(batch_file) if s.startswith(name + "|")]
    assert len(found) == 1, f"{len(found)} {name} segments"
    segment = parse_segment(found[0], version="2.5.1", validation_level=VALIDATION_LEVEL.STRICT)
    assert isinstance(segment, Segment)
    return segment


def parsed_messages(batch_file: str) -> list[Any]:
    return [parse_strict(text) for text in message_texts(batch_file)]


def unescape(er7: str) -> str:
    """HL7 escape sequences decoded (\\F\\ \\S\\ \\T\\ \\R\\ \\E\\), left to right."""
    return re.sub(r"\\([FSTRE])\\", lambda m: ESCAPES[m.group(1)], er7)


def text_of(element: Any) -> str:
    """An element's text as the sender meant it: its ER7, unescaped."""
    return unescape(str(element.to_er7()))


def financial_groups(message: Any) -> list[Any]:
    groups = [child for child in message.children if child.name == "DFT_P03_FINANCIAL"]
    assert all(isinstance(group, Group) for group in groups)
    return groups


def repetitions(segment: Any, field: str) -> list[Any]:
    return list(segment.children.get(field))


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind
    ]


def csv_rows(text: str) -> list[list[str]]:
    """RFC 4180: CRLF after every record, no bare CR or LF outside quotes (there are none:
    every cell is one line)."""
    assert text.endswith("\r\n")
    records = text[:-2].split("\r\n")
    assert not any("\r" in record or "\n" in record for record in records)
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert len(rows) == len(records)
    return rows
