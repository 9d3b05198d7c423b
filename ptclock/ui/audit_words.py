"""The audit trail in the therapist's words: one plain sentence per line, its local time,
and before → after only where that helps.

"Started 97110 (performed by PT)", "Stopped 97140 — switched to 97530", "Added 5 minutes to
97110: reason “forgot to start”", "Visit paused; 97110 stopped", "The computer slept 12
minutes while 97110 ran". No internal ids (patient, segment, correction), no UTC stamps, no
Python reprs: times are the visit zone's wall clock (HH:MM:SS), codes and reasons as typed
(characters that could hide or reorder text shown as ``<U+202E>``, as in the reports).

Every action the program writes (``Timekeeper.audit``, ``Store.audit`` in ``clock_checks``
and ``patients``, ``billing_data``, ``claim_desk``) has its words here; an action this
version does not know (a newer ptclock's, say) still reads as words, never as a repr.
Pure: no Qt, so the CLI could print the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol

from ptclock.formats import clock_text, wall_date_time
from ptclock.timing.clock import zone_from_name

SLEEP_DISCARDED = "computer was asleep: time discarded"
"""The reason the Timekeeper gives the corrections that take a sleep back off the timers
(``ptclock.timekeeper.SLEEP_DISCARDED``, which the window cannot import)."""

LONGEST_TEXT = 80
"""A note or reason longer than this is cut in the details column (the full text is the
visit's own: the documentation tab shows it)."""


def visible(text: str, line_breaks: bool = False) -> str:
    """Typed text with hidden or reordering characters shown as <U+…> (``report.html``,
    loaded on first use: the window starts without the report code)."""
    from ptclock.report.html import visible as shown

    return shown(text, line_breaks=line_breaks)


class AuditLine(Protocol):
    """What is read of an audit line (the store's ``AuditEntry``; ``visit_id`` too when it
    has one)."""

    @property
    def at(self) -> datetime: ...
    @property
    def action(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def before(self) -> Any: ...
    @property
    def after(self) -> Any: ...


@dataclass(frozen=True)
class AuditWords:
    time: str
    """The local wall-clock time, HH:MM:SS (with the date when it is not the first line's,
    with the zone's abbreviation when its UTC offset is not the first line's)."""
    sentence: str
    details: str = ""
    """Before → after in words, or empty when the sentence says it all."""


@dataclass(frozen=True)
class _Context:
    """What one line's words may need from the lines around it."""

    zone: tzinfo
    visit_id: int | None
    following: Sequence[AuditLine]
    """The lines after this one (a switch names the code started next)."""
    started: Mapping[object, datetime]
    """When each timer (by its stored segment) was started, for "ran 12:34"."""


# -- small words ---------------------------------------------------------------------------


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def amount(seconds: int) -> str:
    """A length of time exactly: "5 minutes", "45 seconds", "4 min 30 s", "2 h 5 min"."""
    seconds = abs(int(seconds))
    minutes, rest = divmod(seconds, 60)
    if minutes == 0:
        return plural(rest, "second")
    if minutes >= 120 and not rest:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else plural(hours, "hour")
    if rest:
        return f"{minutes} min {rest} s"
    return plural(minutes, "minute")


def about(seconds: float) -> str:
    """A clock jump or a sleep, to the minute: "12 minutes", "about 1 hour"; under a
    minute in seconds."""
    seconds = abs(seconds)
    if seconds < 60:
        return plural(round(seconds), "second")
    minutes = round(seconds / 60)
    if minutes >= 120:
        hours, rest = divmod(minutes, 60)
        return plural(hours, "hour") + (f" {rest} min" if rest else "")
    return plural(minutes, "minute")


def listing(items: Sequence[str]) -> str:
    """ "97110", "97110 and 97140", "97110, 97140 and 97530"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def quoted(text: object) -> str:
    """A typed text in quotes, one line, shortened past ``LONGEST_TEXT`` characters."""
    said = " ".join(visible(str(text), line_breaks=True).split())
    if len(said) > LONGEST_TEXT:
        said = said[: LONGEST_TEXT - 1].rstrip() + "…"
    return f"“{said}”"


def _code(value: object) -> str:
    return visible(str(value)) if value else "a code"


def _codes(values: object) -> list[str]:
    """Codes from a stored list (``["97110"]``, or ``[[visit, code], …]`` pairs)."""
    if not isinstance(values, list | tuple):
        return []
    found = []
    for value in values:
        code = value[-1] if isinstance(value, list | tuple) and value else value
        if code:
            found.append(visible(str(code)))
    return list(dict.fromkeys(found))


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _clock(text: object, zone: tzinfo) -> str:
    """A stored ISO time as the zone's wall clock, HH:MM:SS ("" when it is none)."""
    moment = _moment(text)
    return wall_date_time(moment, zone, seconds=True)[11:] if moment else ""


PAYER_WORDS = {"medicare": "Medicare", "commercial": "commercial payer", "other": "other payer"}
RULE_WORDS = {"cms": "CMS 8-minute rule", "ama": "AMA per-code rule"}
FIELD_WORDS = {"body_part": "body part", "exercises": "exercises", "goal": "goal"}
ADDED_WORDS = {"mrn": "MRN", "dob": "date of birth"}


def _payer(value: object) -> str:
    return PAYER_WORDS.get(str(value), visible(str(value)))


def _rule(value: object) -> str:
    return RULE_WORDS.get(str(value), visible(str(value)))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- one sentence per action ---------------------------------------------------------------

Said = tuple[str, str]
"""(sentence, details)."""


def _visit_new(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    how = "concurrent timers" if after.get("concurrent") else "one-on-one"
    parts = [p for p in (_payer(after.get("payer", "")), _rule(after.get("rule", ""))) if p]
    sentence = "Visit started (" + ", ".join([*parts, how]) + ")"
    running = after.get("running")
    others = _codes(running)
    if not others or not isinstance(running, list):
        return sentence, ""
    visits = {item[0] for item in running if isinstance(item, list | tuple) and item}
    whose = "another visit" if len(visits) <= 1 else "other visits"
    done = "kept running" if after.get("other_timers") == "keep" else "stopped"
    return sentence, f"{listing(others)} of {whose} {done}"


def _visit_pause(line: AuditLine, context: _Context) -> Said:
    stopped = _codes(_dict(line.after).get("stopped"))
    if not stopped:
        return "Visit paused (no timer was running)", ""
    return f"Visit paused; {listing(stopped)} stopped", ""


def _visit_resume(line: AuditLine, context: _Context) -> Said:
    restarted = _codes(_dict(line.after).get("restarted"))
    if not restarted:
        return "Visit resumed", ""
    return f"Visit resumed; {listing(restarted)} restarted", ""


def _visit_end(line: AuditLine, context: _Context) -> Said:
    was = _dict(line.before).get("status")
    return ("Visit ended (it was paused)" if was == "paused" else "Visit ended"), ""


def _visit_rule(line: AuditLine, context: _Context) -> Said:
    old, new = _dict(line.before).get("rule"), _dict(line.after).get("rule")
    return f"Billing rule switched to the {_rule(new)}", f"{_rule(old)} → {_rule(new)}"


def _changed_text(old: object, new: object) -> str:
    if not old:
        return f"added: {quoted(new)}"
    if not new:
        return f"cleared (was {quoted(old)})"
    return f"{quoted(old)} → {quoted(new)}"


def _visit_note(line: AuditLine, context: _Context) -> Said:
    old, new = _dict(line.before).get("note") or "", _dict(line.after).get("note") or ""
    if not old:
        what = "Visit note written"
    elif not new:
        what = "Visit note cleared"
    else:
        what = "Visit note changed"
    return what, _changed_text(old, new)


PERFORMER_WORDS = {"PT": "PT", "PTA": "PT assistant", "student": "student"}


def _timer_start(line: AuditLine, context: _Context) -> Said:
    performer = str(_dict(line.after).get("performer", "PT"))
    by = PERFORMER_WORDS.get(performer, visible(performer))
    return f"Started {_code(line.code)} (performed by {by})", ""


STOP_WORDS = {
    "pause": "visit paused",
    "end": "visit ended",
    "new visit": "a new visit was started",
}


def _timer_stop(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    why = after.get("why")
    sentence = f"Stopped {_code(line.code)}"
    if why == "switch":
        following = next(
            (
                later
                for later in context.following
                if later.at == line.at and later.action == "timer_start"
            ),
            None,
        )
        sentence += (
            f" — switched to {_code(following.code)}"
            if following is not None
            else " — a timer of another visit was started"
        )
    elif why in STOP_WORDS:
        sentence += f" — {STOP_WORDS[str(why)]}"
    started = context.started.get(after.get("segment"))
    ended = _moment(after.get("ended_at"))
    details = ""
    if started is not None and ended is not None and ended >= started:
        details = f"ran {clock_text(int((ended - started).total_seconds()))}"
    return sentence, details


def _correction(line: AuditLine, context: _Context) -> Said:
    before, after = _dict(line.before), _dict(line.after)
    old, new = int(before.get("seconds", 0)), int(after.get("seconds", 0))
    change, code, reason = new - old, _code(line.code), after.get("reason", "")
    details = f"{clock_text(max(old, 0))} → {clock_text(max(new, 0))}"
    if reason == SLEEP_DISCARDED:
        return f"Took {amount(change)} off {code}: the computer was asleep", details
    why = f": reason {quoted(reason)}" if reason else ""
    if change >= 0:
        return f"Added {amount(change)} to {code}{why}", details
    return f"Removed {amount(change)} from {code}{why}", details


def _move(line: AuditLine, context: _Context) -> Said:
    before, after = _dict(line.before), _dict(line.after)
    source = _code(before.get("from") or line.code)
    reason = after.get("reason", "")
    why = f": reason {quoted(reason)}" if reason else ""
    moved = amount(int(after.get("seconds", 0)))
    return f"Moved {moved} from {source} to {_code(after.get('to'))}{why}", ""


def _code_note(line: AuditLine, context: _Context) -> Said:
    before, after = _dict(line.before), _dict(line.after)
    changed = [key for key in FIELD_WORDS if (before.get(key) or "") != (after.get(key) or "")]
    code = _code(line.code)
    if not changed:
        return f"Note for {code} saved unchanged", ""
    sentence = f"Note for {code} changed ({', '.join(FIELD_WORDS[key] for key in changed)})"
    details = "; ".join(
        f"{FIELD_WORDS[key]} {_changed_text(before.get(key) or '', after.get(key) or '')}"
        for key in changed
    )
    return sentence, details


def _while_running(after: Mapping[str, Any], context: _Context) -> str:
    """ "while 97110 ran", "while 97110 and a timer of another visit ran", or ""."""
    running = after.get("running")
    if not isinstance(running, list) or not running:
        return " (no timer was running)"
    pairs = [item for item in running if isinstance(item, list | tuple) and len(item) == 2]
    if context.visit_id is None or not pairs:
        return f" while {listing(_codes(running))} ran"
    mine = _codes([code for visit, code in pairs if visit == context.visit_id])
    others = len([1 for visit, _ in pairs if visit != context.visit_id])
    if others:
        mine.append(
            "a timer of another visit" if others == 1 else f"{others} timers of other visits"
        )
    return f" while {listing(mine)} ran"


def _clock_set(line: AuditLine, context: _Context) -> Said:
    before, after = _dict(line.before), _dict(line.after)
    seconds = float(after.get("seconds", 0))
    direction = "ahead" if seconds > 0 else "back"
    sentence = f"Clock set {direction} {about(seconds)}{_while_running(after, context)}"
    if after.get("running"):
        sentence += "; the time that really passed was kept"
    expected, now = (
        _clock(before.get("expected_now"), context.zone),
        _clock(after.get("now"), context.zone),
    )
    details = f"expected {expected}, the clock said {now}" if expected and now else ""
    return sentence, details


def _suspend(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    seconds = float(after.get("seconds", 0))
    sentence = f"The computer slept {about(seconds)}{_while_running(after, context)}"
    if after.get("running"):
        sentence += "; the time was kept unless it was discarded"
    return sentence, ""


def _clock_behind(line: AuditLine, context: _Context) -> Said:
    last, now = (
        _moment(_dict(line.before).get("last_event_at")),
        _moment(_dict(line.after).get("now")),
    )
    if last is None or now is None:
        return "The computer's clock was earlier than the last recorded event", ""
    return (
        f"The computer's clock was {about((last - now).total_seconds())} behind the last "
        "recorded event (set back while ptclock was closed?)",
        f"last event {_clock(last.isoformat(), context.zone)}, "
        f"the clock said {_clock(now.isoformat(), context.zone)}",
    )


def _patient_payer(line: AuditLine, context: _Context) -> Said:
    old, new = _dict(line.before).get("payer"), _dict(line.after).get("payer")
    return f"Patient's payer changed to {_payer(new)}", f"{_payer(old)} → {_payer(new)}"


def _patient_identity(line: AuditLine, context: _Context) -> Said:
    added = [
        ADDED_WORDS.get(str(field), visible(str(field)))
        for field in _dict(line.after).get("added") or []
    ]
    if not added:
        return "Patient's record completed", ""
    return f"Patient's {listing(added)} added", ""


def _modifier_override(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    modifier = visible(str(after.get("modifier", "")))
    code = _code(line.code)
    reason = after.get("reason", "")
    why = f": reason {quoted(reason)}" if reason else ""
    if after.get("action") == "remove":
        return f"Modifier {modifier} removed from {code}{why}", ""
    return f"Modifier {modifier} added to {code}{why}", ""


def _edits_import(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    file = quoted(after.get("file", ""))
    payer = after.get("payer")
    whose = f"{visible(str(payer))}'s own code pairs" if payer else "CMS's coding edits"
    read, kept = int(after.get("read", 0)), int(after.get("kept", 0))
    return (
        f"Imported {whose} from {file}",
        f"{kept:,} kept of {read:,} read (the others are not physical-therapy codes)"
        if read != kept
        else plural(kept, "pair"),
    )


def _fees_import(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    count = int(after.get("fees", 0))
    return f"Imported the fee schedule from {quoted(after.get('file', ''))}", plural(count, "fee")


FORMAT_NAMES = {"csv": "CSV", "hl7": "HL7 v2", "fhir": "FHIR R4"}


def _charges_export(line: AuditLine, context: _Context) -> Said:
    after = _dict(line.after)
    fmt = FORMAT_NAMES.get(str(after.get("format")), visible(str(after.get("format", ""))))
    whose = "the clinic's charges" if after.get("clinic") else "charges"
    by = f" by {visible(str(after['by']))}" if after.get("by") else ""
    details = (
        plural(int(after.get("claims", 0)), "claim")
        + ": "
        + plural(int(after.get("charges", 0)), "charge line")
    )
    cancelled = int(after.get("cancellations", 0))
    if cancelled:
        details += f", {plural(cancelled, 'earlier line')} cancelled"
    return (
        f"Sent the {whose} of {visible(str(after.get('date', '')))} to billing as {fmt} "
        f"(export {int(after.get('export', 0))}) to {quoted(after.get('file', ''))}{by}",
        details,
    )


SENTENCES: dict[str, Callable[[AuditLine, _Context], Said]] = {
    "visit_new": _visit_new,
    "visit_pause": _visit_pause,
    "visit_resume": _visit_resume,
    "visit_end": _visit_end,
    "visit_rule": _visit_rule,
    "visit_note": _visit_note,
    "timer_start": _timer_start,
    "timer_stop": _timer_stop,
    "correction": _correction,
    "move": _move,
    "code_note": _code_note,
    "clock_set": _clock_set,
    "suspend": _suspend,
    "clock_behind": _clock_behind,
    "patient_payer": _patient_payer,
    "patient_identity": _patient_identity,
    "modifier_override": _modifier_override,
    "edits_import": _edits_import,
    "fees_import": _fees_import,
    "charges_export": _charges_export,
}
"""Every action ptclock writes or once wrote (``patient_payer``: older files), in words."""

INTERNAL_KEYS = frozenset({"segment", "correction", "transfer", "boot_id", "amends_export"})
"""Keys of stored ids that mean nothing to a reader: never shown by the fallback."""


# -- an action this version does not know ---------------------------------------------------


def _readable(value: Any, zone: tzinfo) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(
            f"{str(key).replace('_', ' ')} {_readable(item, zone)}"
            for key, item in value.items()
            if not (str(key) in INTERNAL_KEYS or str(key) == "id" or str(key).endswith("_id"))
        )
    if isinstance(value, list | tuple):
        return ", ".join(_readable(item, zone) for item in value)
    moment = _moment(value)
    if moment is not None:
        return _clock(value, zone)
    return visible(str(value))


def _fallback(line: AuditLine, context: _Context) -> Said:
    words = visible(str(line.action)).replace("_", " ").strip() or "Change"
    sentence = words[0].upper() + words[1:]
    if line.code:
        sentence += f" ({_code(line.code)})"
    before, after = _readable(line.before, context.zone), _readable(line.after, context.zone)
    before = "" if before == "none" else before
    after = "" if after == "none" else after
    details = f"{before} → {after}" if before and after else before or after
    return sentence, details


# -- the whole trail ------------------------------------------------------------------------


def audit_lines(
    entries: Sequence[AuditLine], zone_name: str, visit_id: int | None = None
) -> list[AuditWords]:
    """Each audit line in words, in the order given; times in ``zone_name`` (the visit's).

    ``visit_id``: whose trail this is (clock changes then name this visit's timers and count
    the others'); by default the one visit all the lines belong to, if they do."""
    zone = zone_from_name(zone_name)
    if visit_id is None:
        ids = {getattr(entry, "visit_id", None) for entry in entries} - {None}
        visit_id = next(iter(ids)) if len(ids) == 1 else None
    started = {
        _dict(entry.after).get("segment"): entry.at
        for entry in entries
        if entry.action == "timer_start"
    }
    first = entries[0].at.astimezone(zone) if entries else None
    found = []
    for index, entry in enumerate(entries):
        context = _Context(zone, visit_id, entries[index + 1 :], started)
        words = SENTENCES.get(entry.action, _fallback)
        try:
            sentence, details = words(entry, context)
        except (TypeError, ValueError, AttributeError):  # a line stored in an older shape
            sentence, details = _fallback(entry, context)
        amends = _dict(entry.after).get("amends_export")
        if isinstance(amends, int):
            sentence += f" — amends the charges sent in export {amends}"
        found.append(AuditWords(_time(entry.at, zone, first), sentence, details))
    return found


def _time(moment: datetime, zone: tzinfo, first: datetime | None) -> str:
    local = moment.astimezone(zone)
    text = wall_date_time(moment, zone, seconds=True)
    shown = text[11:]
    if first is not None and local.date() != first.date():
        shown = text
    if first is not None and local.utcoffset() != first.utcoffset():
        shown += f" {local.tzname() or ''}".rstrip()
    return shown
