"""Each sample batch in each format, byte for byte as it was checked by hand.

``PTCLOCK_REGEN_GOLDEN=1`` writes the files again and fails (so a regeneration is never
mistaken for a pass): read the new files before committing them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ptclock.charges.batch import ChargeBatch
from ptclock.charges.csv_template import charges_csv
from ptclock.charges.fhir import fhir_json
from ptclock.charges.hl7 import hl7_batch
from tests.charges.samples import SAMPLES

GOLDEN = Path(__file__).parent / "golden"
FORMATS: dict[str, Callable[[ChargeBatch], str]] = {
    "hl7": hl7_batch,
    "json": fhir_json,
    "csv": charges_csv,
}


@pytest.mark.parametrize("suffix", sorted(FORMATS))
@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_output_is_the_golden_file(sample: str, suffix: str) -> None:
    data = FORMATS[suffix](SAMPLES[sample]()).encode("utf-8")
    path = GOLDEN / f"{sample}.{suffix}"
    if os.environ.get("PTCLOCK_REGEN_GOLDEN") == "1":
        path.write_bytes(data)
        pytest.fail(f"regenerated {path.name}: read it, then run again without the variable")
    assert path.exists(), f"no golden file {path.name}: run with PTCLOCK_REGEN_GOLDEN=1"
    expected = path.read_bytes()
    # Compared as text first for a readable diff, then as bytes (line ends, encoding).
    assert data.decode("utf-8") == expected.decode("utf-8")
    assert data == expected


def test_the_same_batch_always_gives_the_same_bytes() -> None:
    """The FHIR entry ids are derived (UUID v5), not random: an export made again from the
    same facts is the same file (the golden files rely on it)."""
    for make in SAMPLES.values():
        for render in FORMATS.values():
            assert render(make()) == render(make())
