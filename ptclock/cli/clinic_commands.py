"""``ptclock clinic init|join|status`` and ``ptclock sync``: clinic mode (issue 17).

* ``ptclock clinic init URL`` (the clinic's IT person, once, as the database's owner):
  the schema, its migrations and the two group roles; prints how to add a workstation.
* ``ptclock clinic join URL [--name NAME]`` (each workstation, once): checks the address
  and the sign-in, keeps the password in the keyring, queues this computer's whole history
  for the clinic and sends it.
* ``ptclock clinic status [--json]``: last sent, records waiting, since when the clinic
  could not be reached, in plain words.
* ``ptclock sync [--once] [--every SECONDS]``: push what is queued and pull what this
  workstation needs; without ``--once`` it goes on until Ctrl-C.

Nothing here is imported unless one of these commands runs (psycopg is clinic-only).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import uuid
from typing import TYPE_CHECKING, Any

from ptclock import assembly
from ptclock.cli.parser import UserError, shown

if TYPE_CHECKING:  # the clinic's modules load only when a clinic command runs
    from ptclock.clinic.sync import SyncResult
    from ptclock.timekeeper import Timekeeper


def add_parsers(subparsers: Any) -> None:
    clinic = subparsers.add_parser(
        "clinic", help="clinic mode: share records with the clinic's PostgreSQL database"
    )
    actions = clinic.add_subparsers(title="clinic commands", metavar="ACTION")
    init = actions.add_parser(
        "init", help="create ptclock's schema and roles in the clinic database (IT, once)"
    )
    init.add_argument("url", metavar="URL", help="postgresql://OWNER@HOST/DATABASE")
    init.add_argument(
        "--clinic-name", metavar="NAME", help="the clinic's name on every workstation's reports"
    )
    init.add_argument("--address", metavar="TEXT", help="the clinic's address on the reports")
    init.add_argument("--page-size", choices=("letter", "a4"), help="the reports' page size")
    init.set_defaults(run=run_init)
    join = actions.add_parser("join", help="join this computer to the clinic database")
    join.add_argument("url", metavar="URL", help="postgresql://USER[:PASSWORD]@HOST/DATABASE")
    join.add_argument("--name", help="this workstation's name in the clinic (default: host name)")
    join.add_argument(
        "--ask-password",
        action="store_true",
        help="ask for the password on the terminal (not echoed; kept in the keyring), so it "
        "is never on the command line",
    )
    join.set_defaults(run=run_join)
    status = actions.add_parser("status", help="how the sync with the clinic stands")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
    status.set_defaults(run=run_status)
    clinic.set_defaults(run=lambda _args: _no_action())

    sync = subparsers.add_parser(
        "sync", help="send queued records to the clinic database and fetch what is needed"
    )
    sync.add_argument("--once", action="store_true", help="one sync, then exit")
    sync.add_argument(
        "--every",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="seconds between syncs (default 10)",
    )
    sync.set_defaults(run=run_sync)


def _no_action() -> int:
    raise UserError("ptclock clinic: give an action: init, join or status")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not between 1 and 3600 seconds")
    return value


def run_init(args: argparse.Namespace) -> int:
    from ptclock.clinic import address as addresses
    from ptclock.clinic import server_schema
    from ptclock.clinic.server import connected

    address = addresses.parse(args.url)
    values = {
        key: value
        for key, value in (
            ("clinic_name", args.clinic_name),
            ("clinic_address", args.address),
            ("page_size", args.page_size),
        )
        if value is not None
    }
    for key, value in values.items():
        if not value.strip() or len(value) > 500 or "\x00" in value:
            raise UserError(f"--{key.replace('_', '-')}: {shown(value)} is not a usable value")
    with connected(address, check_schema=False) as connection:
        ran = server_schema.migrate(connection)
        server_schema.share(connection, values)
    where = address.shown()
    if ran:
        print(f"The clinic database at {where} is ready (schema {server_schema.NEWEST}).")
    else:
        print(f"The clinic database at {where} was already up to date.")
    print(
        "Add one login per workstation, in psql as the owner:\n"
        f"  CREATE ROLE ws_frontdesk LOGIN PASSWORD '…' IN ROLE "
        f"{server_schema.WORKSTATION_ROLE};\n"
        f"(and IN ROLE {server_schema.READER_ROLE} for a biller who only reads). "
        "Then on each workstation: ptclock clinic join "
        f"postgresql://ws_frontdesk@{address.host}:{address.port}/{address.database}"
    )
    return 0


def run_join(args: argparse.Namespace) -> int:
    from ptclock.clinic import address as addresses
    from ptclock.clinic import password
    from ptclock.clinic.errors import ClinicError
    from ptclock.clinic.server import connected
    from ptclock.clinic.sync import register, stamp, sync_once

    address = addresses.parse(args.url)
    if args.ask_password:
        if address.password is not None:
            raise UserError("--ask-password: the address has a password already; leave it out")
        if not sys.stdin.isatty():
            raise UserError("--ask-password needs a terminal to ask on")
        from dataclasses import replace

        from ptclock.cli.passphrase_prompt import typed

        secret = typed(f"Password for {address.user} at {address.host}: ")
        if not secret:
            raise UserError("no password was typed; nothing was changed")
        address = replace(address, password=secret)
    name = (args.name or socket.gethostname() or "workstation").strip()
    if not name or len(name) > 64 or not name.isprintable():
        raise UserError(f"--name: {shown(args.name or '')} is not a workstation name")
    with connected(address) as connection:  # the address and the sign-in work first:
        keeper = assembly.timekeeper(create=True)  # a join that fails creates nothing
        link = keeper.store.clinic_link()
        origin = link.origin if link is not None else uuid.uuid4().hex
        other = connection.execute(
            "SELECT joined_by FROM ptclock.workstations WHERE origin = ANY(%s) "
            "AND joined_by <> current_user LIMIT 1",
            (keeper.store.own_origins(),),
        ).fetchone()
        if other is not None:
            raise ClinicError(
                f"this computer's records were sent to the clinic by the login {other[0]}: "
                "join with that login (a workstation keeps its login, also on a new "
                "computer); nothing was changed"
            )
        password.keep(address)
        register(connection, origin, name)
    with keeper.store.transaction():
        first = keeper.store.join_clinic(
            origin, name, address.without_password().shown(), stamp(keeper)
        )
    queued = keeper.store.queued()
    verb = "joined" if first else "is linked again to"
    print(f"This computer ({name}) {verb} the clinic database at {address.shown()}.")
    try:
        result = sync_once(keeper)
    except ClinicError as error:
        raise ClinicError(
            f"joined, but the first sync failed: {error}. The {queued} records stay queued "
            "on this computer; ptclock sync sends them"
        ) from None
    _apply_shared(keeper, result.shared)
    print(f"Sent {result.sent} record{'' if result.sent == 1 else 's'} (of {queued} queued).")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from ptclock.clinic.sync import status_words

    keeper = assembly.timekeeper()
    link = keeper.store.clinic_link()
    queued = keeper.store.queued() if link is not None else 0
    now = keeper.clock.now().astimezone(keeper.clock.zone())
    if args.json:
        data = {
            "joined": link is not None,
            "address": link.address if link else None,
            "workstation": link.workstation if link else None,
            "queued": queued,
            "last_sent": link.sent_at if link else None,
            "last_pulled": link.pulled_at if link else None,
            "problem": link.problem if link else None,
            "problem_since": link.problem_since if link else None,
        }
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        print(status_words(link, queued, now))
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from ptclock.clinic.errors import ClinicError
    from ptclock.clinic.sync import link_of, run, sync_once

    keeper = assembly.timekeeper()
    link_of(keeper)
    if args.once:
        result = sync_once(keeper)
        _apply_shared(keeper, result.shared)
        print(_result_words(result))
        return 0
    stop = threading.Event()

    def report(outcome: SyncResult | ClinicError) -> None:
        if isinstance(outcome, ClinicError):
            print(f"ptclock: {outcome} (trying again in {args.every:g} s)", file=sys.stderr)
        else:
            _apply_shared(keeper, outcome.shared)
            if outcome.sent or outcome.pulled:
                print(_result_words(outcome), flush=True)

    try:
        run(keeper, args.every, stop, report)
    except KeyboardInterrupt:
        stop.set()
    return 0


def _apply_shared(keeper: Timekeeper, shared: dict[str, str]) -> None:
    """The settings the clinic shares, into this computer's settings.json (when changed)."""
    from ptclock.clinic.sync import with_shared
    from ptclock.settings import save_settings

    settings = with_shared(keeper.settings, shared)
    if settings != keeper.settings:
        save_settings(settings)
        keeper.settings = settings


def _result_words(result: SyncResult) -> str:
    return (
        f"Sent {result.sent}, fetched {result.pulled}; "
        f"{result.queued} record{'' if result.queued == 1 else 's'} waiting."
    )
