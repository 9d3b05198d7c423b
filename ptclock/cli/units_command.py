"""``ptclock units``: the calculator, and the JSON contract other tools rely on."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ptclock.assembly import catalog
from ptclock.billing import MAX_MINUTES, Billing, MinutesError, Rule, UnknownCodeError, bill
from ptclock.cli.parser import UserError, code_minutes


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "units",
        help="billable units for minutes per code",
        description="Billable units for minutes per code, e.g. ptclock units 97110=33 97140=7",
    )
    parser.add_argument("pairs", nargs="+", metavar="CODE=MINUTES")
    parser.add_argument("--rule", choices=[rule.value for rule in Rule], default=Rule.CMS.value)
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    codes = catalog()
    pairs = []
    for text in args.pairs:
        code, minutes = code_minutes(text)
        if code not in codes:
            raise UserError(f"{text!r}: {UnknownCodeError(code)}")
        pairs.append((code, minutes))
    try:
        billing = bill(pairs, Rule(args.rule), codes)
    except MinutesError as error:
        raise UserError(str(error)) from None
    if billing.over_a_day:  # typed minutes are held to a day (recorded time is flagged)
        line = billing.over_a_day[0]
        raise UserError(f"{line.code}: {line.minutes} minutes is more than a day ({MAX_MINUTES})")
    if args.json:
        print(json.dumps(billing_json(billing), indent=1, ensure_ascii=False))
    else:
        print(billing_table(billing))
    return 0


def totals_json(billing: Billing) -> dict[str, Any]:
    """The totals both ``units --json`` and ``visit show --json`` carry, under the same keys."""
    return {
        "rule": billing.rule.value,
        "rule_in_words": billing.rule.in_words,
        "timed_minutes": billing.timed_minutes,
        "treatment_minutes": billing.treatment_minutes,
        "timed_units": billing.timed_units,
        "total_units": billing.total_units,
        "minutes_to_next_unit": billing.minutes_to_next_unit,
        "minutes_spare": billing.minutes_spare,
        "unit_floor_minutes": billing.unit_floor_minutes,
        "ties": [tie.message for tie in billing.ties],
    }


def billing_json(billing: Billing) -> dict[str, Any]:
    """The ``units --json`` shape: documented in README, relied on by scripts."""
    return totals_json(billing) | {
        "lines": [
            {
                "code": line.code,
                "descriptor": line.descriptor,
                "minutes": line.minutes,
                "units": line.units,
                "timed": line.timed,
            }
            | (
                {
                    "minutes_to_next_unit": line.minutes_to_next_unit,
                    "minutes_spare": line.minutes_spare,
                }
                if billing.rule is Rule.AMA and line.timed
                else {}
            )
            for line in billing.lines
        ],
    }


def billing_table(billing: Billing) -> str:
    """A table a therapist reads: code, service, minutes, units, then the totals."""
    width = max([len(line.descriptor) for line in billing.lines] + [7])
    rows = [
        f"Rule: {billing.rule.in_words}",
        "",
        f"{'Code':<6} {'Service':<{width}} {'Minutes':>7} {'Units':>5}",
    ]
    for line in billing.lines:
        kind = "" if line.timed else "  (untimed)"
        rows.append(
            f"{line.code:<6} {line.descriptor:<{width}} {line.minutes:>7} {line.units:>5}{kind}"
        )
    rows += [
        "",
        f"Total timed minutes:   {billing.timed_minutes}",
        f"Total treatment time:  {billing.treatment_minutes} min",
        f"Total units:           {billing.total_units}",
    ]
    rows += boundary_sentences(billing)
    rows += [tie.message for tie in billing.ties]
    return "\n".join(rows)


def boundary_sentences(billing: Billing) -> list[str]:
    """How close the visit is to a unit boundary, in both directions (the words are
    Billing's, the same in the window)."""
    sentences = []
    more = billing.next_unit_words()
    if more is not None:
        sentences.append(f"Next unit:             {more}")
    for loss in billing.unit_loss_words():
        if billing.rule is Rule.CMS:
            sentences.append(f"Unit lost below:       {loss.removeprefix('below ')}")
        else:
            sentences.append(loss)
    return sentences
