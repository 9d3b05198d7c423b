"""One-line text refuses what would make it read differently from what is stored
(issue 12, item 13, input side): bidi embeddings, overrides and isolates, invisible format
characters and C0/C1 controls, with one line naming the field. ZWNJ/ZWJ stay where a
script or an emoji needs them. Notes keep invisible format characters (pasted text carries
them) but refuse controls and the bidi controls that reorder text."""

from __future__ import annotations

import json

import pytest

from ptclock.entries import clean_text
from ptclock.refused import TimekeeperError
from tests.helpers import ok, run

REFUSED = {
    "\u202e": "a bidirectional control character (U+202E",  # RIGHT-TO-LEFT OVERRIDE
    "\u202a": "a bidirectional control character (U+202A",
    "\u2066": "a bidirectional control character (U+2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2069": "a bidirectional control character (U+2069",
    "\u200f": "an invisible formatting character (U+200F",  # RIGHT-TO-LEFT MARK
    "\u200b": "an invisible formatting character (U+200B",  # ZERO WIDTH SPACE
    "\u2060": "an invisible formatting character (U+2060",  # WORD JOINER
    "\u00ad": "an invisible formatting character (U+00AD",  # SOFT HYPHEN
    "\ufeff": "an invisible formatting character (U+FEFF",
    "\U000e0041": "an invisible formatting character (U+E0041",  # TAG LATIN CAPITAL A
    "\u0085": "a control character (U+0085",  # NEXT LINE (C1)
    "\u009b": "a control character (U+009B",  # CONTROL SEQUENCE INTRODUCER (C1)
    "\x1b": "a control character (U+001B",
    "\x7f": "a control character (U+007F",
    "\t": "a control character (U+0009",
    "\u2028": "a line break (U+2028",
}

FIELDS = [
    (["visit", "new", "--patient", "Ada{}Lovelace"], "the patient name"),
    (["visit", "new", "--patient", "Bea", "--mrn", "12{}34"], "MRN"),
    (["timer", "add", "97110", "5", "--reason", "late{}start"], "the reason"),
    (["timer", "note", "97110", "--body-part", "left{}knee"], "body part"),
    (["visit", "modifier", "97110", "59", "--add", "--reason", "distinct{}block"], "the reason"),
]


@pytest.mark.parametrize(("argv", "field"), FIELDS)
@pytest.mark.parametrize("character", list(REFUSED))
def test_one_line_fields_refuse_hidden_characters(
    capsys: pytest.CaptureFixture[str], argv: list[str], field: str, character: str
) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    before = ok(capsys, "visit", "show", "--json")
    status, out, err = run(capsys, *[part.replace("{}", character) for part in argv])
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert f"ptclock: {field} contains {REFUSED[character]}, character " in err
    assert ok(capsys, "visit", "show", "--json") == before
    assert [v["patient"] for v in json.loads(ok(capsys, "visit", "list", "--json"))] == ["Ada"]


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Ångström-O'Brien",
        "محمد\u200cرضا",  # Persian: the ZWNJ is part of the spelling
        "क्\u200dष",  # Devanagari: ZWJ selects the half form
        "👩\u200d⚕️ Ada",  # an emoji ZWJ sequence (with VS16)
        "李小龍",
        "שרה כהן",
    ],
)
def test_real_names_are_kept_exactly(capsys: pytest.CaptureFixture[str], name: str) -> None:
    ok(capsys, "visit", "new", "--patient", name)
    assert json.loads(ok(capsys, "visit", "show", "--json"))["patient"] == name


@pytest.mark.parametrize("name", ["Ada\u200d", "\u200cAda", "A\u200dda", "Ada \u200d Lee"])
def test_joiners_that_only_hide_are_refused(name: str) -> None:
    with pytest.raises(TimekeeperError, match="invisible formatting character"):
        clean_text(name, "the patient name", 300)


def test_notes_keep_format_characters_but_not_overrides() -> None:
    pasted = "Knee\u00ad flexion \u200f90°\u200b\n\tgood"
    assert clean_text(pasted, "the visit note", 4000, multiline=True) == pasted
    for bad in ("\u202e", "\u2067", "\x00", "\u0085", "\r"):
        with pytest.raises(TimekeeperError, match="the visit note contains"):
            clean_text(f"ok{bad}ok", "the visit note", 4000, multiline=True)


def test_the_visit_note_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "visit", "new", "--patient", "Ada")
    status, out, err = run(capsys, "visit", "note", "gait \u202etrain")
    assert (status, out) == (2, "")
    assert "the visit note contains a bidirectional control character (U+202E" in err
