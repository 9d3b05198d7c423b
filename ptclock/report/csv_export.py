"""CSV for billing staff: one row per billed line, RFC 4180 (CRLF, quoted as needed), UTF-8."""

from __future__ import annotations

import csv
import io

from ptclock.report.model import DaySummary, VisitSummary

COLUMNS = (
    "date_of_service", "patient", "mrn", "provider", "npi", "code", "modifiers", "minutes",
    "units", "rule", "visit_id",
)  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
                    visit.provider.npi,
                    line.code,
                    " ".join(line.modifiers),
                    str(line.minutes),
                    str(line.units),
                    visit.rule.value,
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
