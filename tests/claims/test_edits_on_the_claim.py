"""Issue 13, defects 5, 6 and 8: NCCI edits between the codes actually on the claim.

Sources: docs/billing.md, "NCCI edits" (an edit applies only when both codes are on
the claim, a code with 0 units is not; per patient, provider and date of service, across the
day's visits); CMS "Proper Use of Modifier 59" (MLN1783722), Example 9: 97140 is column 1 and
97530 column 2, the time blocks may be split, and no modifier when both were performed in the
same time block; Pub. 100-04 ch. 5 §20.2 for the units. Where the CMS allocation leaves a
tie, the allocation that creates no edit is preferred (the rule leaves the choice open).
"""

from __future__ import annotations

from pathlib import Path

from ptclock.timing.clock import FakeClock
from tests.claims.conftest import Cli, claim, claims, day, fees, line, timed

MPPR_MISSING = (
    "The estimated payment is too high: Medicare's multiple procedure payment reduction (50% "
    "of the practice-expense part of the day's second and later units) is left out because "
    "the fee schedule has no practice-expense share (pe_share) for {}: add pe_share to the "
    "fee file and import it again."
)


def test_a_code_with_zero_units_brings_no_edit(cli: Cli, clock: FakeClock, tmp_path: Path) -> None:
    # The issue's reproduction: 7 minutes of 97530 (0 units) beside 97140 gave "only 97530
    # is paid", XU on 97140 and $0.00. 97140 30 + 97530 7 = 37 minutes: 2 units, both
    # 97140's full units; 97530 is not on the claim, so no edit applies.
    cli("fees", "import", fees(tmp_path, "code,amount\n97140,27.50\n97530,31.20\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97140", 30)
    timed(cli, clock, "97530", 7)
    assert claims(cli) == day(
        claim([1], [line("97140", ["GP"], 2, 30, "55.00")], [MPPR_MISSING.format("97140")])
    )


def test_a_tie_goes_where_no_edit_applies(cli: Cli, clock: FakeClock) -> None:
    # 97140 23 + 97530 8 + 97535 8 = 39 minutes, 3 units: 97140's full unit, then two units
    # for three codes each 8 minutes beyond full units. By code order they would go to 97140
    # and 97530 (an edit pair); to 97140 and 97535 no edit applies.
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97140", 23)
    timed(cli, clock, "97530", 8)
    timed(cli, clock, "97535", 8)
    assert claims(cli) == day(
        claim(
            [1],
            [line("97140", ["GP"], 2, 23), line("97535", ["GP"], 1, 8)],
            [
                "Tie: 97140, 97530 and 97535 each have 8 minutes beyond full units; the units "
                "go to 97140 and 97535, not 97530, so that no two codes that are not paid "
                "together are billed — the rule lets you choose: bill the code that was "
                "clinically most appropriate."
            ],
        )
    )


def test_edits_are_checked_across_the_days_visits(cli: Cli, clock: FakeClock) -> None:
    # The reproduction: 97530 in the morning visit, 97140 in the afternoon visit of
    # the same patient raised nothing. One claim for the date: the edit applies, and the
    # distinct blocks support XU on the column-2 code 97530 (CMS Example 9).
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97530", 15)
    cli("visit", "end")
    clock.advance(minutes=4 * 60 - 15)
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97140", 15)
    cli("visit", "end")
    assert claims(cli) == day(
        claim(
            [1, 2],
            [line("97530", ["GP", "XU"], 1, 15), line("97140", ["GP"], 1, 15)],
            [
                "97140 and 97530 are billed together: Medicare pays both only if they were "
                "done in separate time blocks — they were (97530 at 10:00–10:15; 97140 at "
                "14:00–14:15), so XU is added to 97530."
            ],
        )
    )


def test_other_payers_get_59_rather_than_xu(cli: Cli, clock: FakeClock) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "commercial")
    timed(cli, clock, "97530", 15)
    timed(cli, clock, "97140", 15)
    assert claims(cli) == day(
        claim(
            [1],
            [line("97530", ["59"], 1, 15), line("97140", [], 1, 15)],
            [
                "97140 and 97530 are billed together: both are paid only if they were done in "
                "separate time blocks — they were (97530 at 10:00–10:15; 97140 at "
                "10:15–10:30), so 59 is added to 97530."
            ],
            payer="commercial",
            rule="ama",
        )
    )


def test_split_blocks_support_xu_as_in_cms_example_9(cli: Cli, clock: FakeClock) -> None:
    # Example 9: "manual therapy might be performed for 10 minutes, followed by 15 minutes of
    # therapeutic activities, followed by another 5 minutes of manual therapy".
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    cli("timer", "start", "97140")
    clock.advance(minutes=10)
    cli("timer", "start", "97530")
    clock.advance(minutes=15)
    cli("timer", "start", "97140")
    clock.advance(minutes=5)
    cli("timer", "stop")
    assert claims(cli) == day(
        claim(
            [1],
            [line("97140", ["GP"], 1, 15), line("97530", ["GP", "XU"], 1, 15)],
            [
                "97140 and 97530 are billed together: Medicare pays both only if they were "
                "done in separate time blocks — they were, in split blocks as CMS's example "
                "allows (97140 at 10:00–10:10 and 10:25–10:30; 97530 at 10:10–10:25), so XU "
                "is added to 97530."
            ],
        )
    )


