"""Who a visit is for: the patient found by MRN, name and date of birth, or a new one.

One rule for every door (window, CLI): an MRN identifies a patient; a name does when it is
unique (or the date of birth tells namesakes apart). Nothing is written before the answer is
known; what is filled in later (an MRN, a date of birth) is audited without the values.
"""

from __future__ import annotations

from datetime import datetime

from ptclock.refused import TimekeeperError
from ptclock.store import Store
from ptclock.store.store import PatientRow
from ptclock.timing.records import Payer


def patient_for_visit(
    store: Store, name: str, mrn: str, dob: str, payer: Payer | None, now: datetime, zone: str
) -> tuple[int, Payer | None]:
    """Who the visit is for: (patient id, their last visit's payer or None). Inside an event.

    An MRN identifies a patient: the same name with another MRN is another patient, and
    an MRN already used under another name is refused. A patient recorded without an
    MRN gets it the first time it is given (when they are the only one of that name
    without one). Without an MRN the name identifies the patient when exactly one has
    it (or, among namesakes, exactly one has the date of birth given); several
    namesakes need the MRN. A date of birth is filled in once, never changed: one that
    differs is refused.
    """
    found = store.patient_with_mrn(mrn) if mrn else None
    if found is not None:
        if found.name != name:
            raise TimekeeperError(
                f"MRN {mrn} belongs to {found.name}, not {name}: check the MRN or the name"
            )
        return _same_patient(store, found, mrn, dob, now, zone), found.last_payer
    namesakes = store.patients_named(name)
    fitting = [p for p in namesakes if not (dob and p.dob and p.dob != dob)]
    if mrn:
        fitting = [p for p in fitting if not p.mrn]
    elif len(namesakes) > 1 and dob:
        fitting = [p for p in fitting if p.dob == dob]
    if len(fitting) == 1 and (mrn or len(namesakes) == 1 or dob):
        (patient,) = fitting
        return _same_patient(store, patient, mrn, dob, now, zone), patient.last_payer
    if not mrn and len(namesakes) == 1:
        (patient,) = namesakes
        raise TimekeeperError(
            f"{name} is on record as born {patient.dob}, not {dob}: check the date of "
            "birth, or give the MRN if this is another patient"
        )
    if not mrn and namesakes:
        numbers = ", ".join(p.mrn or "none" for p in namesakes)
        raise TimekeeperError(
            f"{len(namesakes)} patients are called {name} (MRNs {numbers}): "
            "give the MRN to say which one"
        )
    return store.add_patient(name, payer or Payer.OTHER, mrn, dob), None


def identify(
    store: Store, patient_id: int, name: str, mrn: str, dob: str, now: datetime, zone: str
) -> None:
    """Fill in the MRN (and date of birth) of a patient recorded without them (inside an
    event): never another patient's MRN, never a change of one already recorded."""
    if not mrn:
        raise TimekeeperError("give the MRN to fill in")
    other = store.patient_with_mrn(mrn)
    if other is not None and other.id != patient_id:
        raise TimekeeperError(f"MRN {mrn} belongs to {other.name}: check the MRN")
    patient = next((p for p in store.patients_named(name) if p.id == patient_id), None)
    if patient is None:
        raise TimekeeperError(f"{name} is not on record as a patient")
    if patient.mrn and patient.mrn != mrn:
        raise TimekeeperError(
            f"{name} already has MRN {patient.mrn}: an MRN on record is never changed"
        )
    _same_patient(store, patient, mrn, dob, now, zone)


def _same_patient(
    store: Store, patient: PatientRow, mrn: str, dob: str, now: datetime, zone: str
) -> int:
    """The patient found; an MRN or date of birth they lacked is filled in (audited,
    without the values: the audit trail holds no patient identifiers)."""
    if dob and patient.dob and patient.dob != dob:
        raise TimekeeperError(
            f"{patient.name}"
            + (f" (MRN {patient.mrn})" if patient.mrn else "")
            + f" is on record as born {patient.dob}, not {dob}: check the date of birth"
        )
    added = [
        field
        for field, given, kept in (("mrn", mrn, patient.mrn), ("dob", dob, patient.dob))
        if given and not kept
    ]
    if added:
        store.complete_patient(patient.id, mrn, dob)
        store.audit(now, zone, "patient_identity", after={"patient_id": patient.id, "added": added})
    return patient.id
