"""The timekeeper turns a user's intentions (start 97110, pause, add 5 minutes…) into events.

It is where the pure domain (``timing``, ``billing``) meets the store: each method is one
event, decided by the domain and written in one committed transaction before it returns.
The window's controller and the CLI both go through it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from pathlib import Path

from ptclock.billing import Catalog, Rule
from ptclock.billing.edits import (
    EditFileError,
    EditTable,
    ImportResult,
    parse_cms_ptp,
    parse_pairs_csv,
    shipped_edits,
)
from ptclock.billing.money import FeeFileError, FeeSchedule, parse_fees
from ptclock.settings import Settings
from ptclock.store import Store
from ptclock.store.store import PatientRow
from ptclock.timing.clock import Clock, stamp, zone_name
from ptclock.timing.clock_watch import TOLERANCE_SECONDS, ClockJump, ClockWatch, JumpKind
from ptclock.timing.records import (
    CodeNote,
    ModifierOverride,
    Payer,
    Performer,
    Segment,
    Visit,
    VisitRecord,
    VisitStatus,
)
from ptclock.timing.switching import segments_to_stop
from ptclock.timing.tally import VisitTally, code_seconds, tally

MAX_NAME = 300
MAX_MRN = 64
MAX_TEXT = 4000
MAX_CORRECTION_MINUTES = 24 * 60
SLEEP_DISCARDED = "computer was asleep: time discarded"
"""The reason on the corrections that take a sleep back off the timers."""


class TimekeeperError(ValueError):
    """An intention that cannot be carried out; nothing was changed."""


class OtherTimers(str, Enum):
    """What a new visit does with timers still running for other patients."""

    STOP = "stop"
    KEEP = "keep"


@dataclass(frozen=True)
class Started:
    visit_id: int
    code: str
    already_running: bool
    stopped: tuple[tuple[int, str], ...]
    """(visit id, code) of the timers this start stopped."""


class Timekeeper:
    def __init__(self, store: Store, clock: Clock, catalog: Catalog, settings: Settings) -> None:
        self.store = store
        self.clock = clock
        self.catalog = catalog
        self.settings = settings
        self._watch = ClockWatch(clock)
        self._compared_with_last_event = False
        self._seeded = False
        self._revision = 0
        """Counts this process's events; with PRAGMA data_version it dates cached sums."""
        self._records: dict[int, tuple[tuple[int, int, int], VisitRecord]] = {}

    @property
    def revision(self) -> int:
        """Grows with every event this process writes (a cache key for derived figures)."""
        return self._revision

    def forget_records(self) -> None:
        """Drop every cached record (the store was replaced, e.g. by a restored backup)."""
        self._records.clear()
        self._revision += 1

    # -- reading ------------------------------------------------------------------------

    def visit(self, visit_id: int | None = None) -> Visit:
        """The visit ``visit_id``, or the current one: running a timer, else the newest open."""
        if visit_id is not None:
            found = self.store.visit(visit_id)
            if found is None:
                raise TimekeeperError(f"there is no visit {visit_id}")
            return found
        open_visits = self.store.open_visits()
        if not open_visits:
            raise TimekeeperError(
                "no visit is open: start one with ptclock visit new --patient NAME"
            )
        running = {segment.visit_id for segment in self.store.running_segments()}
        with_timer = [visit for visit in open_visits if visit.id in running]
        return (with_timer or open_visits)[-1]

    def tally(self, visit_id: int | None = None) -> VisitTally:
        """The visit's numbers now. The stored record is re-read only after a write (by this
        process or another), so the window's one-second tick costs one PRAGMA, not a query
        per table."""
        if visit_id is None:
            visit_id = self.visit().id
        key = (visit_id, self._revision, self.store.data_version())
        cached = self._records.get(visit_id)
        if cached is None or cached[0] != key:
            record = self.store.record(visit_id)
            if record is None:
                raise TimekeeperError(f"there is no visit {visit_id}")
            if len(self._records) > 1000:
                self._records.clear()  # a window open for months stays small
            self._records[visit_id] = (key, record)
            cached = self._records[visit_id]
        return tally(cached[1], self.clock.now(), self.catalog, self.settings.long_timer_minutes)

    # -- visits -------------------------------------------------------------------------

    def new_visit(
        self,
        patient: str,
        payer: Payer | None = None,
        rule: Rule | None = None,
        concurrent: bool = False,
        mrn: str = "",
        other_timers: OtherTimers = OtherTimers.KEEP,
        dob: str = "",
    ) -> int:
        """A new visit. Timers running for other patients are stopped in the same event, or
        kept running (they stop, with a word, when this visit starts one of the same
        therapist's timers: one minute is billed for one patient); the choice is audited.

        The patient is found by MRN when one is given, else by name (``_patient``). The
        payer (default: the patient's last visit's), the rule and the provider (name,
        credentials, NPI from the settings) are stored with the visit: changing them later
        never rewrites an earlier visit."""
        name = patient_name(patient)
        mrn = clean_text(mrn, "MRN", MAX_MRN)
        birth_date(dob)
        with self._event() as (now, zone):
            today = now.astimezone(self.clock.zone()).date()
            born = birth_date(dob, today)
            patient_id, last_payer = self._patient(
                name, mrn, born.isoformat() if born else "", payer, now, zone
            )
            payer = payer or last_payer or Payer.OTHER
            running = self.store.running_segments()
            if other_timers is OtherTimers.STOP:
                for segment in running:
                    self._close(segment, now, zone, "new visit")
            rule = rule or self.settings.rule_for(payer)
            visit_id = self.store.add_visit(
                patient_id,
                self.settings.provider,
                today,
                zone,
                rule,
                now,
                concurrent,
                payer,
                self.settings.credentials,
                self.settings.npi,
            )
            self.store.audit(
                now,
                zone,
                "visit_new",
                visit_id=visit_id,
                after={
                    "patient_id": patient_id,
                    "payer": payer.value,
                    "rule": rule.value,
                    "concurrent": concurrent,
                }
                | (
                    {
                        "other_timers": other_timers.value,
                        "running": [[s.visit_id, s.code] for s in running],
                    }
                    if running
                    else {}
                ),
            )
        return visit_id

    def _patient(
        self, name: str, mrn: str, dob: str, payer: Payer | None, now: datetime, zone: str
    ) -> tuple[int, Payer | None]:
        """Who the visit is for: (patient id, their last visit's payer or None).

        An MRN identifies a patient: the same name with another MRN is another patient, and
        an MRN already used under another name is refused. A patient recorded without an
        MRN gets it the first time it is given (when they are the only one of that name
        without one). Without an MRN the name identifies the patient when exactly one has
        it (or, among namesakes, exactly one has the date of birth given); several
        namesakes need the MRN. A date of birth is filled in once, never changed: one that
        differs is refused. Nothing is written before the answer is known.
        """
        found = self.store.patient_with_mrn(mrn) if mrn else None
        if found is not None:
            if found.name != name:
                raise TimekeeperError(
                    f"MRN {mrn} belongs to {found.name}, not {name}: check the MRN or the name"
                )
            return self._same_patient(found, mrn, dob, now, zone), found.last_payer
        namesakes = self.store.patients_named(name)
        fitting = [p for p in namesakes if not (dob and p.dob and p.dob != dob)]
        if mrn:
            fitting = [p for p in fitting if not p.mrn]
        elif len(namesakes) > 1 and dob:
            fitting = [p for p in fitting if p.dob == dob]
        if len(fitting) == 1 and (mrn or len(namesakes) == 1 or dob):
            (patient,) = fitting
            return self._same_patient(patient, mrn, dob, now, zone), patient.last_payer
        if not mrn and len(namesakes) == 1:
            (patient,) = namesakes
            raise TimekeeperError(
                f"{name} is on record as born {patient.dob}, not {dob}: check the date of "
                "birth, or give the MRN if this is another patient"
            )
        if not mrn and namesakes:
            numbers = ", ".join(p.mrn or "none" for p in namesakes)
            raise TimekeeperError(
                f"{len(namesakes)} patients are called {name} (MRNs {numbers}): "
                "give the MRN to say which one"
            )
        return self.store.add_patient(name, payer or Payer.OTHER, mrn, dob), None

    def _same_patient(
        self, patient: PatientRow, mrn: str, dob: str, now: datetime, zone: str
    ) -> int:
        """The patient found; an MRN or date of birth they lacked is filled in (audited,
        without the values: the audit trail holds no patient identifiers)."""
        if dob and patient.dob and patient.dob != dob:
            raise TimekeeperError(
                f"{patient.name}"
                + (f" (MRN {patient.mrn})" if patient.mrn else "")
                + f" is on record as born {patient.dob}, not {dob}: check the date of birth"
            )
        added = [
            field
            for field, given, kept in (("mrn", mrn, patient.mrn), ("dob", dob, patient.dob))
            if given and not kept
        ]
        if added:
            self.store.complete_patient(patient.id, mrn, dob)
            self.store.audit(
                now, zone, "patient_identity", after={"patient_id": patient.id, "added": added}
            )
        return patient.id

    def pause(self, visit_id: int | None = None) -> None:
        with self._event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is VisitStatus.PAUSED:
                raise TimekeeperError(f"visit {visit.id} is already paused")
            running = self._running_in(visit.id)
            for segment in running:
                self._close(segment, now, zone, "pause")
            codes = tuple(segment.code for segment in running)
            self.store.update_visit(visit.id, status=VisitStatus.PAUSED, paused_codes=codes)
            self.store.audit(now, zone, "visit_pause", visit_id=visit.id, after={"stopped": codes})

    def resume(self, visit_id: int | None = None) -> None:
        """Resume a paused visit and restart the timers that were running at the pause."""
        with self._event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is not VisitStatus.PAUSED:
                raise TimekeeperError(f"visit {visit.id} is not paused")
            self.store.update_visit(visit.id, status=VisitStatus.OPEN, paused_codes=())
            self.store.audit(
                now,
                zone,
                "visit_resume",
                visit_id=visit.id,
                after={"restarted": visit.paused_codes},
            )
            resumed = replace(visit, status=VisitStatus.OPEN, paused_codes=())
            for code in visit.paused_codes:
                self._start(resumed, code, now, zone, Performer.PT)

    def end(self, visit_id: int | None = None) -> None:
        with self._event() as (now, zone):
            visit = self._open_visit(visit_id)
            for segment in self._running_in(visit.id):
                self._close(segment, now, zone, "end")
            self.store.update_visit(
                visit.id, status=VisitStatus.ENDED, ended_at=now, paused_codes=()
            )
            self.store.audit(
                now,
                zone,
                "visit_end",
                visit_id=visit.id,
                before={"status": visit.status.value},
                after={"status": "ended"},
            )

    def set_rule(self, rule: Rule, visit_id: int | None = None) -> None:
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            if rule is visit.rule:
                return
            self.store.update_visit(visit.id, rule=rule)
            self.store.audit(
                now,
                zone,
                "visit_rule",
                visit_id=visit.id,
                before={"rule": visit.rule.value},
                after={"rule": rule.value},
            )

    def set_visit_note(self, text: str, visit_id: int | None = None) -> None:
        note = clean_text(text, "the visit note", MAX_TEXT, multiline=True)
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            self.store.update_visit(visit.id, note=note)
            self.store.audit(
                now,
                zone,
                "visit_note",
                visit_id=visit.id,
                before={"note": visit.note},
                after={"note": note},
            )

    # -- timers -------------------------------------------------------------------------

    def start(
        self, code: str, visit_id: int | None = None, performer: Performer = Performer.PT
    ) -> Started:
        """Start ``code``; in one-on-one mode whatever else the therapist was timing stops."""
        code = self.catalog[code].code
        with self._event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is VisitStatus.PAUSED:
                self.store.update_visit(visit.id, status=VisitStatus.OPEN, paused_codes=())
                self.store.audit(
                    now, zone, "visit_resume", visit_id=visit.id, after={"restarted": []}
                )
                visit = replace(visit, status=VisitStatus.OPEN, paused_codes=())
            return self._start(visit, code, now, zone, performer)

    def stop(self, code: str | None = None, visit_id: int | None = None) -> tuple[str, ...]:
        """Stop ``code`` (or every running code) of the visit; the codes that were stopped."""
        if code is not None:
            code = self.catalog[code].code
        with self._event() as (now, zone):
            visit = self._open_visit(visit_id)
            running = [
                seg for seg in self._running_in(visit.id) if code is None or seg.code == code
            ]
            if not running:
                what = code if code is not None else "no timer"
                raise TimekeeperError(
                    f"{what} is not running in visit {visit.id}"
                    if code is not None
                    else f"{what} is running in visit {visit.id}"
                )
            for segment in running:
                self._close(segment, now, zone, "stop")
        return tuple(segment.code for segment in running)

    def stop_all(self) -> tuple[tuple[int, str], ...]:
        """Stop every running timer of every open visit in one event (the window closing,
        say): (visit id, code) of each timer stopped, none when nothing was running."""
        with self._event() as (now, zone):
            running = self._running_in_open_visits()
            for segment in running:
                self._close(segment, now, zone, "stop")
        return tuple((segment.visit_id, segment.code) for segment in running)

    def discard_sleep(self, gap_seconds: int, keep_running: bool) -> tuple[tuple[int, str], ...]:
        """Take the time the computer slept (``gap_seconds``) back off every running timer of
        the open visits and, unless ``keep_running``, stop them, in one event. Each timer's
        code loses at most the time it has (never below zero); each change is a correction
        with the reason ``SLEEP_DISCARDED``. (visit id, code) of each timer that was running."""
        if gap_seconds < 0:
            raise TimekeeperError(f"a sleep of {gap_seconds} seconds cannot be discarded")
        with self._event() as (now, zone):
            running = self._running_in_open_visits()
            for segment in running:
                before = self._seconds(segment.visit_id, segment.code, now)
                taken = min(gap_seconds, before)
                if taken > 0:
                    self._correct(
                        segment.visit_id, segment.code, before, -taken, SLEEP_DISCARDED, now, zone
                    )
                if not keep_running:
                    self._close(segment, now, zone, "stop")
        return tuple((segment.visit_id, segment.code) for segment in running)

    # -- corrections and notes ----------------------------------------------------------

    def add_minutes(self, code: str, minutes: int, reason: str, visit_id: int | None = None) -> int:
        """Add (or with negative minutes remove) time on a code; the correction's id."""
        code = self.catalog[code].code
        why = self._reason(reason)
        check_correction(minutes)
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            before = self._seconds(visit.id, code, now)
            check_correction(minutes, code, before)
            if before + minutes * 60 < 0:
                raise TimekeeperError(
                    f"removing {-minutes} minutes would take {code} below zero: it has "
                    f"{clock_text(before)} in visit {visit.id}"
                )
            return self._correct(visit.id, code, before, minutes * 60, why, now, zone)

    def _correct(
        self,
        visit_id: int,
        code: str,
        before: int,
        seconds: int,
        why: str,
        now: datetime,
        zone: str,
    ) -> int:
        """One correction row and its audit line (inside an event); the correction's id."""
        adjustment = self.store.add_adjustment(visit_id, code, seconds, why, now, zone)
        self.store.audit(
            now,
            zone,
            "correction",
            visit_id=visit_id,
            code=code,
            before={"seconds": before},
            after={"seconds": before + seconds, "reason": why, "correction": adjustment},
        )
        return adjustment

    def move_minutes(
        self, source: str, target: str, minutes: int, reason: str, visit_id: int | None = None
    ) -> None:
        """Move time from one code to another ("started the wrong code")."""
        source, target = self.catalog[source].code, self.catalog[target].code
        why = self._reason(reason)
        check_correction(minutes)
        if minutes <= 0:
            raise TimekeeperError("minutes to move must be more than zero")
        if source == target:
            raise TimekeeperError(f"cannot move time from {source} to itself")
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            had = self._seconds(visit.id, source, now)
            if had < minutes * 60:
                raise TimekeeperError(
                    f"{source} has only {clock_text(had)} in visit {visit.id}; "
                    f"cannot move {minutes} minutes"
                )
            check_correction(minutes, target, self._seconds(visit.id, target, now))
            first = self.store.add_adjustment(visit.id, source, -minutes * 60, why, now, zone)
            self.store.add_adjustment(visit.id, target, minutes * 60, why, now, zone, first)
            self.store.audit(
                now,
                zone,
                "move",
                visit_id=visit.id,
                code=source,
                before={"from": source},
                after={"to": target, "seconds": minutes * 60, "reason": why},
            )

    def set_code_note(
        self,
        code: str,
        visit_id: int | None = None,
        body_part: str | None = None,
        exercises: str | None = None,
        goal: str | None = None,
    ) -> CodeNote:
        """Fill in what the note needs for a code; fields left None keep their text."""
        code = self.catalog[code].code
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            old = next(
                (n for n in self.store.code_notes(visit.id) if n.code == code), CodeNote(code)
            )
            new = CodeNote(
                code,
                old.body_part if body_part is None else clean_text(body_part, "body part", 500),
                old.exercises
                if exercises is None
                else clean_text(exercises, "exercises", MAX_TEXT, multiline=True),
                old.goal if goal is None else clean_text(goal, "goal", MAX_TEXT, multiline=True),
            )
            self.store.set_code_note(visit.id, new)
            self.store.audit(
                now,
                zone,
                "code_note",
                visit_id=visit.id,
                code=code,
                before=note_dict(old),
                after=note_dict(new),
            )
        return new

    # -- what the claim is judged by: edits, fees, modifier overrides ------------------------

    def edit_table(self) -> EditTable:
        """CMS's edits (the imported quarterly file, else the shipped table) and payers' pairs."""
        imported = self.store.imported_edits()
        cms = [e for e in imported if not e.payer]
        payers = [e for e in imported if e.payer]
        if not self.store.has_cms_edits():
            cms = shipped_edits(self.catalog)
        return EditTable([*cms, *payers])

    def fee_schedule(self) -> FeeSchedule:
        return FeeSchedule(self.store.fees())

    def import_edits(self, path: Path, payer: str = "") -> ImportResult:
        """Import CMS's quarterly PTP file (tab-delimited) or a payer's pairs (.csv).

        The file is read to the end before anything changes: a malformed line refuses the
        whole file and the edits in force stay as they were.
        """
        source = str(path)
        try:
            if path.suffix.lower() == ".csv":
                if not payer:
                    raise TimekeeperError("a payer's pairs need --payer NAME")
                pairs = parse_pairs_csv(path.read_text("utf-8-sig"), self.catalog, source, payer)
                result = ImportResult(tuple(pairs), len(pairs), len(pairs), 0)
            else:
                with path.open(encoding="latin-1", newline="") as lines:
                    result = parse_cms_ptp(lines, self.catalog, source)
        except (EditFileError, UnicodeDecodeError) as error:
            raise TimekeeperError(str(error)) from None
        except OSError as error:
            raise TimekeeperError(f"{path}: {error.strerror}") from None
        with self._event() as (now, zone):
            origin = "payer" if payer else "cms"
            self.store.replace_edits(origin, payer.lower(), list(result.edits))
            self.store.audit(
                now,
                zone,
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

    def import_fees(self, path: Path) -> int:
        try:
            fees = parse_fees(path.read_text("utf-8-sig"), self.catalog, str(path))
        except (FeeFileError, UnicodeDecodeError) as error:
            raise TimekeeperError(str(error)) from None
        except OSError as error:
            raise TimekeeperError(f"{path}: {error.strerror}") from None
        with self._event() as (now, zone):
            self.store.replace_fees(fees)
            self.store.audit(now, zone, "fees_import", after={"file": path.name, "fees": len(fees)})
        return len(fees)

    def override_modifier(
        self, code: str, modifier: str, add: bool, reason: str, visit_id: int | None = None
    ) -> None:
        """The therapist adds or removes a modifier on a line, with a reason (audited)."""
        code = self.catalog[code].code
        name = modifier.strip().upper()
        if not (len(name) == 2 and name.isalnum()):
            raise TimekeeperError(
                f"{modifier!r} is not a modifier (two letters or digits, like 59)"
            )
        why = self._reason(reason)
        with self._event() as (now, zone):
            visit = self.visit(visit_id)
            override = ModifierOverride(code, name, add, why)
            self.store.add_modifier_override(visit.id, override, now)
            self.store.audit(
                now,
                zone,
                "modifier_override",
                visit_id=visit.id,
                code=code,
                after={"modifier": name, "action": "add" if add else "remove", "reason": why},
            )

    # -- the clock ------------------------------------------------------------------------

    def check_clock(self) -> ClockJump | None:
        """Look for a wall-clock jump or a sleep since the last look and record it.

        A clock that was set: running timers are split at the moment the jump happened,
        so the time that really passed (monotonic) is kept and the jump is neither lost
        nor counted. A sleep: the time is kept and the anomaly recorded; the window asks
        the therapist what to do with it. Runs in its own transaction, before any event.
        """
        if not self._seeded:
            self._seeded = True
            self._seed_from_last_event()
        jump = self._watch.check()
        if jump is None:
            return None
        zone = zone_name(self.clock.zone())
        with self._written():
            running = self.store.running_segments()
            if jump.kind is JumpKind.CLOCK_SET:
                for segment in running:
                    end = max(jump.expected_now, segment.started_at)
                    self.store.close_segment(segment.id, end)
                    self.store.add_segment(
                        segment.visit_id, segment.code, jump.actual_now, zone, segment.performer
                    )
            self.store.audit(
                jump.actual_now,
                zone,
                jump.kind.value,
                before={"expected_now": jump.expected_now.isoformat()},
                after={
                    "now": jump.actual_now.isoformat(),
                    "seconds": round(jump.seconds),
                    "running": [[s.visit_id, s.code] for s in running],
                    "description": jump.description,
                },
            )
        return jump

    def _seed_from_last_event(self) -> None:
        """Compare the clocks with the last event any process wrote in this boot (each
        audit line keeps the boot id and boot-time clocks beside its wall time)."""
        last = self.store.last_stamp()
        if last is None:
            return
        at, earlier = last
        if (
            earlier.boot_id is not None
            and earlier.boot_id == self.clock.boot_id()
            and earlier.monotonic is not None
            and earlier.monotonic <= self.clock.monotonic()
        ):
            self._watch.seed(at, earlier.monotonic, earlier.since_boot)

    # -- inside an event ------------------------------------------------------------------

    @contextmanager
    def _event(self) -> Iterator[tuple[datetime, str]]:
        """One event: the clock checked first, then one transaction with its time and zone."""
        self.check_clock()
        with self._written():
            now, zone = self.clock.now(), zone_name(self.clock.zone())
            if not self._compared_with_last_event:
                self._note_clock_behind(now, zone)
            yield now, zone
        self._compared_with_last_event = True

    @contextmanager
    def _written(self) -> Iterator[None]:
        """The one way this class writes: a store event, after which every cached record is
        out of date (the revision moves even when the event fails halfway)."""
        try:
            with self.store.event(stamp(self.clock)):
                yield
        finally:
            self._revision += 1

    def _note_clock_behind(self, now: datetime, zone: str) -> None:
        """A fresh process (the CLI) cannot have watched the clock: compare with the store."""
        last = self.store.last_event_at()
        if last is not None and (last - now).total_seconds() > TOLERANCE_SECONDS:
            self.store.audit(
                now,
                zone,
                "clock_behind",
                before={"last_event_at": last.isoformat()},
                after={"now": now.isoformat()},
            )

    def _start(
        self, visit: Visit, code: str, now: datetime, zone: str, performer: Performer
    ) -> Started:
        running = self.store.running_segments()
        if any(seg.visit_id == visit.id and seg.code == code for seg in running):
            return Started(visit.id, code, True, ())
        visits = {visit.id: visit} | {
            seg.visit_id: self._visit_of(seg) for seg in running if seg.visit_id != visit.id
        }
        stops = segments_to_stop(visit, code, [(visits[s.visit_id], s) for s in running])
        for segment in stops:
            self._close(segment, now, zone, "switch")
        segment_id = self.store.add_segment(visit.id, code, now, zone, performer)
        self.store.audit(
            now,
            zone,
            "timer_start",
            visit_id=visit.id,
            code=code,
            after={
                "segment": segment_id,
                "started_at": now.isoformat(),
                "performer": performer.value,
            },
        )
        return Started(visit.id, code, False, tuple((s.visit_id, s.code) for s in stops))

    def _open_visit(self, visit_id: int | None) -> Visit:
        visit = self.visit(visit_id)
        if not visit.is_open:
            raise TimekeeperError(f"visit {visit.id} has ended; corrections are still possible")
        return visit

    def _visit_of(self, segment: Segment) -> Visit:
        visit = self.store.visit(segment.visit_id)
        assert visit is not None
        return visit

    def _running_in(self, visit_id: int) -> list[Segment]:
        return [seg for seg in self.store.running_segments() if seg.visit_id == visit_id]

    def _running_in_open_visits(self) -> list[Segment]:
        open_ids = {visit.id for visit in self.store.open_visits()}
        return [seg for seg in self.store.running_segments() if seg.visit_id in open_ids]

    def _close(self, segment: Segment, now: datetime, zone: str, why: str) -> None:
        end = max(now, segment.started_at)  # a clock set back never makes time negative
        self.store.close_segment(segment.id, end)
        self.store.audit(
            now,
            zone,
            "timer_stop",
            visit_id=segment.visit_id,
            code=segment.code,
            after={"segment": segment.id, "ended_at": end.isoformat(), "why": why},
        )

    def _seconds(self, visit_id: int, code: str, now: datetime) -> int:
        return code_seconds(
            code, tuple(self.store.segments(visit_id)), tuple(self.store.adjustments(visit_id)), now
        )

    def _reason(self, reason: str) -> str:
        why = clean_text(reason, "the reason", 500)
        if not why:
            raise TimekeeperError("a correction needs a reason")
        return why


def patient_name(text: str) -> str:
    """A patient's name as stored: cleaned, never empty (one rule for every door)."""
    name = clean_text(text, "the patient name", MAX_NAME)
    if not name:
        raise TimekeeperError("the patient name is empty")
    return name


MIN_BIRTH_YEAR = 1900


def birth_date(text: str, today: date | None = None) -> date | None:
    """A date of birth as typed: empty is None; else YYYY-MM-DD, a real date from 1900, and
    (given ``today``, the date of service) not after it. One rule for every door."""
    typed = text.strip()
    if not typed:
        return None
    shown = repr(typed if len(typed) <= 20 else typed[:19] + "…")
    born = None
    if len(typed) == 10 and typed[4] == typed[7] == "-" and typed.replace("-", "").isdigit():
        try:
            born = date.fromisoformat(typed)
        except ValueError:
            born = None
    if born is None or not typed.isascii():
        raise TimekeeperError(f"the date of birth {shown} is not a date like 1950-04-30")
    if born.year < MIN_BIRTH_YEAR:
        raise TimekeeperError(
            f"the date of birth {typed} is before {MIN_BIRTH_YEAR}: check the year"
        )
    if today is not None and born > today:
        raise TimekeeperError(
            f"the date of birth {typed} is after the date of service {today.isoformat()}"
        )
    return born


def check_correction(
    minutes: int, code: str | None = None, seconds_before: int | None = None
) -> None:
    """A correction is 1 to 1440 minutes either way; with ``seconds_before`` (the code's
    time now) an addition may not take the code past 24 hours.

    Recorded time beyond a day (a timer left running) is billed and flagged by the tally;
    a correction that would put it there is a typing error, refused. Removing time is always
    allowed (it is how a timer left running is repaired), down to zero.
    """
    if minutes == 0:
        raise TimekeeperError("a correction of 0 minutes changes nothing")
    if abs(minutes) > MAX_CORRECTION_MINUTES:
        raise TimekeeperError(f"{minutes} minutes is more than a day")
    if seconds_before is not None and minutes > 0:
        after = seconds_before + minutes * 60
        if after > MAX_CORRECTION_MINUTES * 60:
            raise TimekeeperError(
                f"adding {minutes} minute{'' if minutes == 1 else 's'} would give "
                f"{code or 'the code'} "
                f"{clock_text(after)}, more than 24 hours on one code: it has "
                f"{clock_text(seconds_before)}"
            )


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder how the text around them shows, so a
name or a note reads differently from what is stored. (The marks U+061C, U+200E and U+200F
only set the direction of neutral characters: kept in notes, where pasted right-to-left
text carries them, and refused in one-line text with the other invisible characters.)"""

JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: part of the spelling in Persian, the Indic scripts and
emoji sequences, so kept there: between two visible characters beyond the Latin and IPA
letters. Anywhere else (in "Ada", at an end, beside a space) they only hide."""


def _joiner_in_place(text: str, index: int) -> bool:
    import unicodedata  # here, not at the top: this file's head belongs to the event code

    if index == 0 or index == len(text) - 1:
        return False
    return all(
        ord(neighbour) >= 0x370 and unicodedata.category(neighbour)[0] in "LMNSP"
        for neighbour in (text[index - 1], text[index + 1])
    )


def _refused(text: str, index: int, multiline: bool) -> str | None:
    """Why the character at ``index`` cannot be stored, or None when it can."""
    import unicodedata

    ch = text[index]
    kind = unicodedata.category(ch)
    if ch in "\n\t" and multiline:
        return None
    if kind == "Cc":
        return "a control character"
    if kind == "Cs":
        return "bytes that are not UTF-8 text"
    if ch in BIDI_CONTROLS:
        return "a bidirectional control character"
    if kind in ("Zl", "Zp") and not multiline:
        return "a line break"
    if kind == "Cf" and not multiline and not (ch in JOINERS and _joiner_in_place(text, index)):
        return "an invisible formatting character"
    return None


def clean_text(text: str, what: str, limit: int, multiline: bool = False) -> str:
    """Trimmed text that shows as what it is; too long is an error, not a cut.

    Refused anywhere: C0 and C1 controls and DEL (one-line text: also tab and newline),
    lone surrogates (undecodable bytes), and the bidi embeddings, overrides and isolates
    (U+202A-E, U+2066-9) that make text read differently from what is stored. One-line
    text (names, MRN, reasons, body part) also refuses every other invisible format
    character (Unicode Cf: bidi marks, zero-width space, word joiner, soft hyphen, BOM,
    tags) and line or paragraph separators; a zero-width (non-)joiner stays only where a
    script or an emoji needs it. Notes keep those, which pasted text often carries.
    """
    for index, ch in enumerate(text):
        if ch.isascii() and (ch.isprintable() or (multiline and ch in "\n\t")):
            continue
        problem = _refused(text, index, multiline)
        if problem is not None:
            raise TimekeeperError(
                f"{what} contains {problem} (U+{ord(ch):04X}, character {index + 1}): remove it"
            )
    text = text.strip()
    if len(text) > limit:
        raise TimekeeperError(f"{what} is longer than {limit} characters")
    return text


def clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def note_dict(note: CodeNote) -> dict[str, str]:
    return {"body_part": note.body_part, "exercises": note.exercises, "goal": note.goal}
