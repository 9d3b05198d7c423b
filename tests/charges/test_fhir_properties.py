"""Any batch, however odd its names and numbers, as a FHIR bundle that validates and as a
CSV of one row per line (hypothesis; the strategies are ``test_properties``'s).

Its own module, collected long before the HL7 property test: the two take most of the
charges tests' time, and the parallel run (``--maxschedchunk 1``, two tests pending per
worker) then gives them to different workers instead of queueing one behind the other."""

from __future__ import annotations

import traceback
from collections.abc import Callable

from hypothesis import given, settings

from ptclock.charges.batch import ChargeBatch
from ptclock.charges.csv_template import charges_csv
from ptclock.charges.fhir import fhir_bundle
from tests.charges.reading import csv_rows
from tests.charges.test_fhir import check_bundle
from tests.charges.test_properties import batches


@settings(max_examples=60, deadline=None)
@given(batches())
def test_every_fhir_bundle_validates_and_the_csv_has_a_row_per_line(batch: ChargeBatch) -> None:
    """Both formats from the same full-size batches (drawing a batch costs more than
    writing and reading both)."""
    _failing_as_text(lambda: _check_fhir_and_csv(batch))


def _check_fhir_and_csv(batch: ChargeBatch) -> None:
    check_bundle(fhir_bundle(batch), batch)
    header, *rows = csv_rows(charges_csv(batch))
    assert len(rows) == len(batch.lines)
    assert all(len(row) == len(header) for row in rows)
    units = header.index("units")
    transaction = header.index("transaction")
    assert [row[units] for row in rows] == [str(line.units) for line in batch.lines]
    assert [row[transaction] for row in rows] == [line.transaction for line in batch.lines]


def _failing_as_text(check: Callable[[], None]) -> None:
    """``check()``; a failure comes back as a new AssertionError carrying its traceback as
    text, raised outside the ``except``, so no frame of the check (with the bundle, up to
    ~1 MB of dicts for 180 lines) stays alive with it: hypothesis keeps every failing
    example's exception while it shrinks (``test_properties._read_strictly``). Every failure
    then has this one origin: hypothesis reports one bug at a time."""
    failure = ""
    try:
        check()
    except Exception as error:
        failure = "".join(traceback.format_exception(error))
    if failure:
        raise AssertionError(failure)
