"""The window's controller: turns clicks into timekeeper calls and tells the widgets.

The widgets hold no rule; they call these methods and redraw on ``changed``. A failed
intention (a rule said no) arrives as ``failed`` with the one-line reason.

The one-second tick is cheap (issue 15): one ``PRAGMA data_version`` per tick tells whether
another process wrote, and ``Timekeeper.revision`` whether this one did. While neither moved,
the visit's record stays cached here, and within a minute only the seconds of the running
codes are derived again from it (``timing.tally.moved_on``); the billing is recomputed when a code's
whole minutes change, and the claim (``review``) likewise. The figures are exactly those of
a full recompute (tests/ui/test_tick_cost.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ptclock.billing import Catalog, Code, Rule, UnknownCodeError
from ptclock.formats import wall_time
from ptclock.refusals import REFUSALS
from ptclock.settings import Settings
from ptclock.timekeeper import OtherTimers, Timekeeper, TimekeeperError
from ptclock.timing.clock import today as clock_today
from ptclock.timing.clock_watch import ClockJump, JumpKind
from ptclock.timing.records import CodeNote, Payer, Performer, Segment, Visit, VisitStatus
from ptclock.timing.tally import VisitTally, moved_on, tally
from ptclock.ui.words import minutes as minutes_words

if TYPE_CHECKING:  # imported where used: the claim desk and restoring are not start-up, and
    # the audit dialog (StoreReads names its lines) is the window's to import when it opens
    from ptclock.claim_desk import ModifierReason
    from ptclock.claims import Claim
    from ptclock.restoring import Encrypted, Encryption, Restored
    from ptclock.ui.audit_dialog import AuditLine
    from ptclock.ui.store_reads import StoreReads

MINUTE = timedelta(minutes=1)

REFUSED: tuple[type[Exception], ...] = (*REFUSALS, UnknownCodeError)
"""What an intention can be refused with: the message says why and nothing was changed."""


@dataclass(frozen=True)
class ReturningPatient:
    """A known patient, as the start-visit dialog pre-fills them."""

    payer: Payer | None
    """Their last visit's payer (None: no visit yet, or several patients of that name)."""
    mrn: str
    dob: str
    namesakes: int = 1
    """How many patients have this name; more than one: the MRN says which."""


