"""CSV for billing staff: one row per claim line, RFC 4180 (CRLF, quoted as needed), UTF-8.

The rows are the date's claims (one per patient, payer and date of service) exactly as
``ptclock claim`` prints them: a code is on one row with the day's pooled units, on two only
when their modifiers differ (CQ on some units). ``visits`` lists the claim's visit ids and
``provider``/``npi`` its visits' providers (``; `` between two); ``estimated_payment`` is in
dollars and cents, empty without a fee.
"""

from __future__ import annotations

import csv
import io
import re

from ptclock.report.html import visible
from ptclock.report.model import ClaimSummary, DaySummary

COLUMNS = (
    "date_of_service", "patient", "mrn", "payer", "rule", "provider", "npi", "code",
    "modifiers", "units", "minutes", "estimated_payment", "visits",
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


def claim_rows(claims: tuple[ClaimSummary, ...]) -> list[list[str]]:
    rows = []
    for claim in claims:
        providers = "; ".join(dict.fromkeys(p.name for p in claim.providers))
        npis = "; ".join(dict.fromkeys(p.npi for p in claim.providers if p.npi))
        for line in claim.lines:
            rows.append(
                [
                    claim.date_of_service.isoformat(),
                    safe_cell(claim.patient),
                    safe_cell(claim.mrn),
                    safe_cell(claim.payer.value),
                    safe_cell(claim.rule.value),
                    safe_cell(providers),
                    safe_cell(npis),
                    safe_cell(line.code),
                    safe_cell(" ".join(line.modifiers)),
                    str(line.units),
                    str(line.minutes),
                    "" if line.estimated_payment is None else f"{line.estimated_payment:.2f}",
                    " ".join(str(visit) for visit in claim.visit_ids),
                ]
            )
    return rows


def day_csv(day: DaySummary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    writer.writerows(claim_rows(day.claims))
    return buffer.getvalue()
