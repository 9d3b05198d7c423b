"""Bad input, fuzzed: every input either works or gives a clear error; none crashes or
corrupts the store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptclock import paths
from ptclock.billing import CatalogError, load_catalog
from ptclock.billing.catalog import parse_catalog
from ptclock.billing.edits import EditFileError, parse_cms_ptp, parse_pairs_csv
from ptclock.billing.money import FeeFileError, parse_fees
from ptclock.cli import main
from ptclock.timekeeper import TimekeeperError
from tests.helpers import keeper, ok

CATALOG = load_catalog()
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
fuzz = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@fuzz
@given(
    st.lists(
        st.one_of(cells, st.from_regex(r"97[0-9]{3}=-?[0-9a-z.]{0,4}", fullmatch=True)),
        min_size=1,
        max_size=4,
    )
)
def test_units_arguments(capsys: pytest.CaptureFixture[str], arguments: list[str]) -> None:
    arguments = [a for a in arguments if not a.startswith("-")] or ["97110=1"]
    status = main(["units", "--json", *arguments])
    out, err = capsys.readouterr()
    assert status in (0, 2)
    if status == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("ptclock")
    else:
        assert out.startswith("{") and err == ""


@fuzz
@given(st.lists(st.lists(cells, max_size=6).map(",".join), max_size=6))
def test_catalog_files(rows: list[str]) -> None:
    text = "code,descriptor,kind,category,details\n" + "\n".join(rows)
    try:
        parse_catalog(text, "codes.csv")
    except CatalogError as error:
        assert "codes.csv, line" in str(error)


@fuzz
@given(st.lists(st.lists(cells, max_size=8).map("\t".join), max_size=8))
def test_cms_edit_files(rows: list[str]) -> None:
    lines = ["Title\n", "97530\t97140\t\t20200101\t*\t1\tok\n", *[r + "\n" for r in rows]]
    try:
        result = parse_cms_ptp(lines, CATALOG, "ptp.txt")
        assert result.kept >= 1
    except EditFileError as error:
        assert "ptp.txt, line" in str(error)


@fuzz
@given(st.lists(st.lists(cells, max_size=7).map(",".join), max_size=6))
def test_payer_pairs_and_fee_files(rows: list[str]) -> None:
    body = "\n".join(rows)
    for parse, header, error_type in (
        (parse_pairs_csv, "column1,column2,modifier,effective,deletion,source\n", EditFileError),
        (parse_fees, "code,amount,payer,year\n", FeeFileError),
    ):
        try:
            parse(header + body, CATALOG, "file.csv")  # type: ignore[operator]
        except error_type as error:
            assert "file.csv, line" in str(error)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=320), st.text(max_size=600))
def test_names_and_notes_through_to_the_pdf(
    qapp: object, tmp_path: Path, name: str, note: str
) -> None:
    from ptclock.report.export import export_visit
    from tests.report.conftest import CLINIC, pdf_text

    tk = keeper(settings=CLINIC)  # a PDF needs the provider's name and NPI (issue 13, #14)
    try:
        visit = tk.new_visit(name)
        tk.set_visit_note(note, visit)
    except TimekeeperError as error:
        assert str(error)  # one clear sentence; nothing half-written
        assert tk.store.integrity() == ["ok"]
        return
    tk.add_minutes("97110", 10, "fuzz")
    target = tmp_path / "fuzz.pdf"
    export_visit(tk, visit, target)
    assert "Total units 1" in pdf_text(target)
    assert tk.store.integrity() == ["ok"]


# -- the command line, fuzzed with arbitrary bytes (issue 12, item 11) ---------------------

ARGV_EXAMPLES = int(os.environ.get("PTCLOCK_ARGV_FUZZ", "300"))
"""Examples per run; PTCLOCK_ARGV_FUZZ=2000 for a longer search (it takes ~10 ms each)."""

# What a POSIX command line can carry: any bytes but NUL, decoded as Python decodes argv.
raw_arguments = st.binary(max_size=14).filter(lambda b: b"\x00" not in b).map(os.fsdecode)
arguments = st.one_of(
    raw_arguments,
    st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=14),
    st.sampled_from(["97110", "97140", "1", "0", "-5", str(2**63), "--json", "--visit", "="]),
)
# Real commands with fuzzed values in their slots, so the bytes reach the code behind the
# parser. Commands that write files where they are told (backup, report) or open the
# window (no command) are left out: the fuzz must not scatter files or wait for a click.
TEMPLATES = [
    ["units", 0, 1],
    ["units", "--rule", 0, "97110=" + "{0}"],
    ["codes", 0, 1],
    ["visit", "new", "--patient", 0, "--mrn", 1],
    ["visit", "new", "--patient", 0, "--payer", 1],
    ["visit", "show", 0, "--json"],
    ["visit", "list", "--date", 0],
    ["visit", "note", 0, "--visit", 1],
    ["visit", "end", 0],
    ["visit", "modifier", "97110", 0, "--add", "--reason", 1],
    ["timer", "start", 0, "--visit", 1],
    ["timer", "stop", 0],
    ["timer", "add", "97110", 0, "--reason", 1],
    ["timer", "move", 0, "97140", 1, "--reason", "x"],
    ["timer", "note", "97110", "--body-part", 0, "--goal", 1],
    ["edits", "check", 0, 1, "--date", 2],
    ["edits", "import", 0],
    ["fees", "import", 0],
    ["visit", 0, 1, 2],
    ["timer", 0, 1, 2],
]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    template = draw(st.sampled_from(TEMPLATES))
    values = [draw(arguments) for _ in range(3)]
    argv = []
    for part in template:
        if isinstance(part, int):
            argv.append(values[part])
        else:
            argv.append(part.replace("{0}", values[0]))
    return argv


@settings(
    max_examples=ARGV_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command_lines())
def test_arbitrary_bytes_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: list[str],
) -> None:
    """Through the real ``main()``: exit 0, or 2 with one line on stderr and nothing on
    stdout; never a traceback, never exit 1 (the disk is fine), never a hang."""
    monkeypatch.chdir(tmp_path)  # a relative FILE names nothing outside the test
    if not paths.database_file().exists():
        ok(capsys, "visit", "new", "--patient", "Ada")  # so ids and codes meet a real visit
    try:
        status = main(argv)
    except SystemExit as done:  # --help (or an abbreviation of it) prints help and exits 0
        assert done.code == 0 and any(a.startswith(("-h", "--h")) for a in argv), argv
        capsys.readouterr()
        return
    out, err = capsys.readouterr()
    assert status in (0, 2), (argv, err)
    if status == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("ptclock"), (argv, err)
    else:
        assert err == "", (argv, err)
