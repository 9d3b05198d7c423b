"""CSV for billing staff: one row per billed line, RFC 4180 (CRLF, quoted as needed), UTF-8."""

from __future__ import annotations

import csv
import io
import re

from ptclock.report.html import visible
from ptclock.report.model import DaySummary, VisitSummary

COLUMNS = (
    "date_of_service", "patient", "mrn", "provider", "npi", "code", "modifiers", "minutes",
    "units", "rule", "visit_id",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell: a `;` splits cells in many locales, a `,` in others
# (and in tools that ignore quoting), so a cell is checked segment by segment.
CELL_SEPARATORS = re.compile(r"([;,])")


def safe_cell(text: str) -> str:
    """Text as a spreadsheet cannot misread it (CSV injection): controls, bidi overrides and
    invisible characters shown as ``<U+202E>``, and every segment that starts a cell — the
    field, or what follows a `;` or `,` in it — that would run as a formula gets a leading
    apostrophe."""
    parts = CELL_SEPARATORS.split(visible(text))
    for index in range(0, len(parts), 2):  # segments; the separators sit between them
        segment = parts[index]
        stripped = segment.lstrip(" ")
        if stripped.startswith(FORMULA_STARTS):
            parts[index] = segment[: len(segment) - len(stripped)] + "'" + stripped
    return "".join(parts)


def billed_rows(visits: tuple[VisitSummary, ...]) -> list[list[str]]:
    rows = []
    for visit in visits:
        for line in visit.billed_lines:
            rows.append(
                [
                    visit.date_of_service.isoformat(),
                    safe_cell(visit.patient),
                    safe_cell(visit.mrn),
                    safe_cell(visit.provider.name),
                    safe_cell(visit.provider.npi),
                    safe_cell(line.code),
                    safe_cell(" ".join(line.modifiers)),
                    str(line.minutes),
                    str(line.units),
                    safe_cell(visit.rule.value),
                    str(visit.visit_id),
                ]
            )
    return rows


def day_csv(day: DaySummary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    writer.writerows(billed_rows(day.visits))
    return buffer.getvalue()
