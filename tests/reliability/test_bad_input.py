"""Bad input, fuzzed: every input either works or gives a clear error; none crashes or
corrupts the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ptclock.billing import CatalogError, load_catalog
from ptclock.billing.catalog import parse_catalog
from ptclock.billing.edits import EditFileError, parse_cms_ptp, parse_pairs_csv
from ptclock.billing.money import FeeFileError, parse_fees
from ptclock.cli import main
from ptclock.timekeeper import TimekeeperError
from tests.helpers import keeper

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
    from tests.report.conftest import pdf_text

    tk = keeper()
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
