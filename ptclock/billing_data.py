"""What a claim is judged by, kept in the store: CMS's edits, payers' pairs, the fee schedule.

Imports read a whole file before anything changes (a malformed line refuses the file and
the data in force stays), then replace the data in one event, audited with the file's name.
"""

from __future__ import annotations

from pathlib import Path

from ptclock.billing.edits import (
    EditFileError,
    EditTable,
    ImportResult,
    parse_cms_ptp,
    parse_pairs_csv,
    shipped_edits,
)
from ptclock.billing.money import FeeFileError, FeeSchedule, parse_fees
from ptclock.refused import TimekeeperError
from ptclock.timekeeper import Timekeeper


def edit_table(keeper: Timekeeper) -> EditTable:
    """CMS's edits (the imported quarterly file, else the shipped table) and payers' pairs."""
    imported = keeper.store.imported_edits()
    cms = [e for e in imported if not e.payer]
    payers = [e for e in imported if e.payer]
    if not keeper.store.has_cms_edits():
        cms = shipped_edits(keeper.catalog)
    return EditTable([*cms, *payers])


def fee_schedule(keeper: Timekeeper) -> FeeSchedule:
    return FeeSchedule(keeper.store.fees())


def import_edits(keeper: Timekeeper, path: Path, payer: str = "") -> ImportResult:
    """Import CMS's quarterly PTP file (tab-delimited) or a payer's pairs (.csv)."""
    source = str(path)
    try:
        if path.suffix.lower() == ".csv":
            if not payer:
                raise TimekeeperError("a payer's pairs need --payer NAME")
            pairs = parse_pairs_csv(path.read_text("utf-8-sig"), keeper.catalog, source, payer)
            result = ImportResult(tuple(pairs), len(pairs), len(pairs), 0)
        else:
            with path.open(encoding="latin-1", newline="") as lines:
                result = parse_cms_ptp(lines, keeper.catalog, source)
    except (EditFileError, UnicodeDecodeError) as error:
        raise TimekeeperError(str(error)) from None
    except OSError as error:
        raise TimekeeperError(f"{path}: {error.strerror}") from None
    with keeper.event():
        origin = "payer" if payer else "cms"
        keeper.store.replace_edits(origin, payer.lower(), list(result.edits))
        keeper.audit(
            "edits_import",
            after={
                "file": path.name,
                "origin": origin,
                "payer": payer,
                "read": result.read,
                "kept": result.kept,
            },
        )
    return result


def import_fees(keeper: Timekeeper, path: Path) -> int:
    """Import a fee schedule (.csv); the number of fees now in force."""
    try:
        fees = parse_fees(path.read_text("utf-8-sig"), keeper.catalog, str(path))
    except (FeeFileError, UnicodeDecodeError) as error:
        raise TimekeeperError(str(error)) from None
    except OSError as error:
        raise TimekeeperError(f"{path}: {error.strerror}") from None
    with keeper.event():
        keeper.store.replace_fees(fees)
        keeper.audit("fees_import", after={"file": path.name, "fees": len(fees)})
    return len(fees)
