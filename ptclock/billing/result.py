"""What a billing rule returns: units per line, totals, and the distance to each boundary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ptclock.billing.unit_table import MAX_MINUTES


class Rule(str, Enum):
    """How timed minutes become units."""

    CMS = "cms"
    """Medicare's 8-minute rule: timed minutes pooled, then units assigned.

    Source: Pub. 100-04 ch. 5 §20.2.
    """
    AMA = "ama"
    """AMA/CPT midpoint rule: each timed code counted alone (substantial-portion methodology)."""

    @property
    def in_words(self) -> str:
        return RULE_WORDS[self]


RULE_WORDS = {
    Rule.CMS: "CMS 8-minute rule (timed minutes pooled)",
    Rule.AMA: "AMA per-code rule (each code counted alone)",
}


@dataclass(frozen=True)
class BilledLine:
    """One code of the visit and the units it is billed with."""

    code: str
    descriptor: str
    minutes: int
    units: int
    timed: bool
    full_units: int = 0
    """Units from whole 15-minute blocks of this code alone (CMS allocation, step one)."""
    extra_unit: bool = False
    """True when the code got a unit for its remaining minutes (CMS allocation, step two)."""
    minutes_to_next_unit: int | None = None
    """AMA only: more minutes on this code that make its next unit."""
    minutes_spare: int | None = None
    """AMA only: minutes this code can lose before it loses a unit."""

    @property
    def over_a_day(self) -> bool:
        """More minutes on this one code than a day has: billed as the unit table says
        (Pub. 100-04 ch. 5 §20.2 steps on by 15 minutes), but surely a timer left running
        or a mistyped correction, so it is pointed out wherever the line is shown."""
        return self.minutes > MAX_MINUTES


@dataclass(frozen=True)
class Tie:
    """Codes with equal remaining minutes competing for fewer units than there are codes.

    The rule leaves the choice to the therapist (bill the clinically appropriate service);
    ptclock picks deterministically by code order and says so.
    """

    codes: tuple[str, ...]
    remaining_minutes: int
    units: int
    chosen: tuple[str, ...]

    @property
    def message(self) -> str:
        names = ", ".join(self.codes[:-1]) + " and " + self.codes[-1]
        unit_word = "unit goes" if self.units == 1 else "units go"
        return (
            f"Tie: {names} each have {self.remaining_minutes} minutes beyond full units; "
            f"{self.units} {unit_word} to {', '.join(self.chosen)} by code order. "
            "Bill the code that was clinically most appropriate."
        )


NEAR_MINUTES = 1
"""The next unit counts as near at this many minutes or fewer: the window highlights it."""


@dataclass(frozen=True)
class Billing:
    """Units of a set of codes under one rule, with the totals the documentation needs."""

    rule: Rule
    lines: tuple[BilledLine, ...]
    timed_minutes: int
    """Total timed code treatment minutes (Pub. 100-02 ch. 15 §220.3)."""
    treatment_minutes: int
    """Total treatment time: timed and untimed minutes."""
    timed_units: int
    total_units: int
    minutes_to_next_unit: int | None
    """CMS: more timed minutes (on any code) that raise the total; AMA: the smallest per code.
    None under either rule when the codes include no timed code (only untimed services)."""
    minutes_spare: int | None
    """Minutes that could be lost before a unit is lost (None while no timed unit is billed)."""
    unit_floor_minutes: int | None
    """CMS: the timed total below which a unit is lost; None under AMA (see the lines)."""
    ties: tuple[Tie, ...] = ()

    # -- the sentences about unit boundaries: written here once for the window, the CLI
    # and the reports ---------------------------------------------------------------------

    def next_unit_words(self) -> str | None:
        """How far the next unit is: "13 more timed minutes" (CMS: on any timed code), "1 more
        minute of 97140" (AMA: the code closest to its next unit); None without timed codes."""
        more = self.minutes_to_next_unit
        if more is None:
            return None
        if self.rule is Rule.CMS:
            return _counted(more, "more timed minute")
        return f"{_counted(more, 'more minute')} of {self.next_unit_code}"

    def next_unit_sentence(self) -> str | None:
        """The next unit, counted: "13 more timed minutes for unit 3" (the now band, the
        compact strip); None without timed codes."""
        more = self.next_unit_words()
        return None if more is None else f"{more} for unit {self.total_units + 1}"

    def next_unit_near(self) -> bool:
        """Whether the next unit is ``NEAR_MINUTES`` or less away (a cue while timing)."""
        more = self.minutes_to_next_unit
        return more is not None and more <= NEAR_MINUTES

    def unit_loss_words(self) -> list[str]:
        """Where a unit would be lost: CMS "below 38 timed minutes (2 to spare)" for the
        visit; AMA "97110 loses a unit below 23 minutes (2 to spare)" per code."""
        if self.rule is Rule.CMS:
            if self.unit_floor_minutes is None:
                return []
            return [
                f"below {self.unit_floor_minutes} timed minutes ({self.minutes_spare} to spare)"
            ]
        return [
            f"{line.code} loses a unit below {line.minutes - line.minutes_spare} minutes "
            f"({line.minutes_spare} to spare)"
            for line in self.lines
            if line.minutes_spare is not None
        ]

    @property
    def next_unit_code(self) -> str | None:
        """AMA: the code closest to its next unit (the one ``minutes_to_next_unit`` is for)."""
        if self.rule is not Rule.AMA or self.minutes_to_next_unit is None:
            return None
        return next(
            line.code
            for line in self.lines
            if line.minutes_to_next_unit == self.minutes_to_next_unit
        )

    @property
    def over_a_day(self) -> tuple[BilledLine, ...]:
        """The lines with more than a day's minutes on one code (see ``BilledLine``)."""
        return tuple(line for line in self.lines if line.over_a_day)

    def line(self, code: str) -> BilledLine:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
