"""The report model as HTML for Qt's text layout (QTextDocument). Every user text is escaped."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from html import escape

from ptclock.report.model import ClaimSummary, DaySummary, Provider, VisitSummary

STYLE = """
h1 { font-size: 15pt; margin-bottom: 2pt; }
h2 { font-size: 12pt; margin-top: 10pt; margin-bottom: 3pt; }
th { background-color: #e8e8e8; text-align: left; }
td, th { padding: 3px; }
.muted { color: #444444; }
.warn { font-weight: bold; }
"""


GRID = (
    '<table width="100%" border="1" cellspacing="0" cellpadding="3" '
    'style="border-collapse: collapse">'
)


def money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"${amount:,.2f}"


# Invisible letters and separators that are not control or format characters.
INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2028\u2029")


# The zero-width (non-)joiner are part of how Persian, Arabic and Indic names are spelled
# and of emoji sequences in notes; they hide and reorder nothing.
JOINERS = frozenset("\u200c\u200d")


def _hidden(character: str) -> bool:
    """Controls (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates,
    zero-width spaces, soft hyphens, tags) but the joiners, lone surrogates and invisible
    fillers."""
    if character in JOINERS:
        return False
    return unicodedata.category(character) in ("Cc", "Cf", "Cs") or character in INVISIBLE


def visible(value: str, line_breaks: bool = False) -> str:
    """``value`` with every character that could hide, reorder or break text shown as
    ``<U+202E>``: a reader sees what the store holds, and nothing is flipped or hidden.

    ``line_breaks`` keeps ``\\n`` (notes and addresses); a single-line field escapes it too.
    """
    if value.isascii() and value.isprintable():
        return value
    return "".join(
        f"<U+{ord(ch):04X}>" if _hidden(ch) and not (line_breaks and ch == "\n") else ch
        for ch in value
    )


def text(value: str) -> str:
    """Escaped, with line breaks kept: names and notes render exactly as written, with
    bidi overrides, invisible and control characters made visible (see ``visible``)."""
    value = value.replace("\r\n", "\n").replace("\t", " ")
    return escape(visible(value, line_breaks=True), quote=True).replace("\n", "<br/>")


def _clinic(provider: Provider, new_page: bool = False) -> str:
    """The clinic block; ``new_page`` starts it on a new page (each visit of a day report)."""
    style = ' style="page-break-before: always"' if new_page else ""
    parts = []
    if provider.clinic_name:
        parts.append(f"<b>{text(provider.clinic_name)}</b>")
    if provider.clinic_address:
        parts.append(text(provider.clinic_address))
    return f"<p{style}>{'<br/>'.join(parts) or '&nbsp;'}</p>" if parts or new_page else ""


def _provider_line(provider: Provider) -> str:
    name = text(provider.signature_name) or "—"
    npi = f" · NPI {text(provider.npi)}" if provider.npi else ""
    return f"{name}{npi}"


def visit_body(summary: VisitSummary, new_page: bool = False) -> str:
    """One visit's summary (without the document wrapper, so the day report can reuse it)."""
    patient = text(summary.patient)
    if summary.mrn:
        patient += f" · MRN {text(summary.mrn)}"
    parts = [
        _clinic(summary.provider, new_page),
        "<h1>Visit summary</h1>",
        '<table cellspacing="0" cellpadding="2">',
        f"<tr><td><b>Patient</b></td><td>{patient}</td></tr>",
        f"<tr><td><b>Provider</b></td><td>{_provider_line(summary.provider)}</td></tr>",
        f"<tr><td><b>Payer</b></td><td>{text(summary.payer)}</td></tr>",
        f"<tr><td><b>Date of service</b></td><td>{summary.date_of_service.isoformat()}</td></tr>",
        f"<tr><td><b>Visit</b></td><td>{summary.start_time}–{summary.end_time}"
        f" (visit {summary.visit_id}, {summary.status})</td></tr>",
        f"<tr><td><b>Billing rule</b></td><td>{text(summary.rule_words)}</td></tr>",
        "</table>",
        "<h2>Services</h2>",
        GRID,
        "<thead><tr><th>Code</th><th>Service</th><th>Minutes</th><th>Time blocks</th>"
        "</tr></thead><tbody>",
    ]
    for line in summary.lines:
        kind = "" if line.timed else " (untimed)"
        parts.append(
            f"<tr><td><b>{text(line.code)}</b></td><td>{text(line.descriptor)}{kind}</td>"
            f"<td>{line.minutes}</td><td>{', '.join(line.blocks) or '—'}</td></tr>"
        )
        details = [
            *([f"<i>Body part:</i> {text(line.body_part)}"] if line.body_part else []),
            *([f"<i>Exercises / activities:</i> {text(line.exercises)}"] if line.exercises else []),
            *([f"<i>Functional goal:</i> {text(line.goal)}"] if line.goal else []),
        ]
        if details:
            parts.append(f'<tr><td></td><td colspan="3">{"<br/>".join(details)}</td></tr>')
    parts.append("</tbody></table>")
    parts += _claim_section(summary)
    parts += [f'<p class="warn">⚠ {text(check)}</p>' for check in summary.checks]
    if summary.modifier_notes:
        parts.append("<p>" + "<br/>".join(text(n) for n in summary.modifier_notes) + "</p>")
    parts.append("<h2>Corrections</h2>")
    if summary.corrections:
        parts.append(
            GRID + "<thead><tr>"
            "<th>Time</th><th>Code</th><th>Change</th><th>Reason</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr><td>{c.at}</td><td>{text(c.code)}</td><td>{text(c.change)}</td>"
            f"<td>{text(c.reason)}</td></tr>"
            for c in summary.corrections
        ]
        parts.append("</tbody></table>")
    else:
        parts.append("<p>None: all time was recorded by the timers.</p>")
    if summary.note:
        parts += ["<h2>Visit note</h2>", f"<p>{text(summary.note)}</p>"]
    parts += [
        "<p><br/><br/>Signature: ________________________________ "
        "&nbsp;&nbsp; Date: ________________</p>",
        f'<p class="muted">{text(summary.provider.signature_name)}</p>',
    ]
    return "\n".join(parts)


def _claim_section(summary: VisitSummary) -> list[str]:
    """The claim the visit is billed on, its totals, and the heading of its billing checks."""
    claim = summary.claim
    others = summary.other_visits
    parts = [f"<h2>Claim for {claim.date_of_service.isoformat()}</h2>"]
    if others:
        parts.append(
            f"<p>Billed with visit{'s' if len(others) > 1 else ''} "
            f"{', '.join(map(str, others))}: one claim per patient, payer and date of service. "
            f"This visit: {summary.timed_minutes} timed minutes, {summary.treatment_minutes} "
            "minutes of treatment; the lines and totals are the claim's.</p>"
        )
    gap = "<td>&nbsp;&nbsp;&nbsp;"
    payment = (
        f"{gap}Estimated payment</td><td><b>{money(claim.total_payment)}</b></td>"
        if claim.total_payment is not None
        else "<td></td><td></td>"
    )
    parts += [
        *_claim_lines(claim),
        '<table cellspacing="0" cellpadding="2">',
        f"<tr><td>Total timed code treatment minutes</td><td><b>{claim.timed_minutes}</b></td>"
        f"{gap}Total units</td><td><b>{claim.total_units}</b></td></tr>",
        f"<tr><td>Total treatment time</td><td><b>{claim.treatment_minutes} minutes</b></td>"
        f"{payment}</tr>",
        "</table>",
    ]
    allocations = "".join("<br/>" + text(a) for a in claim.allocations)
    parts.append(f'<p style="margin-top: 6px">{text(claim.allocation_words)}{allocations}</p>')
    if claim.warnings or claim.modifier_notes:
        parts.append("<h2>Billing checks</h2>")
    return parts


def _claim_lines(claim: ClaimSummary) -> list[str]:
    if not claim.lines:
        return ["<p>Nothing billable.</p>"]
    priced = claim.total_payment is not None
    payment = "<th>Estimated payment</th>" if priced else ""
    parts = [
        GRID,
        "<thead><tr><th>Code</th><th>Modifiers</th><th>Units</th><th>Minutes</th>"
        f"{payment}</tr></thead><tbody>",
    ]
    for line in claim.lines:
        amount = f"<td>{money(line.estimated_payment)}</td>" if priced else ""
        parts.append(
            f"<tr><td><b>{text(line.code)}</b></td>"
            f"<td>{text(' '.join(line.modifiers)) or '—'}</td><td><b>{line.units}</b></td>"
            f"<td>{line.minutes}</td>{amount}</tr>"
        )
    parts.append("</tbody></table>")
    return parts


def visit_document(summary: VisitSummary) -> str:
    return f"<html><head><style>{STYLE}</style></head><body>{visit_body(summary)}</body></html>"


def day_document(day: DaySummary) -> str:
    return f"<html><head><style>{STYLE}</style></head><body>{day_body(day)}</body></html>"


def clinic_day_document(days: list[DaySummary]) -> str:
    """The clinic's day: a page that counts every provider's day, then one section per
    provider (its own day report, each starting on a new page). A claim shared by two
    providers (one patient treated by both) is in both sections and counted once here."""
    first = days[0]
    claims = {claim.visit_ids: claim for day in days for claim in day.claims}
    units = sum(claim.total_units for claim in claims.values())
    parts = [
        f"<html><head><style>{STYLE}</style></head><body>",
        _clinic(first.provider),
        f"<h1>Clinic day report {first.day.isoformat()}</h1>",
        f"<p>{len(days)} provider{'' if len(days) == 1 else 's'}, {len(claims)} "
        f"claim{'' if len(claims) == 1 else 's'}, {units} unit{'' if units == 1 else 's'}.</p>",
        GRID,
        "<thead><tr><th>Provider</th><th>NPI</th><th>Visits</th><th>Claims</th>"
        "<th>Units</th><th>Timed minutes</th></tr></thead><tbody>",
    ]
    for day in days:
        parts.append(
            f"<tr><td>{text(day.provider.signature_name or '(no provider set)')}</td>"
            f"<td>{text(day.provider.npi) or '—'}</td><td>{len(day.visits)}</td>"
            f"<td>{len(day.claims)}</td><td>{day.total_units}</td>"
            f"<td>{day.timed_minutes}</td></tr>"
        )
    parts.append("</tbody></table>")
    for day in days:
        parts.append(day_body(day, new_page=True))
    parts.append("</body></html>")
    return "\n".join(parts)


def day_body(day: DaySummary, new_page: bool = False) -> str:
    parts = [
        _clinic(day.provider, new_page),
        f"<h1>Day report {day.day.isoformat()}</h1>",
        f"<p>Provider: {_provider_line(day.provider)}</p>",
        "<h2>Claims</h2>",
        GRID,
        "<thead><tr><th>Patient</th><th>Payer</th><th>Visits</th><th>Code</th>"
        "<th>Modifiers</th><th>Units</th><th>Minutes</th><th>Estimated payment</th></tr>"
        "</thead><tbody>",
    ]
    for claim in day.claims:
        patient = text(claim.patient) + (f"<br/>MRN {text(claim.mrn)}" if claim.mrn else "")
        first = (
            f"<td>{patient}</td><td>{text(claim.payer_name)}</td>"
            f"<td>{', '.join(map(str, claim.visit_ids))}</td>"
        )
        if not claim.lines:
            parts.append(f'<tr>{first}<td colspan="5">nothing billable</td></tr>')
        for index, line in enumerate(claim.lines):
            who = first if index == 0 else "<td></td><td></td><td></td>"
            parts.append(
                f"<tr>{who}<td><b>{text(line.code)}</b></td>"
                f"<td>{text(' '.join(line.modifiers)) or '—'}</td><td>{line.units}</td>"
                f"<td>{line.minutes}</td><td>{money(line.estimated_payment)}</td></tr>"
            )
    claims = len(day.claims)
    minutes = sum(line.minutes for claim in day.claims for line in claim.lines)
    parts += [
        f"<tr><td><b>{claims} claim{'' if claims == 1 else 's'}, {len(day.visits)} "
        f"visit{'' if len(day.visits) == 1 else 's'}</b></td><td></td><td></td><td></td>"
        f"<td></td><td><b>{day.total_units}</b></td><td><b>{minutes}</b></td>"
        f"<td><b>{money(day.total_payment)}</b></td></tr>",
        "</tbody></table>",
        "<h2>The day's time</h2>",
        '<table cellspacing="0" cellpadding="2">',
        f"<tr><td>Billed timed minutes</td><td><b>{day.timed_minutes}</b></td></tr>",
        f"<tr><td>Clock time covered by timers</td><td><b>{day.covered_minutes}</b></td></tr>",
        f"<tr><td>Total treatment time</td><td><b>{day.treatment_minutes} minutes</b></td></tr>",
        f"<tr><td>Total units</td><td><b>{day.total_units}</b></td></tr>",
        *(
            [f"<tr><td>Estimated payment</td><td><b>{money(day.total_payment)}</b></td></tr>"]
            if day.total_payment is not None
            else []
        ),
        "</table>",
    ]
    parts += [f'<p class="warn">⚠ {text(warning)}</p>' for warning in day.warnings]
    for summary in day.visits:
        parts.append(visit_body(summary, new_page=True))
    return "\n".join(parts)
