"""What the charges tests share beyond their modules: a bound on hypothesis's shrinking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis.internal.conjecture import engine

SHRINKING_SECONDS = 60
"""How long hypothesis may shrink one failure. Each example of the property tests costs
hl7apy's strict parse or the R4B models' validation, so its default (300 s, a module
constant hypothesis lets users lower) ran into pytest-timeout (300 s for the whole test),
whose "Timeout" then came back from hypothesis as a second, flaky failure. A failure is
reported within about a minute, shrunk as far as that got (hypothesis's warning then still
says "five minutes")."""


@pytest.fixture(autouse=True, scope="module")
def shorter_shrinking() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "MAX_SHRINKING_SECONDS", SHRINKING_SECONDS)
        yield