def test_overlapping_blocks_support_no_modifier(cli: Cli, clock: FakeClock, tmp_path: Path) -> None:
    # Example 9: no modifier "if the two procedures are performed during the same time
    # block". Concurrent 97140 10:00–10:20 and 97530 10:10–10:40: one-on-one 20 + 20 minutes
    # (the overlap counted once, for 97140), 3 units; 97530 is unpaid.
    cli("fees", "import", fees(tmp_path, "code,amount\n97140,27.50\n97530,31.20\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare", "--concurrent")
    cli("timer", "start", "97140")
    clock.advance(minutes=10)
    cli("timer", "start", "97530")
    clock.advance(minutes=10)
    cli("timer", "stop", "97140")
    clock.advance(minutes=20)
    cli("timer", "stop", "97530")
    assert claims(cli) == day(
        claim(
            [1],
            [line("97140", ["GP"], 2, 20, "55.00"), line("97530", ["GP"], 1, 20, "0.00")],
            [
                "97140 and 97530 ran at the same time for 10 min: counted once, for the code "
                "whose timer was already running — if those minutes belong to the other code, "
                "move them with a reason (Visit → Correct time…).",
                "Tie: 97140 and 97530 each have 5 minutes beyond full units; 1 unit goes to "
                "97140 by code order. Bill the code that was clinically most appropriate.",
                "97140 and 97530 are billed together: Medicare pays both only if they were "
                "done in separate time blocks, but they overlapped 10:10–10:20, so 97530 will "
                "not be paid: if they were separate, document the blocks and add XU with a "
                "reason (Visit → Change modifiers…); if not, bill only one of them.",
                MPPR_MISSING.format("97140"),
            ],
        )
    )


def test_time_from_corrections_only_supports_no_modifier(cli: Cli, clock: FakeClock) -> None:
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97140", 15)
    cli("timer", "add", "97530", "15", "--reason", "timer forgotten")
    assert claims(cli) == day(
        claim(
            [1],
            [line("97140", ["GP"], 1, 15), line("97530", ["GP"], 1, 15)],
            [
                "97140 and 97530 are billed together: Medicare pays both only if they were "
                "done in separate time blocks, but 97530 was never timed for a full minute "
                "(its minutes come from corrections), so 97530 will not be paid: if they were "
                "separate, document the blocks and add XU with a reason (Visit → Change "
                "modifiers…); if not, bill only one of them."
            ],
        )
    )


def test_a_modifier_added_by_the_therapist_pays_the_column_two_line(
    cli: Cli, clock: FakeClock, tmp_path: Path
) -> None:
    cli("fees", "import", fees(tmp_path, "code,amount\n97140,27.50\n97530,31.20\n"))
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97140", 15)
    cli("timer", "add", "97530", "15", "--reason", "timer forgotten")
    cli("visit", "modifier", "97530", "XU", "--add", "--reason", "separate session, paper log")
    found = claims(cli)["claims"][0]
    assert found["lines"] == [
        line("97140", ["GP"], 1, 15, "27.50"),
        line("97530", ["GP", "XU"], 1, 15, "31.20"),
    ]
    assert (
        "97140 and 97530 are billed together: Medicare pays both only if they were done in "
        "separate time blocks, but 97530 was never timed for a full minute (its minutes come "
        "from corrections); XU was added to 97530 by hand, so make sure your note documents "
        "the separate blocks." in found["warnings"]
    )


def test_the_sentence_says_when_the_therapist_took_the_modifier_off(
    cli: Cli, clock: FakeClock
) -> None:
    # The blocks support XU, the therapist removed it: the claim bills 97530 without it, and
    # the sentence says so instead of "XU is added".
    cli("visit", "new", "--patient", "Ada Lovelace", "--payer", "medicare")
    timed(cli, clock, "97530", 15)
    timed(cli, clock, "97140", 15)
    cli("visit", "modifier", "97530", "XU", "--remove", "--reason", "same block per note")
    found = claims(cli)["claims"][0]
    assert found["lines"] == [line("97530", ["GP"], 1, 15), line("97140", ["GP"], 1, 15)]
    assert found["warnings"] == [
        "97140 and 97530 are billed together: Medicare pays both only if they were done in "
        "separate time blocks — they were (97530 at 10:00–10:15; 97140 at 10:15–10:30), but "
        "XU was taken off 97530, so 97530 will not be paid: add it back (Visit → Change "
        "modifiers…) if your note shows the separate blocks."
    ]
