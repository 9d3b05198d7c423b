"""Sending a day's charges: ``ptclock export`` and the window's Report → Send day's charges….

One export, in one event:

1. the date's visits must all be ended, every visit's provider must have an NPI and every
   patient an MRN — otherwise one sentence says what to fix, and nothing is written;
2. the day's claims (the claim desk's: the ones ``ptclock claim`` prints) are compared with
   what earlier exports of the date sent (``batch.settle``): new claims, amended ones
   (cancel-and-replace, with the reasons the corrections gave), cancelled ones;
3. the file is written atomically and owner-only (``report.export.write_atomically``);
4. the export is recorded — what the billing system now holds, the visits it locks — with
   an audit line saying when, what, where and by whom. If that record cannot be written, the
   file is removed again: a file the store does not know about would be sent twice.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.charges.batch import (
    Action,
    ChargeBatch,
    ChargeLine,
    ClaimCharges,
    ClaimStatus,
    Person,
    Sender,
    Sent,
    VisitFacts,
    after_sending,
    missing,
    numbered,
    sent_from_json,
    sent_to_json,
    settle,
)
from ptclock.charges.csv_template import TemplateError, charges_csv, load_template
from ptclock.charges.fhir import fhir_json
from ptclock.charges.hl7 import hl7_batch
from ptclock.claim_desk import claims_on
from ptclock.claims import Claim
from ptclock.claims.claim import ASSISTANT_MODIFIER
from ptclock.formats import wall_date_time
from ptclock.report.export import ReportError, write_atomically
from ptclock.report.model import PROVIDER_SETUP, Provider
from ptclock.settings import Settings
from ptclock.store.charge_exports import ChargeExportRow
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import zone_from_name, zone_name
from ptclock.timing.records import Visit
from ptclock.timing.tally import VisitTally

FORMATS = ("csv", "hl7", "fhir")
TEMPLATE_FILE = "charges-template.json"
SUFFIXES = {"csv": ".csv", "hl7": ".hl7", "fhir": ".json"}
"""What the window suggests; the command line takes any name."""
CORRECTIONS = {
    "correction": "time corrected",
    "move": "time moved",
    "modifier_override": "modifier changed",
}


class ChargesRefused(ReportError):
    """The day cannot be sent as it is: one sentence saying what to fix (nothing written)."""


class NothingToSend(ReportError):
    """Every claim of the day was sent before and none has changed."""


@dataclass(frozen=True)
class SentCharges:
    path: Path
    export_number: int
    claims: int
    charges: int
    cancellations: int
    amended: int
    missing: int = 0
    """Claims sent before that are no longer among the day's (an older backup restored?):
    left as sent, never cancelled."""

    def words(self) -> str:
        parts = [f"{self.charges} charge line{'' if self.charges == 1 else 's'}"]
        if self.cancellations:
            parts.append(
                f"{self.cancellations} earlier line{'' if self.cancellations == 1 else 's'} "
                "cancelled"
            )
        amended = f", {self.amended} amended" if self.amended else ""
        said = (
            f"Sent {self.claims} claim{'' if self.claims == 1 else 's'}{amended} "
            f"({', '.join(parts)}) as export {self.export_number} to {self.path}"
        )
        if self.missing:
            which = "claim sent before is" if self.missing == 1 else "claims sent before are"
            said += (
                f"; {self.missing} {which} no longer among the day's visits (was an older "
                "backup restored?) and stayed as sent"
            )
        return said


def template_file() -> Path:
    return paths.config_dir() / TEMPLATE_FILE


def suggested_name(keeper: Timekeeper, day: date, fmt: str) -> str:
    """A name that is new for each export ("2026-11-27-charges-3.hl7"): a file of charges
    already sent is never written over."""
    return f"{day.isoformat()}-charges-{keeper.store.next_charge_export()}{SUFFIXES[fmt]}"


def send_day_charges(
    keeper: Timekeeper, day: date, fmt: str, path: Path, clinic: bool = False
) -> SentCharges:
    """Export ``day``'s charges in ``fmt`` to ``path`` (module docstring)."""
    if fmt not in FORMATS:
        raise ChargesRefused(f"unknown format {fmt!r}: use " + ", ".join(FORMATS))
    path = path.absolute()
    _check_path(path)
    render = _renderer(fmt)
    if not clinic and keeper.store.clinic_link() is not None:
        raise ChargesRefused(
            "this computer belongs to a clinic: send the clinic's charges (ptclock export "
            "--clinic, as the window's Report → Send day's charges… does), so each charge "
            "goes out once for the whole clinic; nothing was written"
        )
    written: list[Path] = []
    try:
        if clinic:
            return _send_for_the_clinic(keeper, day, fmt, path, render, written)
        with keeper.event():
            tag = keeper.store.store_tag()
            facts = _day_facts(
                keeper, day, keeper.settings, lambda vid: f"{tag}-V{vid}", _own_words
            )
            local = {f"{tag}-V{visit.id}": visit.id for visit in facts.visits}
            last = keeper.store.last_charge_export(day.isoformat())
            number = keeper.store.next_charge_export()
            sent = _sent(last.sent if last else None, last.id if last else 0)
            last_words = f"export {last.id}, {last.when}" if last else ""
            batch, state = _settled(keeper, facts, sent, local, tag, number, last_words)
            data = render(batch)
            written.append(write_atomically(path, data, replace_existing=False))
            by_whom = _by_whom(keeper.settings)
            _audit(keeper, batch, fmt, path, by_whom)
            keeper.store.add_charge_export(
                ChargeExportRow(
                    id=number,
                    made_at=batch.made_at.isoformat(),
                    zone=zone_name(keeper.clock.zone()),
                    day=day.isoformat(),
                    format=fmt,
                    destination=str(path),
                    by_whom=by_whom,
                    sent=json.dumps(sent_to_json(state), ensure_ascii=False),
                ),
                [local[v.key] for c in batch.claims for v in c.visits if v.key in local],
            )
        return _sent_charges(batch, path, missing(facts.claims, sent))
    except BaseException:
        # Until the export is on record (the event committed), a file written would be
        # sent again by the next export: it goes (ours alone: it never replaces a file).
        for file in written:
            with suppress(OSError):
                file.unlink()
        raise


