"""Fee schedules, the CQ payment share and the KX threshold (the estimate that uses them is
``ptclock.claims.payment``).

Sources: docs/billing.md, "Estimated payment" and "Modifiers". Payments differ by locality
and payer, so fee schedules are user data (a CSV: code, amount, optionally payer, year and
pe_share). ``pe_share`` is the practice-expense part of the amount, as a fraction (0.45) or a
percentage (45%): Medicare's multiple procedure payment reduction (MPPR) takes 50% of it from
the second and later units of "always therapy" services of a day (CMS Pub. 100-04 ch. 5
§10.7; ``ptclock.claims.payment``). The column is optional and may be left empty on a row: a
file without it reads exactly as before, and a fee without it is estimated without MPPR.
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
from pathlib import Path

from ptclock.billing.catalog import Catalog, csv_rows, normalize_code, read_text, where
from ptclock.billing.shipped import shipped_text

CQ_PAYMENT_SHARE = Decimal("0.85")
KX_WARNING_SHARE = Decimal("0.90")
"""Warn when the year-to-date estimate reaches 90% of the KX threshold."""
CENT = Decimal("0.01")
OPTIONAL_FEE_COLUMNS = {"payer", "year", "pe_share"}


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
    pe_share: Decimal | None = None
    """The practice-expense part of ``amount`` as a fraction from 0 to 1 (None: not given)."""


class FeeSchedule:
    def __init__(self, fees: Iterable[Fee]) -> None:
        self.fees = tuple(fees)
        self._index = {(fee.code, fee.payer, fee.year): fee for fee in self.fees}

    def __len__(self) -> int:
        return len(self.fees)

    def fee(self, code: str, payer: str, year: int) -> Fee | None:
        """The most specific fee: payer and year, then payer, then year, then any."""
        for key in ((code, payer, year), (code, payer, None), (code, "", year), (code, "", None)):
            if key in self._index:
                return self._index[key]
        return None


def parse_fees(text: str, catalog: Catalog, source: str) -> list[Fee]:
    """CSV with header ``code,amount[,payer][,year][,pe_share]``; the whole file or nothing."""
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
            if (
                header[:2] != ["code", "amount"]
                or not set(header[2:]) <= OPTIONAL_FEE_COLUMNS
                or len(set(header)) != len(header)
            ):
                raise FeeFileError(
                    source,
                    number,
                    "the first row must be the header code,amount and optionally payer, year "
                    "and pe_share",
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
        share = pe_share(values.get("pe_share", ""), source, number)
        fees.append(Fee(code, amount, payer, year, share))
    if header is None:
        raise FeeFileError(source, 1, "the file is empty")
    return fees


def pe_share(text: str, source: str, number: int) -> Decimal | None:
    """A ``pe_share`` cell: empty (None), a fraction from 0 to 1, or a percentage (45%)."""
    cell = text.strip()
    if not cell:
        return None
    percent = cell.endswith("%")
    try:
        share = Decimal(cell.removesuffix("%").strip())
    except InvalidOperation:
        share = Decimal("NaN")
    if share.is_finite() and percent:
        share /= 100
    if not share.is_finite() or not 0 <= share <= 1:
        raise FeeFileError(
            source,
            number,
            f"pe_share {text!r} must be the practice-expense part of the amount: a fraction "
            "from 0 to 1 (0.45) or a percentage (45%)",
        )
    return share


def shipped_kx_thresholds() -> dict[int, Decimal]:
    """The CMS KX threshold per year (physical therapy and SLP combined)."""
    text = shipped_text("kx_thresholds.csv")
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
