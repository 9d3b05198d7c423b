"""The timekeeper turns a user's intentions (start 97110, pause, add 5 minutes…) into events.

It is where the pure domain (``timing``, ``billing``) meets the store: each method is one
event, decided by the domain and written in one committed transaction before it returns.
The window's controller and the CLI both go through it, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from ptclock.billing import Catalog, Rule
from ptclock.clock_checks import ClockChecks
from ptclock.entries import (
    MAX_MRN,
    MAX_TEXT,
    birth_date,
    check_correction,
    clean_text,
    patient_name,
)
from ptclock.entries import (
    reason as checked_reason,
)
from ptclock.formats import clock_text
from ptclock.patients import identify, patient_for_visit
from ptclock.refused import TimekeeperError
from ptclock.settings import Settings
from ptclock.store import Store
from ptclock.timing.clock import Clock, stamp, zone_name
from ptclock.timing.clock_watch import ClockJump
from ptclock.timing.records import (
    CodeNote,
    Payer,
    Performer,
    Segment,
    Visit,
    VisitRecord,
    VisitStatus,
)
from ptclock.timing.switching import segments_to_stop
from ptclock.timing.tally import VisitTally, code_seconds, tally

__all__ = ["SLEEP_DISCARDED", "OtherTimers", "Started", "Timekeeper", "TimekeeperError"]

SLEEP_DISCARDED = "computer was asleep: time discarded"
"""The reason on the corrections that take a sleep back off the timers."""


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
        self._clock_checks = ClockChecks(clock)
        self._moment: tuple[datetime, str] | None = None
        """The current event's time and zone (inside ``event()``), for its audit lines."""
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

    def tallies(self, visit_ids: Sequence[int]) -> list[VisitTally]:
        """``tally`` of many visits, in that order; the records not cached are read together
        (``Store.records``): a year of a patient's claims, a clinic's day."""
        version = (self._revision, self.store.data_version())
        records: dict[int, VisitRecord] = {}
        for visit_id in dict.fromkeys(visit_ids):
            cached = self._records.get(visit_id)
            if cached is not None and cached[0] == (visit_id, *version):
                records[visit_id] = cached[1]
        missing = [visit_id for visit_id in dict.fromkeys(visit_ids) if visit_id not in records]
        if missing:
            loaded = self.store.records(missing)
            if len(self._records) + len(loaded) > 1000:
                self._records.clear()  # a window open for months stays small
            for visit_id, record in loaded.items():
                self._records[visit_id] = ((visit_id, *version), record)
            records.update(loaded)
        now = self.clock.now()
        found = []
        for visit_id in visit_ids:
            if visit_id not in records:
                raise TimekeeperError(f"there is no visit {visit_id}")
            found.append(
                tally(records[visit_id], now, self.catalog, self.settings.long_timer_minutes)
            )
        return found

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
        with self.event() as (now, zone):
            today = now.astimezone(self.clock.zone()).date()
            born = birth_date(dob, today)
            patient_id, last_payer = patient_for_visit(
                self.store, name, mrn, born.isoformat() if born else "", payer, now, zone
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
            self.audit(
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

    def identify_patient(self, visit_id: int, mrn: str, dob: str = "") -> None:
        """Fill in the MRN (and date of birth) of visit ``visit_id``'s patient, recorded
        without them (``patients.identify``): the billing system finds patients by MRN."""
        mrn = clean_text(mrn, "MRN", MAX_MRN)
        birth_date(dob)
        with self.event() as (now, zone):
            visit = self.visit(visit_id)
            if not visit.patient_id:
                raise TimekeeperError(f"visit {visit.id} has no patient record to fill in")
            born = birth_date(dob, now.astimezone(self.clock.zone()).date())
            identify(
                self.store,
                visit.patient_id,
                visit.patient,
                mrn,
                born.isoformat() if born else "",
                now,
                zone,
            )

    def pause(self, visit_id: int | None = None) -> None:
        with self.event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is VisitStatus.PAUSED:
                raise TimekeeperError(f"visit {visit.id} is already paused")
            running = self._running_in(visit.id)
            for segment in running:
                self._close(segment, now, zone, "pause")
            codes = tuple(segment.code for segment in running)
            self.store.update_visit(visit.id, status=VisitStatus.PAUSED, paused_codes=codes)
            self.audit("visit_pause", visit_id=visit.id, after={"stopped": codes})

    def resume(self, visit_id: int | None = None) -> None:
        """Resume a paused visit and restart the timers that were running at the pause."""
        with self.event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is not VisitStatus.PAUSED:
                raise TimekeeperError(f"visit {visit.id} is not paused")
            self.store.update_visit(visit.id, status=VisitStatus.OPEN, paused_codes=())
            self.audit(
                "visit_resume",
                visit_id=visit.id,
                after={"restarted": visit.paused_codes},
            )
            resumed = replace(visit, status=VisitStatus.OPEN, paused_codes=())
            for code in visit.paused_codes:
                self._start(resumed, code, now, zone, Performer.PT)

    def end(self, visit_id: int | None = None) -> None:
        with self.event() as (now, zone):
            visit = self._open_visit(visit_id)
            for segment in self._running_in(visit.id):
                self._close(segment, now, zone, "end")
            self.store.update_visit(
                visit.id, status=VisitStatus.ENDED, ended_at=now, paused_codes=()
            )
            self.audit(
                "visit_end",
                visit_id=visit.id,
                before={"status": visit.status.value},
                after={"status": "ended"},
            )

    def set_rule(self, rule: Rule, visit_id: int | None = None) -> None:
        with self.event():
            visit = self.visit(visit_id)
            if rule is visit.rule:
                return
            self._refuse_if_sent(visit.id, "its unit rule cannot change now")
            self.store.update_visit(visit.id, rule=rule)
            self.audit(
                "visit_rule",
                visit_id=visit.id,
                before={"rule": visit.rule.value},
                after={"rule": rule.value},
            )

    def set_visit_note(self, text: str, visit_id: int | None = None) -> None:
        note = clean_text(text, "the visit note", MAX_TEXT, multiline=True)
        with self.event():
            visit = self.visit(visit_id)
            self.store.update_visit(visit.id, note=note)
            self.audit(
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
        with self.event() as (now, zone):
            visit = self._open_visit(visit_id)
            if visit.status is VisitStatus.PAUSED:
                self.store.update_visit(visit.id, status=VisitStatus.OPEN, paused_codes=())
                self.audit("visit_resume", visit_id=visit.id, after={"restarted": []})
                visit = replace(visit, status=VisitStatus.OPEN, paused_codes=())
            return self._start(visit, code, now, zone, performer)

    def stop(self, code: str | None = None, visit_id: int | None = None) -> tuple[str, ...]:
        """Stop ``code`` (or every running code) of the visit; the codes that were stopped."""
        if code is not None:
            code = self.catalog[code].code
        with self.event() as (now, zone):
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
        with self.event() as (now, zone):
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
        with self.event() as (now, zone):
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
        why = checked_reason(reason)
        check_correction(minutes)
        with self.event() as (now, zone):
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
        self.audit(
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
        why = checked_reason(reason)
        check_correction(minutes)
        if minutes <= 0:
            raise TimekeeperError("minutes to move must be more than zero")
        if source == target:
            raise TimekeeperError(f"cannot move time from {source} to itself")
        with self.event() as (now, zone):
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
            self.audit(
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
        with self.event():
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
            self.audit(
                "code_note",
                visit_id=visit.id,
                code=code,
                before=note_dict(old),
                after=note_dict(new),
            )
        return new

    # -- the clock ------------------------------------------------------------------------

    def check_clock(self) -> ClockJump | None:
        """Look for a wall-clock jump or a sleep since the last look and record it, in its
        own transaction, before any event (``ptclock.clock_checks``)."""
        try:
            jump = self._clock_checks.look(self.store)
        except BaseException:
            self._revision += 1  # it may have written part of a transaction: re-read
            raise
        if jump is not None:
            self._revision += 1  # timers were split: cached records are out of date
        return jump

    # -- inside an event ------------------------------------------------------------------

    @contextmanager
    def event(self) -> Iterator[tuple[datetime, str]]:
        """One event: the clock checked first, then one store transaction with the event's
        time and zone. Every change the Timekeeper (or ``billing_data``, ``claim_desk``)
        makes is written inside one; every cached record is out of date after it (even when
        it failed halfway)."""
        self.check_clock()
        try:
            with self.store.transaction(stamp(self.clock)):
                now, zone = self.clock.now(), zone_name(self.clock.zone())
                self._clock_checks.note_if_behind(self.store, now, zone)
                self._moment = (now, zone)
                yield now, zone
        finally:
            self._moment = None
            self._revision += 1
        self._clock_checks.event_written()

    def audit(
        self,
        action: str,
        *,
        visit_id: int | None = None,
        code: str | None = None,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object] | None = None,
    ) -> None:
        """The audit line of what the current event did, at its time and in its zone (the
        one way an event is written down: the Timekeeper, ``billing_data``, ``claim_desk``)."""
        if self._moment is None:
            raise RuntimeError("audit lines are written inside an event")
        now, zone = self._moment
        sent = self.store.export_of_visit(visit_id) if visit_id is not None else None
        if sent is not None:
            # The visit's charges were handed to billing: every later change is an
            # amendment of that export, listed (with its reason) by the next one.
            after = {**(after or {}), "amends_export": sent.export}
        self.store.audit(
            now, zone, action, visit_id=visit_id, code=code, before=before, after=after
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
        self.audit(
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

    def _refuse_if_sent(self, visit_id: int, what: str) -> None:
        """A visit whose charges were exported is locked: only corrections with a reason
        (time, modifiers) amend it (issue 18)."""
        sent = self.store.export_of_visit(visit_id)
        if sent is not None:
            raise TimekeeperError(
                f"visit {visit_id}'s charges were sent to billing in export {sent.export} "
                f"({sent.when}): {what}; correct its time or "
                "modifiers with a reason instead, then send the day's charges again"
            )

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
        self.audit(
            "timer_stop",
            visit_id=segment.visit_id,
            code=segment.code,
            after={"segment": segment.id, "ended_at": end.isoformat(), "why": why},
        )

    def _seconds(self, visit_id: int, code: str, now: datetime) -> int:
        return code_seconds(
            code, tuple(self.store.segments(visit_id)), tuple(self.store.adjustments(visit_id)), now
        )


def note_dict(note: CodeNote) -> dict[str, str]:
    return {"body_part": note.body_part, "exercises": note.exercises, "goal": note.goal}