def _send_for_the_clinic(
    keeper: Timekeeper,
    day: date,
    fmt: str,
    path: Path,
    render: Callable[[ChargeBatch], bytes],
    written: list[Path],
) -> SentCharges:
    """``--clinic``: the clinic's day, settled against the clinic's ledger under its lock;
    the file is written, the ledger row committed, then this store's audit line and locks
    (once the ledger has the export, the file stays whatever happens here: the ledger is
    what the next export compares with)."""
    from ptclock.clinic.charges_ledger import clinic_ledger
    from ptclock.clinic.clinic_day import clinic_keeper

    with clinic_ledger(keeper, day) as ledger:
        with clinic_keeper(keeper, day) as (clinic_tk, sources, names):

            def words(visit: Visit) -> str:
                where = names.get(sources[visit.id].origin, "another workstation")
                return f"{visit.patient}'s visit on {where}"

            facts = _day_facts(clinic_tk, day, None, lambda vid: sources[vid].uid, words)
        uids = [v.key for c in facts.claims for v in c.visits]
        local = keeper.store.visits_with_uids(uids)
        last = ledger.last
        sent = _sent(last.state if last else None, last.number if last else 0)
        when = (
            f"clinic export {last.number}, {wall_date_time(last.made_at, keeper.clock.zone())}"
            if last
            else ""
        )
        batch, state = _settled(keeper, facts, sent, local, ledger.tag, ledger.number, when)
        batch = replace(batch, clinic=True)
        written.append(write_atomically(path, render(batch), replace_existing=False))
        ledger.record(
            fmt, str(path), sent_to_json(state), [v.key for c in batch.claims for v in c.visits]
        )
    written.clear()
    with keeper.event():
        _audit(keeper, batch, fmt, path, _by_whom(keeper.settings))
        made_at = batch.made_at.isoformat()
        keeper.store.add_clinic_locks(
            [(local[v.key], batch.export_number, made_at) for c in batch.claims
             for v in c.visits if v.key in local]
        )  # fmt: skip
    return _sent_charges(batch, path, missing(facts.claims, sent))


def _renderer(fmt: str) -> Callable[[ChargeBatch], bytes]:
    if fmt == "csv":
        try:
            template = load_template(template_file())
        except TemplateError as error:
            raise ChargesRefused(str(error)) from None
        return lambda batch: charges_csv(batch, template).encode("utf-8")
    if fmt == "hl7":
        return lambda batch: hl7_batch(batch).encode("utf-8")
    return lambda batch: fhir_json(batch).encode("utf-8")


def _check_path(path: Path) -> None:
    try:
        folder = path.is_dir()
    except OSError as error:
        raise ChargesRefused(f"cannot write {path}: {error.strerror or error}") from None
    if folder:
        raise ChargesRefused(f"{path} is a folder; give a file name")


@dataclass(frozen=True)
class _DayFacts:
    day: date
    visits: tuple[Visit, ...]
    claims: tuple[ClaimCharges, ...]
    """Not numbered yet: ``numbered`` gives them their export's ids."""


def _own_words(visit: Visit) -> str:
    return f"visit {visit.id}"


