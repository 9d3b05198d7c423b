"""Exporting reports to files: visit PDF, day PDF, day CSV — atomically and owner-only.

A report is written to a temporary file next to its destination and renamed into place,
so a failure never leaves a partial file under the name the user asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from ptclock.report.csv_export import day_csv
from ptclock.report.html import day_document, visit_document
from ptclock.report.model import DaySummary, Provider, VisitSummary, day_summary, visit_summary
from ptclock.timekeeper import Timekeeper

FORMATS = (".pdf", ".csv")


class ReportError(ValueError):
    """A report that cannot be made as asked; nothing was written."""


def visit_model(keeper: Timekeeper, visit_id: int) -> VisitSummary:
    return visit_summary(
        keeper.tally(visit_id), Provider.from_settings(keeper.settings), keeper.review(visit_id)
    )


def day_model(keeper: Timekeeper, day: date) -> DaySummary:
    provider = keeper.settings.provider
    visits = [v for v in keeper.store.visits_on(day) if v.provider == provider]
    if not visits:
        raise ReportError(f"there are no visits on {day.isoformat()}")
    tallies = [keeper.tally(v.id) for v in visits]
    claims = [keeper.review(v.id) for v in visits]
    return day_summary(day, tallies, Provider.from_settings(keeper.settings), claims)


def check_destination(path: Path, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format from the extension; an unknown one is an error naming the choices."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ReportError(
            f"{path.name}: unknown report format {suffix or '(none)'}; use " + " or ".join(allowed)
        )
    if path.is_dir():
        raise ReportError(f"{path} is a folder; give a file name")
    return suffix


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary)``, then rename the temporary file to ``path`` (mode 0600)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        descriptor = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(descriptor)
        write(temporary)
        if temporary.stat().st_size == 0:
            raise ReportError(f"cannot write {path}: nothing was produced")
        temporary.replace(path)
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _pdf(html: str, header: str, title: str, page_size: str) -> Callable[[Path], object]:
    from ptclock.report.render import write_pdf

    printed_at = datetime.now().astimezone()
    return lambda target: write_pdf(html, target, page_size, header, title, printed_at)


def export_visit(keeper: Timekeeper, visit_id: int, path: Path) -> Path:
    check_destination(path, (".pdf",))
    summary = visit_model(keeper, visit_id)
    header = f"Visit summary · {summary.patient} · DOS {summary.date_of_service.isoformat()}"
    return write_atomically(
        path, _pdf(visit_document(summary), header, "Visit summary", keeper.settings.page_size)
    )


def export_day(keeper: Timekeeper, day: date, path: Path) -> Path:
    suffix = check_destination(path)
    model = day_model(keeper, day)
    if suffix == ".csv":
        content = day_csv(model)
        return write_atomically(
            path, lambda target: target.write_text(content, "utf-8", newline="")
        )
    header = f"Day report · {model.provider.name or 'provider'} · {day.isoformat()}"
    return write_atomically(
        path, _pdf(day_document(model), header, "Day report", keeper.settings.page_size)
    )


def suggested_name(summary: VisitSummary) -> str:
    """2026-11-27-AL-visit-12.pdf: the date and the patient's initials, never the full name."""
    initials = "".join(word[0] for word in summary.patient.split() if word[:1].isalpha())
    initials = "".join(ch for ch in initials.upper() if ch.isalnum())[:4] or "X"
    return f"{summary.date_of_service.isoformat()}-{initials}-visit-{summary.visit_id}.pdf"
