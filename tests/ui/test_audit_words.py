"""The audit trail in the therapist's words (issue 15): one plain sentence per line, the
visit's local time, no internal ids, stamps or reprs, and words for every action written."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

import ptclock
from ptclock.timekeeper import SLEEP_DISCARDED, Timekeeper
from ptclock.timing.clock import FakeClock
from ptclock.timing.clock_watch import JumpKind
from ptclock.timing.records import Payer, Performer
from ptclock.ui import audit_words
from ptclock.ui.audit_dialog import AuditDialog
from ptclock.ui.audit_words import SENTENCES, AuditWords, audit_lines
from tests.helpers import MORNING, keeper

ZONE = "America/New_York"
AT = MORNING  # 10:00:00 in New York


@dataclass(frozen=True)
class Line:
    """An audit line as the store gives it (``AuditEntry``)."""

    action: str
    code: str | None = None
    before: Any = None
    after: Any = None
    at: datetime = AT
    visit_id: int | None = 1


def said(*lines: Line) -> list[tuple[str, str, str]]:
    return [(w.time, w.sentence, w.details) for w in audit_lines(lines, ZONE)]


def sentence(line: Line) -> str:
    return audit_lines([line], ZONE)[0].sentence


# -- every action has words -----------------------------------------------------------------


def written_actions() -> set[str]:
    """Every action string an ``….audit(…)`` call in ptclock/ writes: the literal among its
    arguments; an action computed from ``jump.kind.value`` is each ``JumpKind``."""
    found: set[str] = set()
    root = Path(ptclock.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "audit"
            ):
                continue
            literals = [
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if literals:
                found.update(literals)
            elif any(ast.unparse(arg) == "jump.kind.value" for arg in node.args):
                found.update(kind.value for kind in JumpKind)
            elif any(ast.unparse(arg) == "action" for arg in node.args):
                continue  # Timekeeper.audit handing its caller's action to the store
            else:  # pragma: no cover - a new way of naming the action: teach this test
                raise AssertionError(f"{path}:{node.lineno}: action not found in the call")
    return found


def test_every_action_written_anywhere_has_words() -> None:
    actions = written_actions()
    # The scan finds the calls (the Timekeeper, clock checks, patients, billing data, the
    # claim desk) ...
    assert {"timer_start", "clock_set", "suspend", "patient_identity", "fees_import"} <= actions
    assert {"modifier_override", "edits_import", "clock_behind", "move"} <= actions
    # ... and each of them has its own sentence, not the fallback.
    assert actions - set(SENTENCES) == set()


def test_every_action_with_words_has_a_sample_here() -> None:
    assert set(SAMPLES) == set(SENTENCES)


SAMPLES: dict[str, tuple[Line, str, str]] = {
    "visit_new": (
        Line(
            "visit_new",
            after={
                "patient_id": 2,
                "payer": "medicare",
                "rule": "cms",
                "concurrent": False,
                "other_timers": "stop",
                "running": [[1, "97110"]],
            },
        ),
        "Visit started (Medicare, CMS 8-minute rule, one-on-one)",
        "97110 of another visit stopped",
    ),
    "visit_pause": (
        Line("visit_pause", after={"stopped": ["97110"]}),
        "Visit paused; 97110 stopped",
        "",
    ),
    "visit_resume": (
        Line("visit_resume", after={"restarted": ["97110", "97140"]}),
        "Visit resumed; 97110 and 97140 restarted",
        "",
    ),
    "visit_end": (
        Line("visit_end", before={"status": "paused"}, after={"status": "ended"}),
        "Visit ended (it was paused)",
        "",
    ),
    "visit_rule": (
        Line("visit_rule", before={"rule": "cms"}, after={"rule": "ama"}),
        "Billing rule switched to the AMA per-code rule",
        "CMS 8-minute rule → AMA per-code rule",
    ),
    "visit_note": (
        Line("visit_note", before={"note": ""}, after={"note": "Tolerated well"}),
        "Visit note written",
        "added: “Tolerated well”",
    ),
    "timer_start": (
        Line(
            "timer_start",
            "97110",
            after={"segment": 7, "started_at": AT.isoformat(), "performer": "PT"},
        ),
        "Started 97110 (performed by PT)",
        "",
    ),
    "timer_stop": (
        Line(
            "timer_stop",
            "97110",
            after={"segment": 7, "ended_at": AT.isoformat(), "why": "stop"},
        ),
        "Stopped 97110",
        "",
    ),
    "correction": (
        Line(
            "correction",
            "97110",
            before={"seconds": 120},
            after={"seconds": 420, "reason": "forgot to start", "correction": 3},
        ),
        "Added 5 minutes to 97110: reason “forgot to start”",
        "2:00 → 7:00",
    ),
    "move": (
        Line(
            "move",
            "97110",
            before={"from": "97110"},
            after={"to": "97140", "seconds": 180, "reason": "wrong tile"},
        ),
        "Moved 3 minutes from 97110 to 97140: reason “wrong tile”",
        "",
    ),
    "code_note": (
        Line(
            "code_note",
            "97110",
            before={"body_part": "", "exercises": "SLR", "goal": ""},
            after={"body_part": "left knee", "exercises": "SLR", "goal": "stairs"},
        ),
        "Note for 97110 changed (body part, goal)",
        "body part added: “left knee”; goal added: “stairs”",
    ),
    "clock_set": (
        Line(
            "clock_set",
            before={"expected_now": (AT + timedelta(hours=1)).isoformat()},
            after={
                "now": AT.isoformat(),
                "seconds": -3600,
                "running": [[1, "97110"]],
                "description": "the wall clock was set back by 3600 seconds",
            },
            visit_id=None,
        ),
        "Clock set back 60 minutes while 97110 ran; the time that really passed was kept",
        "expected 11:00:00, the clock said 10:00:00",
    ),
    "suspend": (
        Line(
            "suspend",
            before={"expected_now": AT.isoformat()},
            after={
                "now": (AT + timedelta(minutes=12)).isoformat(),
                "seconds": 720,
                "running": [[1, "97110"]],
                "description": "the computer was asleep for 720 seconds",
            },
            visit_id=None,
        ),
        "The computer slept 12 minutes while 97110 ran; the time was kept unless it was discarded",
        "",
    ),
    "clock_behind": (
        Line(
            "clock_behind",
            before={"last_event_at": (AT + timedelta(minutes=75)).isoformat()},
            after={"now": AT.isoformat()},
            visit_id=None,
        ),
        "The computer's clock was 75 minutes behind the last recorded event (set back while "
        "ptclock was closed?)",
        "last event 11:15:00, the clock said 10:00:00",
    ),
    "patient_payer": (
        Line(
            "patient_payer",
            before={"patient_id": 2, "payer": "commercial"},
            after={"patient_id": 2, "payer": "medicare"},
        ),
        "Patient's payer changed to Medicare",
        "commercial payer → Medicare",
    ),
    "patient_identity": (
        Line("patient_identity", after={"patient_id": 2, "added": ["mrn", "dob"]}),
        "Patient's MRN and date of birth added",
        "",
    ),
    "modifier_override": (
        Line(
            "modifier_override",
            "97530",
            after={"modifier": "59", "action": "add", "reason": "separate sessions"},
        ),
        "Modifier 59 added to 97530: reason “separate sessions”",
        "",
    ),
    "edits_import": (
        Line(
            "edits_import",
            after={
                "file": "ccipra-v321r0.txt",
                "origin": "cms",
                "payer": "",
                "read": 5000,
                "kept": 120,
            },
            visit_id=None,
        ),
        "Imported CMS's coding edits from “ccipra-v321r0.txt”",
        "120 kept of 5,000 read (the others are not physical-therapy codes)",
    ),
    "fees_import": (
        Line("fees_import", after={"file": "fees-2026.csv", "fees": 42}, visit_id=None),
        "Imported the fee schedule from “fees-2026.csv”",
        "42 fees",
    ),
    "charges_export": (
        Line(
            "charges_export",
            after={
                "export": 3,
                "date": "2026-11-27",
                "format": "hl7",
                "file": "/billing/in/2026-11-27-charges.hl7",
                "by": "Jordan Lee, login jlee",
                "clinic": False,
                "claims": 2,
                "charges": 5,
                "cancellations": 2,
            },
            visit_id=None,
        ),
        "Sent the charges of 2026-11-27 to billing as HL7 v2 (export 3) to "
        "“/billing/in/2026-11-27-charges.hl7” by Jordan Lee, login jlee",
        "2 claims: 5 charge lines, 2 earlier lines cancelled",
    ),
}


@pytest.mark.parametrize("action", sorted(SAMPLES))
def test_each_action_reads_as_one_plain_sentence(action: str) -> None:
    line, expected, details = SAMPLES[action]
    (words,) = audit_lines([line], ZONE)
    assert words == AuditWords("10:00:00", expected, details)
    for text in (words.sentence, words.details):
        assert not re.search(r"[\[\]{}_]|\bid\b|patient id|segment|\d{2}:\d{2}:\d{2}\.\d", text)


# -- the sentences the issue asks for --------------------------------------------------------


def test_a_switch_names_the_code_started_next() -> None:
    stop = Line("timer_stop", "97140", after={"segment": 4, "ended_at": "x", "why": "switch"})
    start = Line("timer_start", "97530", after={"segment": 5, "performer": "PTA"})
    assert [s for _, s, _ in said(stop, start)] == [
        "Stopped 97140 — switched to 97530",
        "Started 97530 (performed by PT assistant)",
    ]
    # The timer started in another visit (not in this trail): said so.
    assert sentence(stop) == "Stopped 97140 — a timer of another visit was started"


def test_a_stop_says_how_long_the_timer_ran() -> None:
    start = Line("timer_start", "97110", after={"segment": 7, "performer": "PT"})
    later = AT + timedelta(minutes=12, seconds=34)
    stop = Line(
        "timer_stop",
        "97110",
        after={"segment": 7, "ended_at": later.isoformat(), "why": "pause"},
        at=later,
    )
    assert said(start, stop)[1] == ("10:12:34", "Stopped 97110 — visit paused", "ran 12:34")


def test_corrections_removals_and_discarded_sleep() -> None:
    removed = Line(
        "correction",
        "97110",
        before={"seconds": 600},
        after={"seconds": 330, "reason": "left running"},
    )
    assert said(removed)[0][1:] == (
        "Removed 4 min 30 s from 97110: reason “left running”",
        "10:00 → 5:30",
    )
    asleep = Line(
        "correction",
        "97110",
        before={"seconds": 900},
        after={"seconds": 180, "reason": SLEEP_DISCARDED},
    )
    assert sentence(asleep) == "Took 12 minutes off 97110: the computer was asleep"
    assert audit_words.SLEEP_DISCARDED == SLEEP_DISCARDED


def test_clock_changes_name_this_visits_timers_and_count_the_others() -> None:
    jump = Line(
        "clock_set",
        after={"seconds": 300, "running": [[1, "97110"], [2, "97140"]]},
        visit_id=None,
    )
    mine = Line("timer_start", "97110", after={"segment": 1}, visit_id=1)
    (_, words) = audit_lines([mine, jump], ZONE)
    assert words.sentence == (
        "Clock set ahead 5 minutes while 97110 and a timer of another visit ran; the time "
        "that really passed was kept"
    )
    quiet = Line("suspend", after={"seconds": 7200, "running": []}, visit_id=None)
    assert sentence(quiet) == "The computer slept 2 hours (no timer was running)"


def test_the_time_is_the_visits_local_clock_with_the_date_only_when_it_changes() -> None:
    late = AT + timedelta(hours=14, minutes=5, seconds=9)  # 00:05:09 the next day
    rows = said(Line("visit_pause", after={"stopped": []}), Line("visit_end", at=late))
    assert [time for time, _, _ in rows] == ["10:00:00", "2026-11-28 00:05:09"]
    # A stamp with microseconds, in UTC, reads as the wall clock to the second.
    precise = datetime(2026, 11, 27, 15, 2, 3, 456789, tzinfo=timezone.utc)
    assert said(Line("visit_end", at=precise))[0][0] == "10:02:03"


def test_typed_text_cannot_hide_or_reorder_the_sentence() -> None:
    line = Line(
        "modifier_override",
        "97530",
        after={"modifier": "59", "action": "remove", "reason": "abc\u202edef"},
    )
    assert sentence(line) == "Modifier 59 removed from 97530: reason “abc<U+202E>def”"
    long = Line("visit_note", before={"note": "x"}, after={"note": "word " * 40})
    details = said(long)[0][2]
    assert details.startswith("“x” → “word word") and details.endswith("…”")


def test_an_unknown_action_still_reads_as_words() -> None:
    line = Line(
        "goal_met",
        "97110",
        before={"status": "open", "visit_id": 3},
        after={"status": "met", "segment": 9, "when": AT.isoformat(), "items": ["a", "b"]},
    )
    assert said(line)[0][1:] == (
        "Goal met (97110)",
        "status open → status met; when 10:00:00; items a, b",
    )


def test_a_line_in_an_unexpected_shape_falls_back_instead_of_failing() -> None:
    odd = Line("correction", "97110", before={"seconds": "lots"}, after=["x"])
    assert sentence(odd) == "Correction (97110)"


# -- a real visit, end to end -------------------------------------------------------------


def a_visit(clock: FakeClock) -> tuple[Timekeeper, int]:
    tk = keeper(clock)
    visit = tk.new_visit("Ada Lovelace", Payer.MEDICARE, mrn="A-1", dob="1950-03-04")
    tk.start("97110")
    clock.advance(minutes=8, seconds=30)
    tk.start("97140", performer=Performer.PTA)
    clock.advance(minutes=6)
    tk.set_code_note("97110", body_part="left knee", goal="stairs at home")
    tk.add_minutes("97110", 5, "forgot to start")
    tk.move_minutes("97110", "97140", 3, "wrong tile")
    clock.suspend(minutes=12)
    tk.check_clock()
    tk.pause()
    clock.advance(minutes=2)
    tk.resume()
    clock.advance(minutes=4)
    tk.stop()
    tk.set_visit_note("Tolerated well")
    from ptclock.claim_desk import override_modifier

    override_modifier(tk, "97140", "59", True, "separate sessions")
    tk.end()
    return tk, visit


def test_a_recorded_visit_reads_as_sentences() -> None:
    clock = FakeClock(MORNING)
    tk, visit = a_visit(clock)
    rows = said(*tk.store.audit_trail(visit))  # type: ignore[arg-type]
    assert [sentence for _, sentence, _ in rows] == [
        "Visit started (Medicare, CMS 8-minute rule, one-on-one)",
        "Started 97110 (performed by PT)",
        "Stopped 97110 — switched to 97140",
        "Started 97140 (performed by PT assistant)",
        "Note for 97110 changed (body part, goal)",
        "Added 5 minutes to 97110: reason “forgot to start”",
        "Moved 3 minutes from 97110 to 97140: reason “wrong tile”",
        # A visit's own trail shows the sleep its running timer went through.
        "The computer slept 12 minutes while 97140 ran; the time was kept unless it was discarded",
        "Stopped 97140 — visit paused",
        "Visit paused; 97140 stopped",
        "Visit resumed; 97140 restarted",
        "Started 97140 (performed by PT)",
        "Stopped 97140",
        "Visit note written",
        "Modifier 59 added to 97140: reason “separate sessions”",
        "Visit ended",
    ]
    assert rows[2] == ("10:08:30", "Stopped 97110 — switched to 97140", "ran 8:30")
    # The whole store's trail: no ids, reprs or UTC stamps anywhere.
    everything = audit_lines(tk.store.audit_trail(), ZONE, visit)  # type: ignore[arg-type]
    assert (
        "The computer slept 12 minutes while 97140 ran; the time was kept unless it was discarded"
    ) in [w.sentence for w in everything]
    for words in everything:
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", words.time)
        for text in (words.sentence, words.details):
            assert not re.search(r"[\[\]{}_]|\bid\b|segment|T\d{2}:|\+00:00|Ada|A-1|1950", text)


# -- the dialog ------------------------------------------------------------------------------


def test_the_dialog_shows_the_sentences_and_details_where_they_help(qtbot: QtBot) -> None:
    clock = FakeClock(MORNING)
    tk, visit = a_visit(clock)
    dialog = AuditDialog(tk.store.audit_trail(visit), ZONE, None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    table = dialog.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == [
        "Time",
        "What happened",
        "Details",
    ]
    assert table.item(0, 0).text() == "10:00:00"
    assert table.item(0, 1).text() == "Visit started (Medicare, CMS 8-minute rule, one-on-one)"
    assert dialog.sentences()[-1] == "Visit ended"
    row = dialog.sentences().index("Added 5 minutes to 97110: reason “forgot to start”")
    assert table.item(row, 2).text() == "8:30 → 13:30"
    assert ZONE in dialog.intro.text()


def test_a_dialog_without_details_has_no_empty_column(qtbot: QtBot) -> None:
    dialog = AuditDialog([Line("visit_end")], ZONE, None)
    qtbot.addWidget(dialog)
    assert dialog.table.columnCount() == 2
    empty = AuditDialog([], ZONE, None)
    qtbot.addWidget(empty)
    assert "Nothing has been recorded" in empty.intro.text()


def test_a_new_visit_says_what_became_of_other_visits_timers() -> None:
    line = Line(
        "visit_new",
        after={
            "patient_id": 3,
            "payer": "commercial",
            "rule": "ama",
            "concurrent": True,
            "other_timers": "keep",
            "running": [[1, "97110"], [2, "97140"]],
        },
    )
    assert said(line)[0][1:] == (
        "Visit started (commercial payer, AMA per-code rule, concurrent timers)",
        "97110 and 97140 of other visits kept running",
    )
