"""What the window reads straight from the store, and nothing more.

Every write goes through the Timekeeper; reads that need no rule (the day's visits, the
patient list, the audit trail, whether another process wrote) go to the store directly. This
protocol names exactly those, so ``ui/`` never imports ``ptclock.store`` (an import contract)
and a reader sees at once what the window may touch. The store satisfies it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ptclock.timing.records import Payer, Segment, Visit

if TYPE_CHECKING:
    from ptclock.ui.audit_dialog import AuditLine


class KnownPatient(Protocol):
    """A patient on record, as the start-visit dialog pre-fills them."""

    @property
    def mrn(self) -> str: ...
    @property
    def dob(self) -> str: ...
    @property
    def last_payer(self) -> Payer | None: ...


class StoreReads(Protocol):
    @property
    def path(self) -> Path | None:
        """The database file (None: a store in memory)."""
        ...

    def data_version(self) -> int:
        """Moves when any other connection commits (one PRAGMA: cheap every second)."""
        ...

    def keep_wal_in_place(self) -> None: ...
    def visits_on(self, day: date) -> list[Visit]: ...
    def open_visits(self) -> list[Visit]: ...
    def running_segments(self) -> list[Segment]: ...
    def patient_names(self, starting: str = "", limit: int = 20) -> list[str]: ...
    def patients_named(self, name: str) -> Sequence[KnownPatient]: ...
    def audit_trail(self, visit_id: int | None = None) -> Sequence[AuditLine]: ...
    def clinic_patient_names(self, starting: str = "", limit: int = 20) -> list[str]: ...
    def clinic_patients_named(self, name: str) -> list[tuple[str, str, str, str]]: ...
    def clinic_link(self) -> object | None:
        """The clinic this store joined (None: a single machine)."""
        ...
