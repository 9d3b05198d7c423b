"""``ptclock codes``: the code catalog, searchable, with the clinic's own codes."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ptclock.assembly import catalog


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "codes",
        help="list the known codes (shipped and the clinic's own)",
        description="List the code catalog; words narrow it down (ptclock codes gait).",
    )
    parser.add_argument("words", nargs="*", help="show only codes matching all these words")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    codes = catalog().search(" ".join(args.words)) if args.words else list(catalog())
    if args.json:
        rows = [
            {
                "code": code.code,
                "descriptor": code.descriptor,
                "timed": code.timed,
                "category": code.category,
                "details": code.details,
                "source": code.source,
            }
            for code in codes
        ]
        print(json.dumps(rows, indent=1, ensure_ascii=False))
        return 0
    for code in codes:
        kind = "timed" if code.timed else "untimed"
        print(f"{code.code}  {code.descriptor}  [{kind}, {code.category}]")
        if code.details:
            print(f"       {code.details}")
    return 0
