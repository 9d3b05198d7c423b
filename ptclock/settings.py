"""The clinic's settings (settings.json in the config folder).

Who treats (name, credentials, NPI — printed on reports), the clinic, the rule per payer,
favourite codes for the tiles, one-on-one or concurrent by default, and the long-timer
limit. A missing file means defaults; a broken one is one clear error naming the file,
never a silent reset of what the clinic configured.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ptclock import paths
from ptclock.billing import Rule
from ptclock.billing.money import shipped_kx_thresholds
from ptclock.timing.records import DEFAULT_RULES, Payer
from ptclock.timing.tally import DEFAULT_LONG_TIMER_MINUTES

DEFAULT_FAVOURITES = (
    "97110", "97112", "97116", "97140", "97530", "97535", "97161", "97162", "97163", "97164",
)  # fmt: skip
PAGE_SIZES = ("letter", "a4")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    provider: str = ""
    """The therapist using this install; visits and one-on-one switching are per provider."""
    credentials: str = ""
    npi: str = ""
    clinic_name: str = ""
    clinic_address: str = ""
    rules: dict[Payer, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    long_timer_minutes: int = DEFAULT_LONG_TIMER_MINUTES
    favourites: tuple[str, ...] = DEFAULT_FAVOURITES
    concurrent_by_default: bool = False
    page_size: str = "letter"
    export_folder: str = ""
    """Where the last report was saved: the next export suggests it again."""
    kx_thresholds: dict[int, Decimal] = field(default_factory=shipped_kx_thresholds)
    """The CMS KX threshold per year; shipped values, changeable when CMS publishes new ones."""
    encryption_offered: bool = False
    """The window offered to encrypt a plain store once (issue 16): it does not ask again."""
    charges_sending_application: str = ""
    """Charges handed to billing (issue 18): HL7 MSH-3 (empty: PTCLOCK). This and the three
    below are HL7 namespace IDs: at most 20 characters."""
    charges_sending_facility: str = ""
    """HL7 MSH-4 and the MRN's assigning authority (empty: the clinic's name)."""
    charges_receiving_application: str = ""
    charges_receiving_facility: str = ""
    charges_mrn_system: str = ""
    """The FHIR identifier system of the clinic's MRNs, as the EMR names it (a URI; empty:
    urn:ptclock:mrn)."""
    sound_cues: bool = False
    """A short sound (the system's beep) when a unit is reached and when the next unit is a
    minute away, besides the colour cue. Off by default: a treatment room is shared."""

    def rule_for(self, payer: Payer) -> Rule:
        return self.rules.get(payer, DEFAULT_RULES[payer])

    def changed(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def valid_npi(npi: str) -> bool:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit of
    the other nine prefixed with 80840 (CMS NPI check-digit standard)."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def valid_identifier_system(text: str) -> bool:
    """Empty (ptclock's own), or a URI as FHIR identifier systems are: a scheme, a colon,
    no spaces ("urn:oid:2.16.840.1.113883.19.5", "https://emr.example.org/mrn")."""
    scheme, colon, rest = text.partition(":")
    return not text or (
        bool(colon and rest and scheme[:1].isalpha())
        and all(ch.isalnum() or ch in "+-." for ch in scheme)
        and not any(ch.isspace() for ch in text)
    )


def _text(data: dict[str, Any], key: str, limit: int = 300) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    if len(value) > limit:
        raise ValueError(f"{key} is longer than {limit} characters")
    return value.strip()


def settings_from_dict(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise ValueError("settings must be a JSON object")
    rules = dict(DEFAULT_RULES)
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, dict):
        raise ValueError("rules must map payers to cms or ama")
    for payer, rule in raw_rules.items():
        rules[Payer(payer)] = Rule(rule)
    limit = data.get("long_timer_minutes", DEFAULT_LONG_TIMER_MINUTES)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 24 * 60:
        raise ValueError(f"long_timer_minutes must be whole minutes 1–1440, not {limit!r}")
    favourites = data.get("favourites", list(DEFAULT_FAVOURITES))
    if not isinstance(favourites, list) or not all(isinstance(c, str) for c in favourites):
        raise ValueError("favourites must be a list of codes")
    npi = _text(data, "npi", 10)
    if npi and not valid_npi(npi):
        raise ValueError(f"npi {npi!r} is not a valid 10-digit NPI")
    sound_cues = data.get("sound_cues", False)
    offered = data.get("encryption_offered", False)
    for name, value in (("sound_cues", sound_cues), ("encryption_offered", offered)):
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, not {value!r}")
    page_size = data.get("page_size", "letter")
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be letter or a4, not {page_size!r}")
    mrn_system = _text(data, "charges_mrn_system", 300)
    if not valid_identifier_system(mrn_system):
        raise ValueError(f"charges_mrn_system {mrn_system!r} must be a URI (no spaces)")
    return Settings(
        provider=_text(data, "provider", 200),
        credentials=_text(data, "credentials", 100),
        npi=npi,
        clinic_name=_text(data, "clinic_name", 200),
        clinic_address=_text(data, "clinic_address", 500),
        rules=rules,
        long_timer_minutes=limit,
        favourites=tuple(dict.fromkeys(code.strip().upper() for code in favourites)),
        concurrent_by_default=bool(data.get("concurrent_by_default", False)),
        page_size=page_size,
        export_folder=_text(data, "export_folder", 4096),
        kx_thresholds=_thresholds(data.get("kx_thresholds", {})),
        sound_cues=sound_cues,
        encryption_offered=offered,
        charges_sending_application=_text(data, "charges_sending_application", 20),
        charges_sending_facility=_text(data, "charges_sending_facility", 20),
        charges_receiving_application=_text(data, "charges_receiving_application", 20),
        charges_receiving_facility=_text(data, "charges_receiving_facility", 20),
        charges_mrn_system=mrn_system,
    )


def _thresholds(raw: Any) -> dict[int, Decimal]:
    thresholds = shipped_kx_thresholds()
    if not isinstance(raw, dict):
        raise ValueError("kx_thresholds must map years to amounts")
    for year, amount in raw.items():
        if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
            raise ValueError(f"kx_thresholds: {year!r} is not a year")
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise ValueError(f"kx_thresholds: {amount!r} is not an amount") from None
        if not value.is_finite() or value <= 0:
            raise ValueError(f"kx_thresholds: {amount!r} must be more than 0")
        thresholds[int(year)] = value
    return thresholds


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return {
        "provider": settings.provider,
        "credentials": settings.credentials,
        "npi": settings.npi,
        "clinic_name": settings.clinic_name,
        "clinic_address": settings.clinic_address,
        "rules": {payer.value: rule.value for payer, rule in settings.rules.items()},
        "long_timer_minutes": settings.long_timer_minutes,
        "favourites": list(settings.favourites),
        "concurrent_by_default": settings.concurrent_by_default,
        "page_size": settings.page_size,
        "export_folder": settings.export_folder,
        "kx_thresholds": {str(year): str(v) for year, v in sorted(settings.kx_thresholds.items())},
        "sound_cues": settings.sound_cues,
        "encryption_offered": settings.encryption_offered,
        "charges_sending_application": settings.charges_sending_application,
        "charges_sending_facility": settings.charges_sending_facility,
        "charges_receiving_application": settings.charges_receiving_application,
        "charges_receiving_facility": settings.charges_receiving_facility,
        "charges_mrn_system": settings.charges_mrn_system,
    }


def load_settings(path: Path | None = None) -> Settings:
    path = path or paths.settings_file()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read as settings ({error})") from error
    try:
        return settings_from_dict(data)
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{path}: {error}") from error


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write settings atomically (temporary file, then rename), readable by the owner only."""
    path = path or paths.settings_file()
    paths.private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.partial")
    descriptor = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(settings_to_dict(settings), file, indent=2, ensure_ascii=False)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)
    return path