def _listing(visits: list[Visit], words: Callable[[Visit], str]) -> str:
    named = [words(v) for v in visits]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _day_facts(
    keeper: Timekeeper,
    day: date,
    settings: Settings | None,
    key_of: Callable[[int], str],
    words: Callable[[Visit], str],
) -> _DayFacts:
    """The day's claims as charges, after the checks (``ChargesRefused``). ``settings``:
    this install's, whose provider is the provider of its own visits recorded before one
    was set (None: the clinic's day, where each visit has only the provider it recorded)."""
    visits = keeper.store.visits_on(day)
    if not visits:
        raise ChargesRefused(f"there are no visits on {day.isoformat()}: nothing was written")
    still_open = [v for v in visits if v.is_open]
    if still_open:
        one = len(still_open) == 1
        raise ChargesRefused(
            f"{_listing(still_open, words)} of {day.isoformat()} {'is' if one else 'are'} "
            f"still open: end {'it' if one else 'them'} first (Visit → End visit, or ptclock "
            "visit end ID); nothing was written"
        )
    if settings is not None:
        configured = Provider.from_settings(settings)
        providers = {v.id: configured.for_visit(v) for v in visits}
        people = {vid: Person(p.name, p.npi, p.credentials) for vid, p in providers.items()}
    else:
        people = {v.id: Person(v.provider, v.provider_npi, v.provider_credentials) for v in visits}
    no_npi = [v for v in visits if not people[v.id].npi]
    if no_npi:
        one = len(no_npi) == 1
        where = (
            PROVIDER_SETUP
            if settings is not None
            else ("set the provider on the workstation that recorded it (Tools → Settings…)")
        )
        raise ChargesRefused(
            f"{_listing(no_npi, words)} of {day.isoformat()} {'has' if one else 'have'} no "
            f"provider NPI, which every charge needs: {where}; nothing was written"
        )
    claims = claims_on(keeper, day)
    by_id = {v.id: v for v in visits}
    no_mrn = [by_id[min(c.visit_ids)] for c in claims if not c.mrn]
    if no_mrn:
        first = no_mrn[0]
        fix = (
            f"add it with ptclock visit identify {first.id} --mrn NUMBER"
            if settings is not None
            else "add it on the workstation that recorded it (ptclock visit identify)"
        )
        raise ChargesRefused(
            f"{first.patient} ({words(first)}) has no MRN, which the billing system finds "
            f"patients by: {fix}"
            + (f" (and {len(no_mrn) - 1} more)" if len(no_mrn) > 1 else "")
            + "; nothing was written"
        )
    tallies = {t.record.visit.id: t for t in keeper.tallies([v.id for v in visits])}
    out = [_claim_charges(claim, by_id, people, tallies, key_of) for claim in claims]
    return _DayFacts(day, tuple(visits), tuple(out))


def _claim_charges(
    claim: Claim,
    visits: dict[int, Visit],
    people: dict[int, Person],
    tallies: dict[int, VisitTally],
    key_of: Callable[[int], str],
) -> ClaimCharges:
    first = visits[min(claim.visit_ids)]
    lines = []
    for line in claim.lines:
        assisted = ASSISTANT_MODIFIER in line.modifiers
        rendering = people[_rendered_by(line.code, assisted, claim.visit_ids, tallies, first.id)]
        lines.append(
            ChargeLine(
                transaction="",
                action=Action.CHARGE,
                code=line.code,
                descriptor=line.descriptor,
                modifiers=line.modifiers,
                units=line.units,
                minutes=line.minutes,
                rendering=rendering,
                supervising=rendering if assisted else None,
                estimated_payment=line.estimated_payment,
            )
        )
    key = (claim.date_of_service.isoformat(), claim.mrn, claim.payer.value, claim.rule.value)
    return ClaimCharges(
        key="|".join(key),
        number="",
        date_of_service=claim.date_of_service,
        patient=claim.patient,
        mrn=claim.mrn,
        date_of_birth=first.dob,
        payer=claim.payer.value,
        rule=claim.rule.value,
        visits=tuple(
            _visit_facts(visits[vid], key_of(vid), people[vid]) for vid in sorted(claim.visit_ids)
        ),
        lines=tuple(lines),
    )


def _rendered_by(
    code: str,
    assisted: bool,
    visit_ids: tuple[int, ...],
    tallies: dict[int, VisitTally],
    first: int,
) -> int:
    """Whose visit a pooled line is billed under: on a CQ line the visit whose assistant
    time on the code was the most (that visit's therapist supervised it), on any other line
    the visit with the most time on it the therapist performed; the earlier visit on a tie;
    a code the payer takes under another (97014 as G0283) under the claim's first visit."""
    best, chosen = 0, first
    for vid in sorted(visit_ids):
        for entry in tallies[vid].codes:
            if entry.code != code:
                continue
            spent = entry.assistant_seconds if assisted else entry.seconds - entry.assistant_seconds
            if spent > best:
                best, chosen = spent, vid
    return chosen


