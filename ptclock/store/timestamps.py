"""How timestamps are stored: UTC ISO-8601 text with its offset, never a naive local time."""

from __future__ import annotations

from datetime import datetime, timezone


def to_text(moment: datetime) -> str:
    """UTC ISO-8601 with offset: the only way a timestamp is stored."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are never stored")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)
