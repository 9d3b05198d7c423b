"""Generate clinic history: N visits of about 10 segments each, over past years.

Five clinic-years is about 100,000 visits and 1,000,000 segments (scale 1). Rows go in
through executemany for speed; the schema comes from ptclock's own migrations.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ptclock.store import open_store

CODES = ["97110", "97112", "97116", "97140", "97530", "97535", "97161", "97012"]
VISITS_PER_SCALE = 100_000


def generate(path: Path, scale: float, seed: int = 5) -> dict[str, int]:
    """Fill a new store at ``path``; visits end before today so today's view starts empty."""
    open_store(path, encrypt_new=False).close()  # plain: the rows go in through sqlite3
    rng = random.Random(seed)
    visits = int(VISITS_PER_SCALE * scale)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    patients = max(1, visits // 40)
    connection.executemany(
        "INSERT INTO patients (id, name, payer) VALUES (?, ?, ?)",
        (
            (i, f"Patient {i:06d}", rng.choice(["medicare", "commercial", "other"]))
            for i in range(1, patients + 1)
        ),
    )
    start_day = date.today() - timedelta(days=int(5 * 365 * max(scale, 0.01)) + 1)
    days = max(1, (date.today() - start_day).days - 1)
    segment_id = 0
    visit_rows, segment_rows = [], []
    for visit_id in range(1, visits + 1):
        day = start_day + timedelta(days=visit_id * days // visits)
        begin = datetime(day.year, day.month, day.day, 14, tzinfo=timezone.utc) + timedelta(
            minutes=rng.randint(0, 480)
        )
        moment = begin
        for _ in range(10):
            segment_id += 1
            length = timedelta(minutes=rng.randint(3, 12))
            segment_rows.append(
                (
                    segment_id,
                    visit_id,
                    rng.choice(CODES),
                    moment.isoformat(),
                    (moment + length).isoformat(),
                    "UTC",
                )
            )
            moment += length
        visit_rows.append(
            (
                visit_id,
                rng.randint(1, patients),
                day.isoformat(),
                "UTC",
                rng.choice(["cms", "ama"]),
                "ended",
                begin.isoformat(),
                moment.isoformat(),
            )
        )
        if len(segment_rows) >= 200_000:
            _flush(connection, visit_rows, segment_rows)
    _flush(connection, visit_rows, segment_rows)
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return {"visits": visits, "segments": segment_id, "bytes": path.stat().st_size}


def _flush(connection: sqlite3.Connection, visits: list[tuple], segments: list[tuple]) -> None:  # type: ignore[type-arg]
    connection.executemany(
        "INSERT INTO visits (id, patient_id, date_of_service, zone, rule, status, started_at, "
        "ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        visits,
    )
    connection.executemany(
        "INSERT INTO segments (id, visit_id, code, started_at, ended_at, zone) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        segments,
    )
    visits.clear()
    segments.clear()
