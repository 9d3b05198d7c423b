"""A clinic's records, laid out as a ptclock store in memory, so the clinic's claims are
built by exactly the code that builds one workstation's (issue 17).

The records come from the clinic database (``ptclock.clinic.clinic_day``) in the order the
clinic received them (a workstation's in its outbox order; after a restore, under its new
origin, after the old ones). A thing's latest record wins: a patient's latest details, a
visit's latest state, a code's latest note; a thing sent twice (a store that joined again)
is one thing. A segment is its start record with its end record, if any. Patients with the
same MRN are one patient, whichever workstation added them (so a patient treated on two
workstations on one day is one claim); a patient without an MRN is one per clinic id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ptclock.store.billing_data import BillingData
from ptclock.store.clinic_link import ClinicRecord
from ptclock.store.store import Store, open_memory_store
from ptclock.store.timestamps import from_text


@dataclass(frozen=True)
class VisitSource:
    """Where a visit of the mirror came from."""

    uid: str
    origin: str
    provider: str
    provider_npi: str


_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "patient": {"patient": (str,), "name": (str,), "mrn": (str,), "dob": (str,), "payer": (str,)},
    "visit": {
        "visit": (str,), "patient": (str,), "provider": (str,),
        "provider_credentials": (str,), "provider_npi": (str,), "date_of_service": (str,),
        "zone": (str,), "rule": (str,), "concurrent": (int,), "status": (str,),
        "started_at": (str,), "ended_at": (str, type(None)), "paused_codes": (str,),
        "note": (str,), "payer": (str,),
    },
    "segment_start": {
        "segment": (str,), "visit": (str,), "code": (str,), "started_at": (str,),
        "zone": (str,), "performer": (str,),
    },
    "segment_end": {"segment": (str,), "ended_at": (str,)},
    "adjustment": {
        "adjustment": (str,), "visit": (str,), "code": (str,), "seconds": (int,),
        "reason": (str,), "made_at": (str,), "zone": (str,), "transfer": (str, type(None)),
    },
    "code_note": {
        "visit": (str,), "code": (str,), "body_part": (str,), "exercises": (str,),
        "goal": (str,),
    },
    "modifier_override": {
        "override": (str,), "visit": (str,), "code": (str,), "modifier": (str,),
        "action": (str,), "reason": (str,), "made_at": (str,),
    },
    "audit": {
        "audit": (str,), "at": (str,), "zone": (str,), "action": (str,),
        "visit": (str, type(None)), "code": (str, type(None)),
        "before": (str, type(None)), "after": (str, type(None)),
    },
}  # fmt: skip
"""What each kind of record must hold: a record from the clinic that does not (another
program's, a damaged one) is left out, never allowed to stop the bill."""
_CHOICES = {
    ("visit", "rule"): ("cms", "ama"),
    ("visit", "status"): ("open", "paused", "ended"),
    ("visit", "payer"): ("medicare", "commercial", "other"),
    ("modifier_override", "action"): ("add", "remove"),
}
_TIMES = {
    "visit": ("started_at", "ended_at"),
    "segment_start": ("started_at",),
    "segment_end": ("ended_at",),
    "adjustment": ("made_at",),
    "modifier_override": ("made_at",),
    "audit": ("at",),
}
_THING = {
    "visit": "visit",
    "segment_start": "visit",
    "segment_end": "segment",
    "adjustment": "visit",
    "code_note": "visit",
    "modifier_override": "visit",
}
"""The thing each kind of record writes (its id's first part is the workstation that made
it): only that workstation's login may write it."""


def well_formed(row: ClinicRecord) -> dict[str, Any] | None:
    """The record's body when it holds what its kind needs, else None."""
    try:
        data = json.loads(row.body)
    except ValueError:
        return None
    fields = _FIELDS.get(row.kind)
    if not isinstance(data, dict) or fields is None:
        return None
    for key, types in fields.items():
        if not isinstance(data.get(key), types) or isinstance(data.get(key), bool):
            return None
    for (kind, key), allowed in _CHOICES.items():
        if kind == row.kind and data[key] not in allowed:
            return None
    for key in _TIMES.get(row.kind, ()):
        if data[key] is not None:
            try:
                from_text(data[key])
            except ValueError:
                return None
    if row.kind == "visit":
        try:
            date.fromisoformat(data["date_of_service"])
        except ValueError:
            return None
    return data


def mirror(
    records: Iterable[ClinicRecord],
    billing: BillingData | None = None,
    logins: Mapping[str, str] | None = None,
) -> tuple[Store, dict[int, VisitSource]]:
    """A store in memory holding ``records`` (and ``billing``'s imported edits and fees),
    with where each of its visits came from, by the visit's id in it.

    With ``logins`` (each origin's login, from the clinic's list of workstations) a record
    that writes a thing another login's workstation made is left out: a login may write
    only its own workstation's visits and segments (after a restore, under a new origin
    of the same login)."""
    patients: dict[str, dict[str, Any]] = {}
    visits: dict[str, tuple[int, dict[str, Any], str]] = {}
    starts: dict[str, dict[str, Any]] = {}
    ends: dict[str, str] = {}
    adjustments: dict[str, dict[str, Any]] = {}
    notes: dict[tuple[str, str], dict[str, Any]] = {}
    overrides: dict[str, dict[str, Any]] = {}
    audit: dict[str, tuple[str, int, dict[str, Any]]] = {}
    for order, row in enumerate(records):
        data = well_formed(row)
        if data is None:
            continue
        thing = _THING.get(row.kind)
        if logins is not None and thing is not None:
            maker = logins.get(str(data[thing]).split("/", 1)[0])
            if maker is None or maker != logins.get(row.origin):
                continue  # another login's visit or segment: not this record's to write
        if row.kind == "patient":
            patients.pop(data["patient"], None)  # the latest details, in the latest place
            patients[data["patient"]] = data
        elif row.kind == "visit":
            visits[data["visit"]] = (order, data, row.origin)
        elif row.kind == "segment_start":
            starts.setdefault(data["segment"], data | {"order": order})
        elif row.kind == "segment_end":
            ends.setdefault(data["segment"], data["ended_at"])
        elif row.kind == "adjustment":
            adjustments.setdefault(data["adjustment"], data)
        elif row.kind == "code_note":
            notes[data["visit"], data["code"]] = data
        elif row.kind == "modifier_override":
            overrides.setdefault(data["override"], data)
        elif row.kind == "audit":
            audit.setdefault(data["audit"], (row.origin, order, data))
    store = open_memory_store()
    if billing is not None:
        _copy_billing(billing, store)
    sources: dict[int, VisitSource] = {}
    with store.transaction():
        patient_ids = _patients(store, patients)
        visit_ids: dict[str, int] = {}
        ordered = sorted(visits.values(), key=lambda v: (v[1]["started_at"], v[1]["visit"]))
        for number, (_seq, data, origin) in enumerate(ordered, start=1):
            patient_id = patient_ids.get(data["patient"])
            if patient_id is None:  # details not (yet) at the clinic: a visit still counts
                patient_id = _unknown_patient(store, data["patient"], patient_ids)
            visit_ids[data["visit"]] = number
            sources[number] = VisitSource(
                data["visit"], origin, data["provider"], data["provider_npi"]
            )
            store.connection.execute(
                "INSERT INTO visits (id, patient_id, provider, provider_credentials, "
                "provider_npi, date_of_service, zone, rule, concurrent, status, started_at, "
                "ended_at, paused_codes, note, payer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    number,
                    patient_id,
                    data["provider"],
                    data["provider_credentials"],
                    data["provider_npi"],
                    data["date_of_service"],
                    data["zone"],
                    data["rule"],
                    data["concurrent"],
                    data["status"],
                    data["started_at"],
                    data["ended_at"],
                    data["paused_codes"],
                    data["note"],
                    data["payer"],
                ),
            )
        segments = sorted(
            (s for s in starts.values() if s["visit"] in visit_ids),
            key=lambda s: (s["started_at"], s["order"]),
        )
        store.connection.executemany(
            "INSERT INTO segments (visit_id, code, started_at, ended_at, zone, performer) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    visit_ids[s["visit"]],
                    s["code"],
                    s["started_at"],
                    ends.get(s["segment"]),
                    s["zone"],
                    s["performer"],
                )
                for s in segments
            ],
        )
        kept = [a for a in adjustments.values() if a["visit"] in visit_ids]
        adjustment_ids = {a["adjustment"]: number for number, a in enumerate(kept, start=1)}
        store.connection.executemany(
            "INSERT INTO adjustments (id, visit_id, code, seconds, reason, made_at, zone, "
            "transfer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    adjustment_ids[a["adjustment"]],
                    visit_ids[a["visit"]],
                    a["code"],
                    a["seconds"],
                    a["reason"],
                    a["made_at"],
                    a["zone"],
                    adjustment_ids.get(a["transfer"]) if a["transfer"] else None,
                )
                for a in kept
            ],
        )
        store.connection.executemany(
            "INSERT INTO code_notes (visit_id, code, body_part, exercises, goal) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (visit_ids[n["visit"]], n["code"], n["body_part"], n["exercises"], n["goal"])
                for n in notes.values()
                if n["visit"] in visit_ids
            ],
        )
        store.connection.executemany(
            "INSERT INTO modifier_overrides (visit_id, code, modifier, action, reason, "
            "made_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    visit_ids[o["visit"]],
                    o["code"],
                    o["modifier"],
                    o["action"],
                    o["reason"],
                    o["made_at"],
                )
                for o in overrides.values()
                if o["visit"] in visit_ids
            ],
        )
        _audit(store, list(audit.values()), visit_ids)
    return store, sources


