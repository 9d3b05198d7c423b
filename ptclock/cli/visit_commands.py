"""``ptclock visit`` and ``ptclock timer``: headless control for scripts, pedals and tests."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ptclock import assembly
from ptclock.billing import Rule
from ptclock.claim_desk import (
    claim_for_visit_id,
    claims_on,
    modifier_reasons,
    override_modifier,
    tallies_of,
)
from ptclock.cli.parser import UserError, record_id, service_date, whole_number
from ptclock.cli.visit_view import visit_json, visit_text
from ptclock.entries import MAX_MRN, birth_date, clean_text, patient_name
from ptclock.timing.clock import SystemClock
from ptclock.timing.records import Payer, Performer


def add_parsers(subparsers: Any) -> None:
    visit = subparsers.add_parser("visit", help="start, show, pause and end visits")
    visits = visit.add_subparsers(title="visit commands", metavar="ACTION", required=True)

    new = visits.add_parser("new", help="start a visit; prints its id")
    new.add_argument("--patient", required=True, metavar="NAME")
    new.add_argument("--payer", choices=[p.value for p in Payer])
    new.add_argument("--rule", choices=[r.value for r in Rule])
    new.add_argument(
        "--mrn",
        default="",
        help="medical record number: identifies the patient (namesakes need it)",
    )
    new.add_argument("--dob", default="", metavar="YYYY-MM-DD", help="date of birth")
    new.add_argument(
        "--concurrent", action="store_true", help="allow timers of this visit to overlap"
    )
    new.set_defaults(run=visit_new)

    show = visits.add_parser("show", help="minutes and units of a visit (default: the open one)")
    show.add_argument("id", nargs="?", type=record_id, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=visit_show)

    listing = visits.add_parser("list", help="the visits of a day (default: today)")
    listing.add_argument("--date", type=service_date, metavar="YYYY-MM-DD")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=visit_list)

    for name, helptext, action in (
        ("end", "end a visit: stops its timers and freezes it", "end"),
        ("pause", "pause a visit: stops its timers until resume", "pause"),
        ("resume", "resume a paused visit and its timers", "resume"),
    ):
        command = visits.add_parser(name, help=helptext)
        command.add_argument("id", nargs="?", type=record_id, metavar="ID")
        command.set_defaults(run=visit_action, action=action)

    rule = visits.add_parser("rule", help="switch the billing rule of a visit")
    rule.add_argument("rule", choices=[r.value for r in Rule])
    rule.add_argument("id", nargs="?", type=record_id, metavar="ID")
    rule.set_defaults(run=visit_rule)

    identify = visits.add_parser(
        "identify", help="fill in the MRN (and date of birth) of a visit's patient who has none"
    )
    identify.add_argument("id", type=record_id, metavar="ID")
    identify.add_argument("--mrn", required=True, help="the patient's medical record number")
    identify.add_argument("--dob", default="", metavar="YYYY-MM-DD", help="date of birth")
    identify.set_defaults(run=visit_identify)

    note = visits.add_parser("note", help="set the visit note")
    note.add_argument("text")
    note.add_argument("--visit", type=record_id, metavar="ID")
    note.set_defaults(run=visit_note)

    modifier = visits.add_parser(
        "modifier", help="add or remove a modifier on a line, with a reason (audited)"
    )
    modifier.add_argument("code")
    modifier.add_argument("modifier")
    which = modifier.add_mutually_exclusive_group(required=True)
    which.add_argument("--add", action="store_true")
    which.add_argument("--remove", action="store_true")
    _add_reason_and_visit(modifier)
    modifier.set_defaults(run=visit_modifier)

    timer = subparsers.add_parser("timer", help="start, stop and correct code timers")
    timers = timer.add_subparsers(title="timer commands", metavar="ACTION", required=True)

    start = timers.add_parser("start", help="start a code (one-on-one: stops the running one)")
    start.add_argument("code")
    start.add_argument("--visit", type=record_id, metavar="ID")
    start.add_argument("--performer", choices=[p.value for p in Performer], default="PT")
    start.set_defaults(run=timer_start)

    stop = timers.add_parser("stop", help="stop a code, or every running code of the visit")
    stop.add_argument("code", nargs="?")
    stop.add_argument("--visit", type=record_id, metavar="ID")
    stop.set_defaults(run=timer_stop)

    add = timers.add_parser("add", help="add (or, negative, remove) minutes with a reason")
    add.add_argument("code")
    add.add_argument("minutes", metavar="MINUTES")
    _add_reason_and_visit(add)
    add.set_defaults(run=timer_add)

    move = timers.add_parser("move", help="move minutes from one code to another")
    move.add_argument("source", metavar="FROM")
    move.add_argument("target", metavar="TO")
    move.add_argument("minutes", metavar="MINUTES")
    _add_reason_and_visit(move)
    move.set_defaults(run=timer_move)

    code_note = timers.add_parser("note", help="body part, exercises and goal of a code")
    code_note.add_argument("code")
    code_note.add_argument("--body-part")
    code_note.add_argument("--exercises")
    code_note.add_argument("--goal")
    code_note.add_argument("--visit", type=record_id, metavar="ID")
    code_note.set_defaults(run=timer_note)


def _add_reason_and_visit(parser: argparse.ArgumentParser) -> None:
    """The options of a change kept in the audit trail (a modifier override, minutes added
    or moved): the reason, which it must have, and the visit (default: the open one)."""
    parser.add_argument("--reason", required=True, metavar="TEXT")
    parser.add_argument("--visit", type=record_id, metavar="ID")


def visit_new(args: argparse.Namespace) -> int:
    # The name, MRN and date of birth are checked before the database is made on a new
    # data folder.
    patient_name(args.patient)
    clean_text(args.mrn, "MRN", MAX_MRN)
    clock = SystemClock()
    birth_date(args.dob, clock.now().astimezone(clock.zone()).date())
    keeper = assembly.timekeeper(create=True)
    visit_id = keeper.new_visit(
        args.patient,
        Payer(args.payer) if args.payer else None,
        Rule(args.rule) if args.rule else None,
        args.concurrent,
        args.mrn,
        dob=args.dob,
    )
    print(visit_id)
    return 0


def visit_identify(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    keeper.identify_patient(args.id, args.mrn, args.dob)
    visit = keeper.visit(args.id)
    print(f"{visit.patient}: MRN {visit.mrn}" + (f", born {visit.dob}" if visit.dob else ""))
    return 0


def visit_show(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    tally = keeper.tally(args.id)
    claim = claim_for_visit_id(keeper, tally.record.visit.id)
    reasons = modifier_reasons(keeper, claim)
    if args.json:
        data = visit_json(tally, claim, reasons, tallies_of(keeper, claim))
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        print(visit_text(tally, claim, reasons))
    return 0


def visit_list(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    day = args.date or keeper.clock.now().astimezone(keeper.clock.zone()).date()
    tallies = [keeper.tally(visit.id) for visit in keeper.store.visits_on(day)]
    if args.json:
        claims = {v: claim for claim in claims_on(keeper, day) for v in claim.visit_ids}
        data = [
            visit_json(
                t,
                claims[t.record.visit.id],
                modifier_reasons(keeper, claims[t.record.visit.id]),
                tallies_of(keeper, claims[t.record.visit.id]),
            )
            for t in tallies
        ]
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return 0
    if not tallies:
        print(f"No visits on {day.isoformat()}.")
    for tally in tallies:
        visit = tally.record.visit
        flags = "".join(f"  ⚠ {code} over 24 h: check the timer" for code in tally.over_a_day)
        print(
            f"{visit.id:>5}  {visit.status.value:<7} {tally.billing.total_units:>3} units  "
            f"{visit.patient}{f' (MRN {visit.mrn})' if visit.mrn else ''}{flags}"
        )
    return 0


def visit_action(args: argparse.Namespace) -> int:
    keeper = assembly.timekeeper()
    getattr(keeper, args.action)(args.id)
    return 0


def visit_rule(args: argparse.Namespace) -> int:
    assembly.timekeeper().set_rule(Rule(args.rule), args.id)
    return 0


def visit_note(args: argparse.Namespace) -> int:
    assembly.timekeeper().set_visit_note(args.text, args.visit)
    return 0


def visit_modifier(args: argparse.Namespace) -> int:
    override_modifier(
        assembly.timekeeper(), args.code, args.modifier, args.add, args.reason, args.visit
    )
    return 0


def timer_start(args: argparse.Namespace) -> int:
    started = assembly.timekeeper().start(args.code, args.visit, Performer(args.performer))
    for visit_id, code in started.stopped:
        print(f"stopped {code} (visit {visit_id})")
    state = "already running" if started.already_running else "started"
    print(f"{started.code} {state} (visit {started.visit_id})")
    return 0


def timer_stop(args: argparse.Namespace) -> int:
    for code in assembly.timekeeper().stop(args.code, args.visit):
        print(f"stopped {code}")
    return 0


def timer_add(args: argparse.Namespace) -> int:
    minutes = whole_number(args.minutes, args.minutes, allow_negative=True)
    assembly.timekeeper().add_minutes(args.code, minutes, args.reason, args.visit)
    return 0


def timer_move(args: argparse.Namespace) -> int:
    minutes = whole_number(args.minutes, args.minutes)
    assembly.timekeeper().move_minutes(args.source, args.target, minutes, args.reason, args.visit)
    return 0


def timer_note(args: argparse.Namespace) -> int:
    if args.body_part is None and args.exercises is None and args.goal is None:
        raise UserError("timer note: give --body-part, --exercises or --goal")
    assembly.timekeeper().set_code_note(
        args.code, args.visit, args.body_part, args.exercises, args.goal
    )
    return 0
