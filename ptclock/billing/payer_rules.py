"""What a payer does with a code beyond the unit count: bundled, or not payable and replaced.

Pure: the facts are data, the ``medicare`` column of the code catalog (``codes.csv``), where
each value is cited; this module only reads them and writes the sentence a therapist reads.

* ``bundled`` — Medicare never pays the code separately: its payment is included in the
  other services of the date (fee schedule status B, CMS Pub. 100-04 ch. 23 §30.2.2). Hot or
  cold packs, 97010, are the therapy example (Palmetto GBA, "Hot or Cold Packs: Bundling
  Denials", 2018). Estimate it at $0; it never earns a unit of payment.
* ``not-payable:CODE`` — Medicare does not recognise the code and pays CODE for the same
  service: unattended electrical stimulation is G0283 for Medicare, not 97014 (MAC LCD
  billing notes; CGS, LCD L34049). Bill CODE instead on a Medicare claim.

Only Medicare is described: for other payers these codes are payable as their contracts say,
so every other payer gets ``None`` ("nothing to say").

Use from the claim review::

    note = payer_note(code, payer, catalog)   # payer: "medicare", "commercial", ...
    if note is not None and not note.separately_payable:
        ...  # $0 for the line; show note.message; for note.instead, bill that code
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ptclock.billing.catalog import MEDICARE_BUNDLED, MEDICARE_NOT_PAYABLE, Catalog

MEDICARE = "medicare"
"""The payer name these rules are for (``Payer.MEDICARE`` in the timing domain)."""


class PayerStatus(str, Enum):
    """Why a payer does not pay a code as billed."""

    BUNDLED = MEDICARE_BUNDLED
    """Never paid separately: included in the payment for the day's other services."""
    NOT_PAYABLE = MEDICARE_NOT_PAYABLE
    """Not recognised by the payer; another code (``PayerNote.instead``) is paid instead."""


@dataclass(frozen=True)
class PayerNote:
    """A payer's word on one code, and the sentence that says it."""

    code: str
    payer: str
    """The payer's name as a therapist reads it ("Medicare")."""
    status: PayerStatus
    instead: str | None = None
    """The code to bill instead (``NOT_PAYABLE`` with a substitute), e.g. ``"G0283"``."""
    instead_descriptor: str | None = None

    @property
    def separately_payable(self) -> bool:
        """Always False: a note exists only for a code the payer does not pay as billed.
        (A code without a note is payable as usual.)"""
        return False

    @property
    def message(self) -> str:
        """One sentence for the window, ``visit show``, the PDFs and the claim warnings.

        "97010 is bundled by Medicare: not paid separately, so it is left off the claim —
        nothing to change."
        "97014 is not payable by Medicare: billed as G0283 for unattended electrical
        stimulation — nothing to change."
        """
        if self.status is PayerStatus.BUNDLED:
            return (
                f"{self.code} is bundled by {self.payer}: not paid separately, so it is left "
                "off the claim — nothing to change."
            )
        head = f"{self.code} is not payable by {self.payer}"
        if self.instead is None:
            return (
                f"{head}: it is not paid, with or without a modifier, so leave it off a "
                f"{self.payer} claim."
            )
        what = f" for {_in_sentence(self.instead_descriptor)}" if self.instead_descriptor else ""
        return f"{head}: billed as {self.instead}{what} — nothing to change."


def medicare_note(code: str, catalog: Catalog) -> PayerNote | None:
    """What Medicare does with ``code`` if it does not simply pay it, else None.

    Raises UnknownCodeError for a code not in the catalog (as every lookup does).
    """
    entry = catalog[code]
    status, _, instead = entry.medicare.partition(":")
    if not status:
        return None
    substitute = catalog[instead] if instead and instead in catalog else None
    return PayerNote(
        code=entry.code,
        payer="Medicare",
        status=PayerStatus(status),
        instead=instead or None,
        instead_descriptor=substitute.descriptor if substitute is not None else None,
    )


def payer_note(code: str, payer: str, catalog: Catalog) -> PayerNote | None:
    """What ``payer`` does with ``code`` if it does not simply pay it, else None.

    ``payer`` is a payer name compared without case ("medicare", or ``Payer.MEDICARE``,
    which is that string); only Medicare has such rules in ptclock's data, so any other
    payer gets None.
    """
    if payer.strip().lower() != MEDICARE:
        return None
    return medicare_note(code, catalog)


def separately_payable(code: str, payer: str, catalog: Catalog) -> bool:
    """False when ``payer`` never pays ``code`` as billed (bundled, or not recognised)."""
    return payer_note(code, payer, catalog) is None


def _in_sentence(descriptor: str) -> str:
    """A descriptor inside a sentence: "Unattended electrical stimulation" → "unattended
    electrical stimulation"; an acronym or code at the start stays as it is ("PT
    evaluation")."""
    if len(descriptor) > 1 and descriptor[0].isupper() and descriptor[1].islower():
        return descriptor[0].lower() + descriptor[1:]
    return descriptor
