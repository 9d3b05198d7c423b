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
    sent_from_json,
    sent_to_json,
    settle,
)
from ptclock.charges.csv_template import TemplateError, charges_csv, load_template
from ptclock.charges.fhir import fhir_json
from ptclock.charges.hl7 import hl7_batch
from ptclock.claim_desk import claims_on
from ptclock.claims import Claim
from ptclock.formats import wall_date_time
from ptclock.report.export import ReportError, write_atomically
from ptclock.report.model import PROVIDER_SETUP, Provider
from ptclock.settings import Settings
from ptclock.store.charge_exports import ChargeExportRow
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import zone_from_name, zone_name
from ptclock.timing.records import Visit

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

    def words(self) -> str:
        parts = [f"{self.charges} charge line{'' if self.charges == 1 else 's'}"]
        if self.cancellations:
            parts.append(
                f"{self.cancellations} earlier line{'' if self.cancellations == 1 else 's'} "
                "cancelled"
            )
        amended = f", {self.amended} amended" if self.amended else ""
        return (
            f"Sent {self.claims} claim{'' if self.claims == 1 else 's'}{amended} "
            f"({', '.join(parts)}) as export {self.export_number} to {self.path}"
        )


def template_file() -> Path:
    return paths.config_dir() / TEMPLATE_FILE


def send_day_charges(
    keeper: Timekeeper, day: date, fmt: str, path: Path, clinic: bool = False
) -> SentCharges:
    """Export ``day``'s charges in ``fmt`` to ``path`` (module docstring)."""
    if fmt not in FORMATS:
        raise ChargesRefused(f"unknown format {fmt!r}: use " + ", ".join(FORMATS))
    _check_path(path)
    render = _renderer(fmt)
    if not clinic:
        tag = keeper.store.store_tag()
        with keeper.event():
            facts = _day_facts(keeper, day, keeper.settings, lambda vid: f"{tag}-V{vid}")
            local = {f"{tag}-V{vid}": vid for vid in (v.id for v in facts.visits)}
            return _send(keeper, facts, local, fmt, path, render, clinic=False)
    from ptclock.clinic.clinic_day import clinic_keeper

    with clinic_keeper(keeper, day) as (clinic_tk, sources, _names):
        facts = _day_facts(clinic_tk, day, keeper.settings, lambda vid: sources[vid].uid)
    local = keeper.store.visits_with_uids([v.key for c in facts.claims for v in c.visits])
    with keeper.event():
        return _send(keeper, facts, local, fmt, path, render, clinic=True)


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
    """Numbered with export 0: ``_numbered`` gives them their export's ids."""


def _day_facts(
    keeper: Timekeeper, day: date, settings: Settings, key_of: Callable[[int], str]
) -> _DayFacts:
    """The day's claims as charges, after the checks (``ChargesRefused``)."""
    visits = keeper.store.visits_on(day)
    if not visits:
        raise ChargesRefused(f"there are no visits on {day.isoformat()}: nothing was written")
    still_open = [v for v in visits if v.is_open]
    if still_open:
        raise ChargesRefused(
            f"{_visits_words(still_open)} of {day.isoformat()} "
            f"{'is' if len(still_open) == 1 else 'are'} still open: end "
            f"{'it' if len(still_open) == 1 else 'them'} first (Visit → End visit, or "
            "ptclock visit end ID); nothing was written"
        )
    configured = Provider.from_settings(settings)
    providers = {v.id: configured.for_visit(v) for v in visits}
    no_npi = [v for v in visits if not providers[v.id].npi]
    if no_npi:
        raise ChargesRefused(
            f"{_visits_words(no_npi)} of {day.isoformat()} "
            f"{'has' if len(no_npi) == 1 else 'have'} no provider NPI, which every charge "
            f"needs: {PROVIDER_SETUP}; nothing was written"
        )
    claims = claims_on(keeper, day)
    by_id = {v.id: v for v in visits}
    no_mrn = [by_id[min(c.visit_ids)] for c in claims if not c.mrn]
    if no_mrn:
        first = no_mrn[0]
        raise ChargesRefused(
            f"{first.patient} (visit {first.id}) has no MRN, which the billing system finds "
            f"patients by: add it with ptclock visit identify {first.id} --mrn NUMBER"
            + (f" (and {len(no_mrn) - 1} more)" if len(no_mrn) > 1 else "")
            + "; nothing was written"
        )
    people = {vid: Person(p.name, p.npi, p.credentials) for vid, p in providers.items()}
    tallies = {t.record.visit.id: t for t in keeper.tallies([v.id for v in visits])}
    out = []
    for claim in claims:
        seconds = {vid: {c.code: c.seconds for c in tallies[vid].codes} for vid in claim.visit_ids}
        out.append(_claim_charges(claim, by_id, people, seconds, key_of))
    return _DayFacts(day, tuple(visits), tuple(out))


