"""The clinic's settings (settings.json in the config folder): who treats, which rule per payer.

A missing file means defaults; a broken one is one clear error naming the file, never a
silent reset of what the clinic configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ptclock import paths
from ptclock.billing import Rule
from ptclock.timing.records import DEFAULT_RULES, Payer
from ptclock.timing.tally import DEFAULT_LONG_TIMER_MINUTES


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    provider: str = ""
    """The therapist using this install; visits and one-on-one switching are per provider."""
    rules: dict[Payer, Rule] = field(default_factory=lambda: dict(DEFAULT_RULES))
    long_timer_minutes: int = DEFAULT_LONG_TIMER_MINUTES

    def rule_for(self, payer: Payer) -> Rule:
        return self.rules.get(payer, DEFAULT_RULES[payer])


def load_settings(path: Path | None = None) -> Settings:
    path = path or paths.settings_file()
    if not path.exists():
        return Settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read as settings ({error})") from error
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a JSON object")
    try:
        provider = str(data.get("provider", ""))
        rules = dict(DEFAULT_RULES)
        for payer, rule in dict(data.get("rules", {})).items():
            rules[Payer(payer)] = Rule(rule)
        limit = data.get("long_timer_minutes", DEFAULT_LONG_TIMER_MINUTES)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 24 * 60:
            raise ValueError(f"long_timer_minutes must be whole minutes 1–1440, not {limit!r}")
    except (TypeError, ValueError) as error:
        raise SettingsError(f"{path}: {error}") from error
    return Settings(provider, rules, limit)