class SessionController(QObject):
    changed = Signal()
    """The visit shown, its numbers or the day's list changed: redraw."""
    failed = Signal(str)
    """An intention was refused; the message says why (nothing was changed)."""
    notice = Signal(str)
    """Something done that the status bar should mention (a report saved)."""
    long_timer = Signal(str)
    """A code has run past the long-timer limit: ask "still treating?" (once per run)."""
    slept = Signal(object)
    """The computer slept while a timer ran (a ClockJump): ask what to do with the time."""
    ticked = Signal(object)
    """A second passed and nothing else changed: the visit's new tally (or None)."""
    seconds_moved = Signal(object)
    """A second passed within the minute: only the running seconds and the visit clock of
    this tally moved (no write, no whole minute, no clock minute): redraw just those."""
    written = Signal()
    """This window wrote something (the clinic sync sends it at once)."""

    def __init__(self, keeper: Timekeeper, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keeper = keeper
        self.visit_id: int | None = None
        self.performer = Performer.PT
        """Who performs the timers started from now on (PT, PTA, student)."""
        self._asked_long: set[tuple[int, str, str]] = set()
        self._review_cache: tuple[tuple[object, ...], Claim, tuple[int, ...]] | None = None
        self._data_version = self.store.data_version()
        self._written_key: tuple[object, ...] | None = None
        """What the cached figures were derived under: the store, settings and catalog
        objects, the store's data_version and the keeper's revision (``_check_written``)."""
        self._generation = 0
        """Grows each time something was written: the claim's cache key."""
        self._tallies: dict[int, VisitTally] = {}
        """The newest tally per visit, derived from a record read under ``_written_key``."""
        self._running: list[Segment] | None = None
        """The store's running segments under ``_written_key`` (None: not read yet)."""
        self._in_tick = False
        """Inside ``refresh``: the data_version read at the tick's start holds for the tick."""
        self._last_ticked: VisitTally | None = None
        """The tally the last tick showed (``seconds_only``)."""
        self.background_quiet: Callable[[], AbstractContextManager[object]] = nullcontext
        """Holds the window's other users of the database (the clinic sync) still while a
        restore or an encryption swaps the file (``app`` sets it in clinic mode)."""
        try:
            self.visit_id = keeper.visit().id
        except TimekeeperError:
            self.visit_id = None

    # -- what the widgets read ----------------------------------------------------------

    @property
    def store(self) -> StoreReads:
        """The store, for reading only (``ui.store_reads``); the Timekeeper writes. Read
        through the keeper each time: a restored backup replaces the keeper's store."""
        return self.keeper.store

    def database_path(self) -> Path | None:
        """The database file this window shows (None: a store in memory)."""
        return self.store.path

    @property
    def catalog(self) -> Catalog:
        return self.keeper.catalog

    @property
    def settings(self) -> Settings:
        return self.keeper.settings

    def tally(self) -> VisitTally | None:
        if self.visit_id is None:
            return None
        try:
            return self.tally_of(self.visit_id)
        except TimekeeperError:
            self.visit_id = None
            return None

    def tally_of(self, visit_id: int) -> VisitTally:
        """``visit_id``'s numbers now (as ``Timekeeper.tally``): the record is read again only
        after a write, by this process or another; within a minute only the seconds of the
        running codes are derived again; the billing when a code's whole minutes change."""
        self._check_written()
        now = self.keeper.clock.now()
        previous = self._tallies.get(visit_id)
        if previous is None:
            found = self.keeper.tally(visit_id)  # reads the record (a query per table)
        elif previous.now == now:
            return previous
        else:
            found = moved_on(previous, now, self.settings.long_timer_minutes) or tally(
                previous.record, now, self.catalog, self.settings.long_timer_minutes
            )
        if len(self._tallies) > 1000:
            self._tallies.clear()  # a window open for months stays small
        self._tallies[visit_id] = found
        return found

    def _check_written(self) -> None:
        """Drop the cached figures if anything was written since they were derived: this
        process's events move ``Timekeeper.revision``, another process's commits the
        store's ``data_version`` (one PRAGMA; none inside a tick, which read it first)."""
        version = self._data_version if self._in_tick else self.store.data_version()
        key = (self.keeper.store, self.settings, self.catalog, version, self.keeper.revision)
        if self._written_key is not None and all(
            a is b or a == b for a, b in zip(key, self._written_key, strict=True)
        ):
            return
        self._written_key = key
        self._generation += 1
        self._tallies.clear()
        self._running = None

    def running_segments(self) -> list[Segment]:
        """Every running segment of every visit (read again only after a write)."""
        self._check_written()
        if self._running is None:
            self._running = self.store.running_segments()
        return self._running

    def review(self, tally: VisitTally | None = None) -> Claim | None:
        """The claim the visit shown is billed on (its patient's, payer's and date's, pooled
        with their other visits): edits, modifiers, payment, KX — what visit show, the PDFs
        and the CSV say too.

        Recomputed when something was written, or as time moves what the claim says: a
        code's whole minutes (units, payment), a running timer's block passing a whole
        minute, or the clock's minute turning (its evidence shows clock times to the minute)
        — not on every one-second tick.
        """
        if self.visit_id is None:
            return None
        tally = tally or self.tally()
        if tally is None:
            return None
        self._check_written()
        cached = self._review_cache
        visit_ids: tuple[int, ...] = (self.visit_id,)
        if cached is not None and cached[0][:2] == (self.visit_id, self._generation):
            visit_ids = cached[2]  # the visits on the claim: only a write changes them
        key = (self.visit_id, self._generation, self._claim_moves(tally, visit_ids))
        if cached is None or cached[0] != key:
            from ptclock.claim_desk import claim_with_the_clinic

            try:
                claim = claim_with_the_clinic(self.keeper, self.visit_id)
            except TimekeeperError:
                return None
            ids = tuple(claim.visit_ids)
            key = (self.visit_id, self._generation, self._claim_moves(tally, ids))
            self._review_cache = cached = (key, claim, ids)
        return cached[1]

    def _claim_moves(self, shown: VisitTally, visit_ids: Sequence[int]) -> tuple[object, ...]:
        """What time changes in a claim on ``visit_ids``: each code's whole minutes, each
        running segment's whole minutes, and the clock's minute while anything runs."""
        now = shown.now
        moves: list[object] = []
        for visit_id in (v for v in visit_ids if v > 0):  # < 0: another workstation's
            found = shown if visit_id == shown.record.visit.id else self.tally_of(visit_id)
            moves.append(tuple((line.code, line.minutes, line.running) for line in found.codes))
            moves.append(
                tuple(
                    (now - segment.started_at) // MINUTE
                    for segment in found.record.segments
                    if segment.running
                )
            )
        running = any(moves[1::2])
        moves.append(int(now.timestamp()) // 60 if running else None)
        return tuple(moves)

    def modifier_reasons(self, claim: Claim) -> tuple[ModifierReason, ...]:
        """Each modifier on the claim with the sentence that says why."""
        from ptclock.claim_desk import modifier_reasons

        return modifier_reasons(self.keeper, claim)

    def override_modifier(self, code: str, modifier: str, add: bool, reason: str) -> bool:
        from ptclock.claim_desk import override_modifier

        visit_id = self.visit_id
        return visit_id is not None and self._do(
            lambda: override_modifier(self.keeper, code, modifier, add, reason, visit_id)
        )

    def favourites(self) -> list[Code]:
        """The tiles: favourite codes from settings, then codes used in this visit."""
        codes: dict[str, Code] = {}
        for code in self.settings.favourites:
            if code in self.catalog:
                codes[self.catalog[code].code] = self.catalog[code]
        tally = self.tally()
        if tally is not None:
            for line in tally.codes:
                codes.setdefault(line.code, self.catalog[line.code])
        return list(codes.values())

    def today(self) -> list[VisitTally]:
        day = clock_today(self.keeper.clock)
        return [self.tally_of(visit.id) for visit in self.store.visits_on(day)]

    def left_open(self) -> list[Visit]:
        """Visits still open from an earlier day: to be pointed out, never closed silently."""
        this_day = clock_today(self.keeper.clock)
        return [v for v in self.store.open_visits() if v.date_of_service < this_day]

    def patient_names(self, starting: str = "") -> list[str]:
        """Earlier patients' names, and in a clinic the clinic's patient list too."""
        names = self.store.patient_names(starting, limit=200)
        if self.clinic_joined():
            names = sorted({*names, *self.store.clinic_patient_names(starting, limit=200)})
        return names

    def anything_running(self) -> bool:
        return bool(self.running_segments())

    def audit_trail(self, visit_id: int) -> Sequence[AuditLine]:
        """Every audit line of ``visit_id``, oldest first."""
        return self.store.audit_trail(visit_id)

    # -- intentions ------------------------------------------------------------------------

    def _do(self, action: Callable[[], Any]) -> bool:
        try:
            action()
        except REFUSED as error:
            self.failed.emit(str(error))
            return False
        self._data_version = self.store.data_version()
        self.changed.emit()
        self.written.emit()
        return True

    def clinic_joined(self) -> bool:
        """Whether this computer joined a clinic (``ptclock clinic join``)."""
        return self.store.clinic_link() is not None

    def start_visit(
        self,
        patient: str,
        payer: Payer,
        mrn: str = "",
        other_timers: OtherTimers = OtherTimers.KEEP,
        dob: str = "",
    ) -> bool:
        """A new visit; who performs its timers starts again as the provider themself.
        ``dob`` is the date of birth as typed (YYYY-MM-DD or empty)."""

        def new() -> None:
            self.visit_id = self.keeper.new_visit(
                patient,
                payer,
                concurrent=self.settings.concurrent_by_default,
                mrn=mrn,
                other_timers=other_timers,
                dob=dob,
            )
            self.performer = self.own_role()

        return self._do(new)

    def own_role(self) -> Performer:
        """The provider's own role, from their credentials ("PTA" → PT assistant)."""
        words = self.settings.credentials.upper().replace(",", " ").replace(".", " ").split()
        return Performer.PTA if "PTA" in words else Performer.PT

    def returning_patient(self, name: str) -> ReturningPatient | None:
        """What is known of the patients called ``name``, to start the next visit: the
        payer of their last visit, their MRN and date of birth — or, when several patients
        have that name, only how many (the MRN must then say which)."""
        found = self.store.patients_named(name.strip())
        if not found:
            return self._clinic_patient(name.strip())
        if len(found) > 1:
            return ReturningPatient(None, "", "", len(found))
        (patient,) = found
        return ReturningPatient(patient.last_payer, patient.mrn, patient.dob)

    def _clinic_patient(self, name: str) -> ReturningPatient | None:
        """A patient only the clinic's list knows (added at the front desk, or seen on
        another workstation): their MRN, date of birth and payer to start with."""
        found = self.store.clinic_patients_named(name) if self.clinic_joined() else []
        if not found:
            return None
        if len(found) > 1:
            return ReturningPatient(None, "", "", len(found))
        ((_uid, mrn, dob, payer),) = found
        known = payer if payer in {p.value for p in Payer} else None
        return ReturningPatient(Payer(known) if known else None, mrn, dob)

    def running_elsewhere(self, shown: int | None) -> list[tuple[Visit, str, int]]:
        """Timers running in other open visits than ``shown``: (visit, code, seconds)."""
        running = self.running_segments()
        found = []
        for visit_id in dict.fromkeys(s.visit_id for s in running if s.visit_id != shown):
            with suppress(TimekeeperError):
                tally = self.tally_of(visit_id)
                found += [
                    (tally.record.visit, code, tally.code(code).seconds)
                    for code in tally.running_codes
                ]
        return found

    def open_visit(self, visit_id: int) -> None:
        self.visit_id = visit_id
        self.changed.emit()

    def toggle(self, code: str) -> bool:
        """Start ``code``, or stop it if it is running (the tile's click)."""
        tally = self.tally()
        if tally is None:
            self.failed.emit("Start a visit first (Ctrl+N).")
            return False
        visit_id = tally.record.visit.id
        if code in tally.running_codes:
            return self._do(lambda: self.keeper.stop(code, visit_id))
        return self._do(lambda: self._start(code, visit_id))

    def _start(self, code: str, visit_id: int) -> None:
        """Start ``code``; say so when that stopped a timer of another patient's visit."""
        started = self.keeper.start(code, visit_id, self.performer)
        elsewhere = [(v, c) for v, c in started.stopped if v != visit_id]
        if elsewhere:
            names = ", ".join(f"{c} for {self.keeper.visit(v).patient}" for v, c in elsewhere)
            self.notice.emit(
                f"Stopped {names}: a therapist's minute is billed for one patient only."
            )

    def set_performer(self, performer: Performer) -> None:
        """Timers started from now on are performed by ``performer`` (CQ, student time)."""
        self.performer = performer

    def toggle_on(self, code: str) -> bool:
        """Start ``code`` unless it already runs (tray "switch to", the code picker)."""
        tally = self.tally()
        if tally is not None and code in tally.running_codes:
            return True
        return self.toggle(code)

    def stop_running(self) -> bool:
        tally = self.tally()
        if tally is None or not tally.running_codes:
            return False
        return self._do(lambda: self.keeper.stop(None, tally.record.visit.id))

    def pause_or_resume(self) -> bool:
        tally = self.tally()
        if tally is None or not tally.record.visit.is_open:
            return False
        visit_id = tally.record.visit.id
        if tally.record.visit.status is VisitStatus.PAUSED:
            return self._do(lambda: self.keeper.resume(visit_id))
        return self._do(lambda: self.keeper.pause(visit_id))

    def end_visit(self) -> bool:
        visit_id = self.visit_id
        return visit_id is not None and self._do(lambda: self.keeper.end(visit_id))

    def set_rule(self, rule: Rule) -> bool:
        visit_id = self.visit_id
        return visit_id is not None and self._do(lambda: self.keeper.set_rule(rule, visit_id))

    def add_minutes(self, code: str, minutes: int, reason: str) -> bool:
        visit_id = self.visit_id
        return visit_id is not None and self._do(
            lambda: self.keeper.add_minutes(code, minutes, reason, visit_id)
        )

    def move_minutes(self, source: str, target: str, minutes: int, reason: str) -> bool:
        visit_id = self.visit_id
        return visit_id is not None and self._do(
            lambda: self.keeper.move_minutes(source, target, minutes, reason, visit_id)
        )

    def save_documentation(
        self, visit_id: int, notes: list[CodeNote], visit_note: str | None
    ) -> bool:
        """Save what was typed for ``visit_id`` (which need not be the visit shown now: the
        window saves a visit's typing before it shows another)."""

        def save() -> None:
            for note in notes:
                self.keeper.set_code_note(
                    note.code, visit_id, note.body_part, note.exercises, note.goal
                )
            if visit_note is not None:
                self.keeper.set_visit_note(visit_note, visit_id)

        return self._do(save)

    def local_now(self) -> datetime:
        clock = self.keeper.clock
        return clock.now().astimezone(clock.zone())

    def wall_clock_now(self) -> str:
        """The time on the wall now, HH:MM (as "saved at 14:05" shows it)."""
        return wall_time(self.keeper.clock.now(), self.keeper.clock.zone())

    def discard_sleep(self, jump: ClockJump, keep_running: bool) -> bool:
        """Take the time the computer slept back off the timers that ran through it (all of
        it, to the second), and stop them unless ``keep_running``: one event."""
        gap = max(0, int(jump.seconds))
        return self._do(lambda: self.keeper.discard_sleep(gap, keep_running))

    def stop_all(self) -> bool:
        """Stop every running timer of every open visit: one event (closing ptclock)."""
        return self._do(self.keeper.stop_all)

    def restore(self, backup: Path) -> Restored | None:
        """Put ``backup`` in place of the database this window has open, and show it.

        The window's connection is closed first (a connection left open on the file that
        moves aside would checkpoint into it and delete the new file's -wal by name), and
        the database is opened again whether or not the backup was taken.
        """
        if self.store.path is None:
            self.failed.emit("This window has no database file to restore into.")
            return None
        from ptclock.restoring import restore_in_place

        with self.background_quiet():
            outcome = restore_in_place(self.keeper, backup, self.local_now())
        for problem in outcome.problems:
            self.failed.emit(problem)
        if not outcome.reopened:
            return None
        self.visit_id = None
        with suppress(TimekeeperError):
            self.visit_id = self.keeper.visit().id
        self._data_version = self.store.data_version()
        self.changed.emit()
        return outcome.restored

    def encryption(self) -> Encryption:
        """Whether the patient data at rest is encrypted (``restoring.encryption``)."""
        from ptclock.restoring import encryption

        return encryption(self.keeper)

    def encrypt(self) -> Encrypted | None:
        """Encrypt the database this window has open, with its backups, and show it again
        (the connection is closed meanwhile, as for a restore)."""
        from ptclock.restoring import encrypt_in_place

        with self.background_quiet():
            outcome = encrypt_in_place(self.keeper)
        for problem in outcome.problems:
            self.failed.emit(problem)
        if not outcome.reopened:
            return None
        self._data_version = self.store.data_version()
        self.changed.emit()
        return outcome.encrypted

    def apply_settings(self, settings: Settings) -> None:
        self.keeper.settings = settings
        self.changed.emit()

    # -- the one-second look -----------------------------------------------------------------

    def refresh(self) -> None:
        """Called by the window's tick: clock check, other processes' writes, reminders.

        One ``PRAGMA data_version`` per tick: read here, it holds for everything the tick
        and its ``ticked`` (or ``changed``) redraw read through this controller."""
        with self._tick():
            self._refresh()

    @contextmanager
    def _tick(self) -> Iterator[None]:
        if self._in_tick:  # a redraw that ticks again (a nested event loop): one tick
            yield
            return
        self._in_tick = True
        try:
            yield
        finally:
            self._in_tick = False

    def _refresh(self) -> None:
        try:
            self.store.keep_wal_in_place()
            jump = self.keeper.check_clock()  # moves the revision only when it wrote
        except REFUSALS as error:
            self.failed.emit(str(error))
            jump = None
        if jump is not None and jump.kind is JumpKind.SUSPEND and self.anything_running():
            self.slept.emit(jump)
        elif jump is not None and jump.kind is JumpKind.CLOCK_SET and self.anything_running():
            direction = "ahead" if jump.seconds > 0 else "back"
            amount = minutes_words(abs(round(jump.seconds / 60)))
            self.notice.emit(
                f"The computer's clock was set {direction} {amount} while a timer ran: ptclock "
                "kept the time that really passed (Visit → Audit trail)."
            )
        outside = self.follow_outside_changes()
        tally = self.tally()
        if tally is not None:
            for code in tally.still_running_checks:
                since = tally.code(code).running_since
                key = (tally.record.visit.id, code, since.isoformat() if since else "")
                if key not in self._asked_long:
                    self._asked_long.add(key)
                    self.long_timer.emit(code)
        last, self._last_ticked = self._last_ticked, tally
        if outside or jump is not None:
            self.changed.emit()
        elif tally is not None and last is not None and seconds_only(last, tally):
            self.seconds_moved.emit(tally)
        elif tally is not None:
            self.ticked.emit(tally)

    def follow_outside_changes(self) -> bool:
        """Whether another process wrote since the last look (``ptclock timer …`` from a
        script or a foot pedal). One ``PRAGMA data_version``: cheap enough for every second.

        The window follows the visit with the running timer, unless the visit shown is
        running something itself.
        """
        try:
            version = self.store.data_version()
        except REFUSALS as error:
            self.failed.emit(str(error))
            return False
        if version == self._data_version:
            return False
        self._data_version = version
        shown = self.tally()
        if shown is None or not shown.running_codes:
            with suppress(TimekeeperError):
                self.visit_id = self.keeper.visit().id
        return True

    def look_outside(self) -> None:
        """The database file changed on disk: redraw now if another process committed."""
        if self.follow_outside_changes():
            self.changed.emit()


def seconds_only(before: VisitTally, after: VisitTally) -> bool:
    """Whether ``after`` differs from ``before`` only in seconds: the same record and
    billing (``moved_on`` keeps both), the same clock minute (clock times show to the
    minute) and the same long-timer checks. Then only the clocks need redrawing."""
    return (
        after.record is before.record
        and after.billing is before.billing
        and after.now.replace(second=0, microsecond=0)
        == before.now.replace(second=0, microsecond=0)
        and after.still_running_checks == before.still_running_checks
    )