def _audit(
    store: Store, lines: list[tuple[str, int, dict[str, Any]]], visit_ids: dict[str, int]
) -> None:
    """The audit lines the bill reads: a clock set or a sleep while a timer ran (its list
    of running timers renumbered to this store's visits), after the visit's own lines. In
    each workstation's own order, which is all the bill relies on."""
    for _origin, _order, data in sorted(lines, key=lambda line: line[1]):
        visit = visit_ids.get(data["visit"]) if data["visit"] else None
        after = data["after"]
        if data["action"] in ("clock_set", "suspend") and after:
            details = json.loads(after)
            details["running"] = [
                [visit_ids[uid], code]
                for uid, code in data.get("running") or []
                if uid in visit_ids
            ]
            after = json.dumps(details)
        elif visit is None:
            continue
        store.connection.execute(
            "INSERT INTO audit (at, zone, action, visit_id, code, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (data["at"], data["zone"], data["action"], visit, data["code"], data["before"], after),
        )


def _patients(store: Store, patients: dict[str, dict[str, Any]]) -> dict[str, int]:
    """One mirror patient per MRN (or per clinic id without one); the latest details."""
    by_key: dict[str, int] = {}
    ids: dict[str, int] = {}
    for uid, data in patients.items():
        key = f"mrn:{data['mrn']}" if data["mrn"] else f"uid:{uid}"
        if key not in by_key:
            cursor = store.connection.execute(
                "INSERT INTO patients (name, mrn, dob, payer) VALUES (?, ?, ?, ?)",
                (data["name"], data["mrn"], data["dob"], data["payer"]),
            )
            by_key[key] = int(cursor.lastrowid or 0)
        else:
            store.connection.execute(
                "UPDATE patients SET name = ?, dob = CASE WHEN ? != '' THEN ? ELSE dob END "
                "WHERE id = ?",
                (data["name"], data["dob"], data["dob"], by_key[key]),
            )
        ids[uid] = by_key[key]
    return ids


def _unknown_patient(store: Store, uid: str, ids: dict[str, int]) -> int:
    cursor = store.connection.execute(
        "INSERT INTO patients (name, mrn, dob, payer) VALUES (?, '', '', 'other')",
        (f"(patient {uid})",),
    )
    ids[uid] = int(cursor.lastrowid or 0)
    return ids[uid]


def _copy_billing(source: BillingData, target: Store) -> None:
    edits = source.imported_edits()
    groups: dict[tuple[str, str], list[Any]] = {}
    for edit in edits:
        origin = "payer" if edit.payer else "cms"
        groups.setdefault((origin, edit.payer), []).append(edit)
    with target.transaction():
        for (origin, payer), group in groups.items():
            target.replace_edits(origin, payer, group)
        target.replace_fees(source.fees())
