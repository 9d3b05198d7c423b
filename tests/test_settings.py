"""Settings: defaults, a round trip, and one clear error for a broken file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ptclock.billing import Rule
from ptclock.settings import (
    Settings,
    SettingsError,
    load_settings,
    save_settings,
    valid_npi,
)
from ptclock.timing.records import Payer


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.json")
    assert settings.rule_for(Payer.MEDICARE) is Rule.CMS
    assert settings.rule_for(Payer.COMMERCIAL) is Rule.AMA
    assert settings.favourites[:6] == ("97110", "97112", "97116", "97140", "97530", "97535")
    assert settings.long_timer_minutes == 60
    assert settings.sound_cues is False  # a treatment room is shared: silent unless asked


def test_round_trip_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    wanted = Settings(
        provider="Jo Park",
        credentials="PT, DPT",
        npi="1234567893",
        rules={Payer.MEDICARE: Rule.CMS, Payer.COMMERCIAL: Rule.CMS, Payer.OTHER: Rule.AMA},
        favourites=("97530", "97110"),
        long_timer_minutes=45,
        page_size="a4",
        sound_cues=True,
    )
    save_settings(wanted, path)
    assert load_settings(path) == wanted
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "cannot be read"),
        ('{"long_timer_minutes": 0}', "long_timer_minutes"),
        ('{"rules": {"medicare": "xyz"}}', "xyz"),
        ('{"npi": "1234567890"}', "not a valid 10-digit NPI"),
        ('{"page_size": "legal"}', "page_size"),
        ('{"sound_cues": "no"}', "sound_cues must be true or false"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_broken_settings_name_the_file(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    with pytest.raises(SettingsError, match=says) as caught:
        load_settings(path)
    assert str(path) in str(caught.value)


def test_npi_check_digit() -> None:
    assert valid_npi("1234567893")
    assert not valid_npi("1234567890")
    assert not valid_npi("123456789")
