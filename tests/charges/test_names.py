"""A name as typed, split into the family name and the given names every format writes."""

from __future__ import annotations

import pytest

from ptclock.charges.names import family_and_given, is_hcpcs_level_two


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Lee, Dana", ("Lee", "Dana")),
        ("Lee,Dana Q", ("Lee", "Dana Q")),
        ("Dana Lee", ("Lee", "Dana")),
        ("  María  José   O'Neil-Ünal ", ("O'Neil-Ünal", "María José")),
        ("Lee", ("Lee", "")),
        ("Lee, ", ("Lee", "")),
        ("Van der Berg, Anna, Maria", ("Van der Berg", "Anna, Maria")),
        # Nothing before the comma: what follows is all there is, so it is the family name
        # (a name is never written with an empty family name and given names after it).
        (", Dana", ("Dana", "")),
        (" ,Dana Q", ("Dana Q", "")),
        # No letter or digit at all (only commas, dashes): kept as typed, spaces collapsed,
        # never an empty name.
        (",", (",", "")),
        (",,,", (",,,", "")),
        (" ,  , ", (", ,", "")),
        ("- -", ("- -", "")),
        ("", ("", "")),
        ("   ", ("", "")),
    ],
)
def test_family_and_given(name: str, parts: tuple[str, str]) -> None:
    assert family_and_given(name) == parts


def test_the_family_name_is_empty_only_for_an_empty_name() -> None:
    for name in (",", " , ", ",,", ", ,", "a,", ",a", "a"):
        assert family_and_given(name)[0]


@pytest.mark.parametrize(
    ("code", "level_two"),
    [("97110", False), ("59", False), ("G0283", True), ("GP", True), ("CQ", True), ("", False)],
)
def test_is_hcpcs_level_two(code: str, level_two: bool) -> None:
    assert is_hcpcs_level_two(code) is level_two