def _visit_facts(visit: Visit, key: str, provider: Person) -> VisitFacts:
    """The visit with its times in its own zone (as the therapist saw them)."""
    zone = zone_from_name(visit.zone)
    ended = visit.ended_at.astimezone(zone) if visit.ended_at else None
    return VisitFacts(key, visit.started_at.astimezone(zone), ended, provider)


def _sender(settings: Settings) -> Sender:
    return Sender(
        application=settings.charges_sending_application or "PTCLOCK",
        facility=settings.charges_sending_facility or settings.clinic_name,
        receiving_application=settings.charges_receiving_application,
        receiving_facility=settings.charges_receiving_facility,
        mrn_system=settings.charges_mrn_system,
    )


def _settled(
    keeper: Timekeeper,
    facts: _DayFacts,
    sent: dict[str, Sent],
    local: dict[str, int],
    tag: str,
    number: int,
    last_when: str,
) -> tuple[ChargeBatch, dict[str, Sent]]:
    """The batch to send (NothingToSend when there is none) and what the billing system
    holds once it is imported."""
    zone = keeper.clock.zone()
    made_at = keeper.clock.now().replace(microsecond=0).astimezone(zone)
    current = numbered(facts.claims, tag, number)
    reasons = {
        claim.key: _reasons(keeper, claim, sent[claim.key], local)
        for claim in current
        if claim.key in sent
    }
    to_send = settle(current, sent, reasons)
    day = facts.day.isoformat()
    if not to_send:
        if not sent:
            raise NothingToSend(
                f"nothing to send for {day}: its visits have no billable units; nothing was written"
            )
        raise NothingToSend(
            f"nothing new to send for {day}: its claims were sent (the last time in {last_when}) "
            "and have not changed since; nothing was written"
        )
    batch = ChargeBatch(facts.day, number, made_at, tag, _sender(keeper.settings), to_send)
    return batch, after_sending(sent, batch, wall_date_time(made_at, zone))


def _sent_charges(batch: ChargeBatch, path: Path, left: tuple[Sent, ...]) -> SentCharges:
    return SentCharges(
        path=path,
        export_number=batch.export_number,
        claims=len(batch.claims),
        charges=sum(len(c.charges) for c in batch.claims),
        cancellations=sum(len(c.cancellations) for c in batch.claims),
        amended=sum(1 for c in batch.claims if c.status is ClaimStatus.AMENDED),
        missing=len(left),
    )


def _audit(keeper: Timekeeper, batch: ChargeBatch, fmt: str, path: Path, by_whom: str) -> None:
    keeper.audit(
        "charges_export",
        after={
            "export": batch.export_number,
            "date": batch.day.isoformat(),
            "format": fmt,
            "file": str(path),
            "by": by_whom,
            "clinic": batch.clinic,
            "claims": len(batch.claims),
            "charges": sum(len(c.charges) for c in batch.claims),
            "cancellations": sum(len(c.cancellations) for c in batch.claims),
        },
    )


def _sent(state: Any, number: int) -> dict[str, Sent]:
    if state is None:
        return {}
    try:
        return sent_from_json(json.loads(state) if isinstance(state, str) else state)
    except ValueError as error:
        raise ReportError(
            f"the record of export {number} cannot be read ({error}): restore a backup "
            "(Tools → Restore…) before sending this day again"
        ) from None


def _reasons(
    keeper: Timekeeper, claim: ClaimCharges, before: Sent, local: dict[str, int]
) -> list[str]:
    """Why a claim sent before changed: the reasons this store's corrections of its visits
    gave since (audit lines that amend that export), the visits added, a date of birth
    added."""
    reasons = []
    zone = keeper.clock.zone()
    for visit in claim.visits:
        visit_id = local.get(visit.key)
        if visit_id is None:
            continue
        for entry in keeper.store.audit_trail(visit_id):
            after = entry.after if isinstance(entry.after, dict) else {}
            amends = after.get("amends_export")
            if not isinstance(amends, int) or amends < before.export_number:
                continue
            if not after.get("reason"):
                continue
            what = CORRECTIONS.get(entry.action, entry.action.replace("_", " "))
            code = f"{entry.code} " if entry.code else ""
            reasons.append(f"{code}{what} at {wall_date_time(entry.at, zone)}: {after['reason']}")
    known = {visit.key for visit in before.claim.visits}
    reasons += [f"visit {v.key} of the same date added" for v in claim.visits if v.key not in known]
    if claim.date_of_birth != before.claim.date_of_birth:
        reasons.append("the patient's date of birth added")
    return reasons


def _by_whom(settings: Settings) -> str:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        login = ""
    return ", ".join(part for part in (settings.provider, login and f"login {login}") if part)
