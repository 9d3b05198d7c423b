"""Billing rules: CPT codes and how minutes per code become units. Pure: no clock, no Qt, no SQL.

Every rule is a pure function of minutes per code (docs/billing.md explains each, with its
sources), so it is exhaustively testable and the same from the window, the CLI and reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ptclock.billing.catalog import Catalog, CatalogError, Code, UnknownCodeError, load_catalog
from ptclock.billing.result import BilledLine, Billing, Rule, Tie
from ptclock.billing.unit_table import MAX_MINUTES

if TYPE_CHECKING:
    from ptclock.billing.payer_rules import PayerNote, PayerStatus, medicare_note, payer_note

_PAYER_RULES = ("PayerNote", "PayerStatus", "medicare_note", "payer_note")
"""Names of ``payer_rules``, imported when first asked for: only claims need them, and the
window's start-up does not pay for them (issue 15). The rules themselves are unchanged."""


def __getattr__(name: str) -> Any:
    if name in _PAYER_RULES:
        from ptclock.billing import payer_rules

        return getattr(payer_rules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_MINUTES",
    "BilledLine",
    "Billing",
    "Catalog",
    "CatalogError",
    "Code",
    "MinutesError",
    "PayerNote",
    "PayerStatus",
    "Rule",
    "Tie",
    "UnknownCodeError",
    "bill",
    "load_catalog",
    "medicare_note",
    "payer_note",
]


class MinutesError(ValueError):
    """Minutes that are not a whole number between 0 and a day's worth."""


def bill(
    minutes: Mapping[str, int] | Iterable[tuple[str, int]], rule: Rule, catalog: Catalog
) -> Billing:
    """Units for minutes per code under ``rule``.

    Codes given more than once are summed and keep the place of their first appearance.
    Raises UnknownCodeError for a code not in the catalog and MinutesError for minutes that
    are not whole numbers of at least 0. Any number of minutes is billed (the unit table of
    Pub. 100-04 ch. 5 §20.2 steps on by 15 minutes without an end): recorded time is never
    refused here, since every reader (the window, ``visit show``, reports) bills through
    this function. A line over a day is flagged in the result (``Billing.over_a_day``);
    typed input is held to a day by ``check_minutes(..., limit=MAX_MINUTES)``.
    """
    pairs = minutes.items() if isinstance(minutes, Mapping) else minutes
    totals: dict[str, int] = {}
    codes: dict[str, Code] = {}
    for code_text, value in pairs:
        code = catalog[code_text]
        check_minutes(value, code.code, limit=None)
        codes[code.code] = code
        totals[code.code] = totals.get(code.code, 0) + value
    items = [(codes[code], total) for code, total in totals.items()]
    if rule is Rule.CMS:
        from ptclock.billing.eight_minute_rule import bill_cms

        return bill_cms(items)
    from ptclock.billing.per_code_rule import bill_ama

    return bill_ama(items)


def check_minutes(value: object, code: str, limit: int | None = MAX_MINUTES) -> int:
    """Minutes must be a whole number from 0 to ``limit`` (default a day, 1440; None: no
    upper end); anything else is an error naming the code."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MinutesError(f"{code}: minutes must be a whole number, not {value!r}")
    if value < 0:
        raise MinutesError(f"{code}: minutes cannot be negative ({value})")
    if limit is not None and value > limit:
        raise MinutesError(f"{code}: {value} minutes is more than a day ({limit})")
    return value
