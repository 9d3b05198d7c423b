"""The clinic's day, read from the clinic database: every provider's claims for a date.

The date's visits on every workstation, with the same patients' earlier visits of the year
(the KX threshold counts the patient's Medicare claims year to date), are laid out as a
store in memory (``ptclock.store.clinic_mirror``) and billed by the claim desk, the very
code that bills one workstation: same-day pooling, edits per date of service and CQ across
providers come out of it unchanged. The edits and fees in force are this computer's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from ptclock.claim_desk import claims_on
from ptclock.claims import Claim
from ptclock.clinic import address as addresses
from ptclock.clinic.errors import ClinicError
from ptclock.clinic.server import connected
from ptclock.clinic.server_schema import SCHEMA
from ptclock.store.clinic_link import ClinicRecord
from ptclock.store.clinic_mirror import VisitSource, mirror
from ptclock.timekeeper import Timekeeper

_DAY = f"""
    WITH day_visits AS (
        SELECT DISTINCT visit, patient FROM {SCHEMA}.records
        WHERE kind = 'visit' AND day = %(day)s
    ), same AS (
        SELECT patient FROM day_visits
        UNION
        SELECT p.patient FROM {SCHEMA}.records p
        WHERE p.kind = 'patient' AND p.body->>'mrn' <> '' AND p.body->>'mrn' IN (
            SELECT q.body->>'mrn' FROM {SCHEMA}.records q
            WHERE q.kind = 'patient' AND q.patient IN (SELECT patient FROM day_visits))
    ), earlier_visits AS (
        -- Earlier in the year: only Medicare visits count towards the KX threshold.
        SELECT DISTINCT visit FROM {SCHEMA}.records
        WHERE kind = 'visit' AND day >= %(first)s AND day < %(day)s
          AND body->>'payer' = 'medicare' AND patient IN (SELECT patient FROM same)
    ), wanted AS (
        SELECT visit FROM day_visits UNION SELECT visit FROM earlier_visits
    )
    SELECT * FROM (
        SELECT origin, seq, kind, patient, visit, day::text, made_at, body::text, received_at
        FROM {SCHEMA}.records
        WHERE kind = 'patient' AND patient IN (SELECT patient FROM same)
        UNION ALL
        SELECT origin, seq, kind, patient, visit, day::text, made_at, body::text, received_at
        FROM {SCHEMA}.records
        WHERE visit IN (SELECT visit FROM wanted) AND kind <> 'patient'
        UNION ALL
        SELECT origin, seq, kind, patient, visit, day::text, made_at, body::text, received_at
        FROM {SCHEMA}.records
        WHERE kind = 'audit' AND body->>'action' IN ('clock_set', 'suspend') AND visit IS NULL
          AND body->>'at' >= %(first)s::text
          AND origin IN (SELECT DISTINCT r.origin FROM {SCHEMA}.records r
                         WHERE r.kind = 'visit' AND r.visit IN (SELECT visit FROM wanted))
    ) found
    ORDER BY received_at, origin, seq
"""


@dataclass(frozen=True)
class ClinicDay:
    day: date
    claims: list[Claim]
    sources: dict[int, VisitSource]
    """Each claim's visit ids (numbered for this day's view) → where the visit came from."""
    workstations: dict[str, str]
    """origin → the workstation's name."""


def clinic_day(keeper: Timekeeper, day: date) -> ClinicDay:
    """Every provider's claims for ``day``, from the clinic database this computer joined."""
    with clinic_keeper(keeper, day) as (day_keeper, sources, names):
        return ClinicDay(day, claims_on(day_keeper, day), sources, names)


@contextmanager
def clinic_keeper(
    keeper: Timekeeper, day: date
) -> Iterator[tuple[Timekeeper, dict[int, VisitSource], dict[str, str]]]:
    """A Timekeeper on the clinic's records of ``day`` (in memory, closed afterwards), with
    where each visit came from and the workstations' names: every reader of one store's day
    (claims, day reports) reads the clinic's through it."""
    link = keeper.store.clinic_link()
    if link is None:
        raise ClinicError(
            "this computer has not joined a clinic: run ptclock clinic join URL first"
        )
    with connected(addresses.parse(link.address)) as connection:
        records = fetch_day(connection, day)
        listed = connection.execute(
            f"SELECT origin, name, joined_by FROM {SCHEMA}.workstations"
        ).fetchall()
    names = {origin: name for origin, name, _login in listed}
    logins = {origin: login for origin, _name, login in listed}
    store, sources = mirror(records, keeper.store, logins)
    try:
        yield Timekeeper(store, keeper.clock, keeper.catalog, keeper.settings), sources, names
    finally:
        store.close()


def fetch_day(connection: Any, day: date) -> list[ClinicRecord]:
    first = date(day.year, 1, 1)
    rows = connection.execute(_DAY, {"day": day, "first": first})
    return [ClinicRecord(*row[:8]) for row in rows]
