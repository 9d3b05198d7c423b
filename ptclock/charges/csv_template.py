"""Charges as CSV, in the columns a billing system's upload template asks for.

RFC 4180 (comma separated, CRLF line ends, quoted as needed), UTF-8 without a byte order
mark (some billing importers read one as part of the first header), every cell formula-safe
(``report.csv_export.safe_cell``). One row per line: a charge, or the cancellation of a line
sent before (``action`` = ``cancel``, the cancelled line's ``transaction``).

The default template's columns are ``DEFAULT_COLUMNS``. A clinic whose billing system wants
other headers, another order or fewer columns writes ``charges-template.json`` in the config
folder (docs/user-guide.md, "Handing charges to billing")::

    {"columns": [["Acct", "mrn"], ["DOS", "date_of_service"], ["CPT", "code"],
                 ["Mod1", "modifier_1"], ["Units", "units"]],
     "date_format": "MM/DD/YYYY"}

Each column is a header and one of ``FIELDS``; ``date_format`` is ``YYYY-MM-DD`` (default)
or ``MM/DD/YYYY``. A file that is not that is refused in one sentence naming what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ptclock.charges.batch import ChargeBatch, ChargeLine, ClaimCharges
from ptclock.report.csv_export import safe_cell

DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "MM/DD/YYYY": "%m/%d/%Y"}
MAX_COLUMNS = 60
MAX_HEADER = 100


@dataclass(frozen=True)
class _Row:
    claim: ClaimCharges
    line: ChargeLine
    date_format: str

    def day(self, value: date | None) -> str:
        return value.strftime(self.date_format) if value else ""


def _modifier(index: int) -> Callable[[_Row], str]:
    return lambda r: r.line.modifiers[index] if len(r.line.modifiers) > index else ""


FIELDS: dict[str, Callable[[_Row], str]] = {
    "action": lambda r: r.line.action.value,
    "transaction": lambda r: r.line.transaction,
    "claim": lambda r: r.claim.number,
    "claim_status": lambda r: r.claim.status.value,
    "date_of_service": lambda r: r.day(r.claim.date_of_service),
    "patient": lambda r: r.claim.patient,
    "mrn": lambda r: r.claim.mrn,
    "date_of_birth": lambda r: r.day(r.claim.date_of_birth),
    "payer": lambda r: r.claim.payer,
    "rule": lambda r: r.claim.rule,
    "code": lambda r: r.line.code,
    "description": lambda r: r.line.descriptor,
    "modifiers": lambda r: " ".join(r.line.modifiers),
    "modifier_1": _modifier(0),
    "modifier_2": _modifier(1),
    "modifier_3": _modifier(2),
    "modifier_4": _modifier(3),
    "units": lambda r: str(r.line.units),
    "minutes": lambda r: str(r.line.minutes),
    "rendering_provider": lambda r: r.line.rendering.name,
    "rendering_npi": lambda r: r.line.rendering.npi,
    "rendering_credentials": lambda r: r.line.rendering.credentials,
    "supervising_provider": lambda r: r.line.supervising.name if r.line.supervising else "",
    "supervising_npi": lambda r: r.line.supervising.npi if r.line.supervising else "",
    "estimated_payment": lambda r: (
        "" if r.line.estimated_payment is None else f"{r.line.estimated_payment:.2f}"
    ),
    "visits": lambda r: "; ".join(visit.key for visit in r.claim.visits),
    "amendment": lambda r: r.claim.note,
}

DEFAULT_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, name)
    for name in (
        "action", "transaction", "claim", "date_of_service", "patient", "mrn",
        "date_of_birth", "payer", "code", "description", "modifiers", "units", "minutes",
        "rendering_provider", "rendering_npi", "supervising_provider", "supervising_npi",
        "estimated_payment", "amendment",
    )
)  # fmt: skip


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    columns: tuple[tuple[str, str], ...] = DEFAULT_COLUMNS
    date_format: str = "YYYY-MM-DD"


def template_from_json(data: Any, where: str = "the template") -> Template:
    """A template from its JSON; TemplateError naming ``where`` and what is wrong."""
    if not isinstance(data, dict):
        raise TemplateError(f'{where}: expected a JSON object with "columns"')
    unknown = sorted(set(data) - {"columns", "date_format"})
    if unknown:
        raise TemplateError(f"{where}: unknown setting {unknown[0]!r} (columns, date_format)")
    columns = data.get("columns")
    if not isinstance(columns, list) or not columns:
        raise TemplateError(f'{where}: "columns" must be a list of [header, field] pairs')
    if len(columns) > MAX_COLUMNS:
        raise TemplateError(f"{where}: more than {MAX_COLUMNS} columns")
    parsed = []
    for number, column in enumerate(columns, start=1):
        if (
            not isinstance(column, list)
            or len(column) != 2
            or not all(isinstance(part, str) for part in column)
        ):
            raise TemplateError(f'{where}: column {number} must be ["header", "field"]')
        header, field = column[0].strip(), column[1].strip()
        if not header or len(header) > MAX_HEADER:
            raise TemplateError(
                f"{where}: column {number} needs a header of 1–{MAX_HEADER} characters"
            )
        if field not in FIELDS:
            raise TemplateError(
                f"{where}: column {number} ({header}): unknown field {field!r}; "
                "the fields are " + ", ".join(FIELDS)
            )
        parsed.append((header, field))
    date_format = data.get("date_format", "YYYY-MM-DD")
    if date_format not in DATE_FORMATS:
        raise TemplateError(
            f"{where}: date_format {date_format!r} is not one of " + ", ".join(DATE_FORMATS)
        )
    return Template(tuple(parsed), date_format)


def load_template(path: Path) -> Template:
    """The clinic's template in ``path``, or the default when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Template()
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"{path}: cannot be read ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError(f"{path}: not JSON (line {error.lineno}: {error.msg})") from None
    return template_from_json(data, str(path))


def charges_csv(batch: ChargeBatch, template: Template | None = None) -> str:
    template = template or Template()
    pattern = DATE_FORMATS[template.date_format]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(header) for header, _ in template.columns])
    for claim in batch.claims:
        for line in claim.lines:
            row = _Row(claim, line, pattern)
            writer.writerow([safe_cell(FIELDS[field](row)) for _, field in template.columns])
    return out.getvalue()