def _visits_words(visits: list[Visit]) -> str:
    ids = [str(v.id) for v in visits]
    if len(ids) == 1:
        return f"visit {ids[0]}"
    return f"visits {', '.join(ids[:-1])} and {ids[-1]}"


def _claim_charges(
    claim: Claim,
    visits: dict[int, Visit],
    people: dict[int, Person],
    seconds: dict[int, dict[str, int]],
    key_of: Callable[[int], str],
) -> ClaimCharges:
    first = visits[min(claim.visit_ids)]
    lines = []
    for line in claim.lines:
        # A line pooled from two providers' visits is billed under the one who spent the
        # most time on the code (the earlier visit on a tie); a code the payer takes under
        # another (97014 as G0283) under the claim's first visit's provider.
        spent = [(seconds[vid].get(line.code, 0), -vid) for vid in claim.visit_ids]
        _most, negative = max(spent)
        rendering = people[-negative] if _most > 0 else people[first.id]
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
                supervising=rendering if "CQ" in line.modifiers else None,
                estimated_payment=line.estimated_payment,
            )
        )
    return ClaimCharges(
        key="|".join(
            (claim.date_of_service.isoformat(), claim.mrn, claim.payer.value, claim.rule.value)
        ),
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


def _visit_facts(visit: Visit, key: str, provider: Person) -> VisitFacts:
    """The visit with its times in its own zone (as the therapist saw them)."""
    zone = zone_from_name(visit.zone)
    ended = visit.ended_at.astimezone(zone) if visit.ended_at else None
    return VisitFacts(key, visit.started_at.astimezone(zone), ended, provider)


def _numbered(claims: tuple[ClaimCharges, ...], tag: str, number: int) -> list[ClaimCharges]:
    out = []
    for index, claim in enumerate(claims, start=1):
        prefix = f"{tag}-{number}-{index}"
        lines = tuple(
            replace(line, transaction=f"{prefix}-{n}") for n, line in enumerate(claim.lines, 1)
        )
        out.append(replace(claim, number=prefix, lines=lines))
    return out


def _sender(settings: Settings) -> Sender:
    return Sender(
        application=settings.charges_sending_application or "PTCLOCK",
        facility=settings.charges_sending_facility or settings.clinic_name,
        receiving_application=settings.charges_receiving_application,
        receiving_facility=settings.charges_receiving_facility,
        mrn_system=settings.charges_mrn_system,
    )


def _send(
    keeper: Timekeeper,
    facts: _DayFacts,
    local: dict[str, int],
    fmt: str,
    path: Path,
    render: Callable[[ChargeBatch], bytes],
    clinic: bool,
) -> SentCharges:
    """Inside the event: settle, write, record."""
    store, day = keeper.store, facts.day
    moment = keeper.clock.now().replace(microsecond=0)
    zone = keeper.clock.zone()
    made_at = moment.astimezone(zone)
    number = store.next_charge_export()
    tag = store.store_tag()
    last = store.last_charge_export(day.isoformat(), clinic)
    sent = _sent(last)
    current = _numbered(facts.claims, tag, number)
    reasons = {
        claim.key: _reasons(keeper, claim, sent[claim.key], local)
        for claim in current
        if claim.key in sent
    }
    to_send = settle(current, sent, reasons)
    if not to_send:
        when = f" in export {last.id} ({last.when})" if last else ""
        raise NothingToSend(
            f"nothing new to send for {day.isoformat()}: its claims were sent{when} and "
            "have not changed since; nothing was written"
        )
    batch = ChargeBatch(day, number, made_at, tag, _sender(keeper.settings), to_send, clinic)
    data = render(batch)
    written = write_atomically(path, data)
    try:
        sent_at = wall_date_time(made_at, zone)
        by_whom = _by_whom(keeper.settings)
        keeper.audit(
            "charges_export",
            after={
                "export": number,
                "date": day.isoformat(),
                "format": fmt,
                "file": str(written),
                "by": by_whom,
                "clinic": clinic,
                "claims": len(to_send),
                "charges": sum(len(c.charges) for c in to_send),
                "cancellations": sum(len(c.cancellations) for c in to_send),
            },
        )
        state = after_sending(sent, batch, sent_at)
        store.add_charge_export(
            ChargeExportRow(
                id=number,
                made_at=moment.isoformat(),
                zone=_zone_name(keeper),
                day=day.isoformat(),
                clinic=clinic,
                format=fmt,
                destination=str(written),
                by_whom=by_whom,
                audit_id=store.last_audit_id(),
                sent=json.dumps(sent_to_json(state), ensure_ascii=False),
            ),
            [local[v.key] for c in to_send for v in c.visits if v.key in local],
        )
    except BaseException:
        # The store does not know this file went out: it must not stay to be sent.
        with suppress(OSError):
            written.unlink()
        raise
    return SentCharges(
        path=written,
        export_number=number,
        claims=len(to_send),
        charges=sum(len(c.charges) for c in to_send),
        cancellations=sum(len(c.cancellations) for c in to_send),
        amended=sum(1 for c in to_send if c.status is ClaimStatus.AMENDED),
    )


def _zone_name(keeper: Timekeeper) -> str:
    return zone_name(keeper.clock.zone())


def _sent(last: ChargeExportRow | None) -> dict[str, Sent]:
    if last is None:
        return {}
    try:
        return sent_from_json(json.loads(last.sent))
    except ValueError as error:
        raise ReportError(
            f"the record of export {last.id} cannot be read ({error}): restore a backup "
            "(Tools → Restore…) before sending this day again"
        ) from None


def _reasons(
    keeper: Timekeeper, claim: ClaimCharges, before: Sent, local: dict[str, int]
) -> list[str]:
    """Why a claim sent before changed: the reasons its visits' corrections gave since
    (audit lines that amend that export), and the visits added."""
    reasons = []
    zone = zone_from_name(_zone_name(keeper))
    for visit in claim.visits:
        visit_id = local.get(visit.key)
        if visit_id is None:
            continue
        for entry in keeper.store.audit_trail(visit_id):
            after = entry.after if isinstance(entry.after, dict) else {}
            if after.get("amends_export") is None or not after.get("reason"):
                continue
            if int(after["amends_export"]) < before.export_number:
                continue
            what = CORRECTIONS.get(entry.action, entry.action.replace("_", " "))
            code = f"{entry.code} " if entry.code else ""
            reasons.append(f"{code}{what} at {wall_date_time(entry.at, zone)}: {after['reason']}")
    known = {visit.key for visit in before.claim.visits}
    reasons += [f"visit {v.key} of the same date added" for v in claim.visits if v.key not in known]
    return reasons


def _by_whom(settings: Settings) -> str:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        login = ""
    return ", ".join(part for part in (settings.provider, login and f"login {login}") if part)
