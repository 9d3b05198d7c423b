"""Fee schedules, estimated payment, the CQ reduction and the KX threshold.

Sources: BILLING_RULES.md, "Money" and "Edits and modifiers". Payments differ by locality
and payer, so fee schedules are user data (a CSV: code, amount, optionally payer and year).
Medicare pays services furnished in part by a PT assistant (CQ) at 85%. KX attests medical
necessity once a patient's yearly therapy spending passes the CMS threshold, which is data
per year.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from ptclock.billing.catalog import Catalog, csv_rows, normalize_code, read_text, where

CQ_PAYMENT_SHARE = Decimal("0.85")
KX_WARNING_SHARE = Decimal("0.90")
"""Warn when the year-to-date estimate reaches 90% of the KX threshold."""
CENT = Decimal("0.01")


class FeeFileError(ValueError):
    """A malformed fee file, naming the file and line (None: the whole file)."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        super().__init__(where(source, line, problem))
        self.line = line


def fees_file_text(path: Path) -> str:
    """A fee schedule CSV read with ``read_lines``'s checks: a regular file of UTF-8 text
    (never a FIFO or ``/dev/zero``), no line over 8 KiB, no NUL bytes, at most 64 MiB."""
    return read_text(path, FeeFileError)


@dataclass(frozen=True)
class Fee:
    code: str
    amount: Decimal
    payer: str = ""
    year: int | None = None


class FeeSchedule:
    def __init__(self, fees: Iterable[Fee]) -> None:
        self.fees = tuple(fees)
        self._index = {(fee.code, fee.payer, fee.year): fee.amount for fee in self.fees}

    def __len__(self) -> int:
        return len(self.fees)

    def amount(self, code: str, payer: str, year: int) -> Decimal | None:
        """The most specific fee: payer and year, then payer, then year, then any."""
        for key in ((code, payer, year), (code, payer, None), (code, "", year), (code, "", None)):
            if key in self._index:
                return self._index[key]
        return None


def parse_fees(text: str, catalog: Catalog, source: str) -> list[Fee]:
    """CSV with header ``code,amount[,payer][,year]``; the whole file or nothing."""
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    fees: list[Fee] = []
    seen: dict[tuple[str, str, int | None], int] = {}
    for row in csv_rows(reader, source, FeeFileError):
        number = reader.line_num
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in row]
        if header is None:
            header = [cell.lower() for cell in cells]
            if header[:2] != ["code", "amount"] or not set(header[2:]) <= {"payer", "year"}:
                raise FeeFileError(
                    source,
                    number,
                    "the first row must be the header code,amount and optionally payer and year",
                )
            continue
        if len(cells) != len(header):
            raise FeeFileError(
                source, number, f"expected {len(header)} columns, found {len(cells)}"
            )
        values = dict(zip(header, cells, strict=True))
        code = normalize_code(values["code"])
        if code not in catalog:
            raise FeeFileError(source, number, f"unknown code {values['code']!r}")
        try:
            amount = Decimal(values["amount"].lstrip("$"))
        except InvalidOperation:
            raise FeeFileError(
                source, number, f"amount {values['amount']!r} is not a number"
            ) from None
        if (
            not amount.is_finite()
            or amount < 0
            or amount != amount.quantize(CENT)
            or amount > 100000
        ):
            raise FeeFileError(
                source, number, f"amount {values['amount']!r} must be 0 or more, in cents"
            )
        year: int | None = None
        if values.get("year"):
            if not values["year"].isdigit() or not 2000 <= int(values["year"]) <= 2100:
                raise FeeFileError(
                    source, number, f"year {values['year']!r} is out of range 2000–2100"
                )
            year = int(values["year"])
        payer = values.get("payer", "").lower()
        key = (code, payer, year)
        if key in seen:
            raise FeeFileError(
                source,
                number,
                f"{code} is listed twice for the same payer and year (first on line {seen[key]})",
            )
        seen[key] = number
        fees.append(Fee(code, amount, payer, year))
    if header is None:
        raise FeeFileError(source, 1, "the file is empty")
    return fees


def line_payment(amount: Decimal | None, units: int, cq: bool) -> Decimal | None:
    """Estimated payment of a line: units × fee, at 85% when the CQ reduction applies."""
    if amount is None:
        return None
    total = amount * units * (CQ_PAYMENT_SHARE if cq else 1)
    return total.quantize(CENT)


def shipped_kx_thresholds() -> dict[int, Decimal]:
    """The CMS KX threshold per year (physical therapy and SLP combined)."""
    text = resources.files("ptclock.resources").joinpath("kx_thresholds.csv").read_text("utf-8")
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    return {int(year): Decimal(amount) for year, amount, *_ in rows[1:]}


@dataclass(frozen=True)
class KxStatus:
    year: int
    threshold: Decimal | None
    year_to_date: Decimal

    @property
    def passed(self) -> bool:
        return self.threshold is not None and self.year_to_date > self.threshold

    @property
    def approaching(self) -> bool:
        return (
            self.threshold is not None
            and not self.passed
            and self.year_to_date >= self.threshold * KX_WARNING_SHARE
        )

    @property
    def message(self) -> str:
        if self.threshold is None:
            return f"No KX threshold is set for {self.year} (Settings)."
        money = f"${self.year_to_date:,.2f} of ${self.threshold:,.2f}"
        if self.passed:
            return f"KX threshold passed: {money} this year; add KX with documented necessity."
        if self.approaching:
            return f"KX threshold approaching: {money} this year."
        return f"KX: {money} this year."
