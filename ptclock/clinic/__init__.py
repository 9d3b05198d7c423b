"""Clinic mode (issue 17): several workstations sharing one PostgreSQL database.

Each workstation keeps its own SQLite store as its source of truth; what the clinic needs
is queued in the store's outbox and pushed here, append-only, by ``ptclock.clinic.sync``.
The clinic-wide views (``ptclock.clinic.clinic_day``) read the clinic's database. Only this
room speaks to PostgreSQL (psycopg 3), and it is imported only in clinic mode.
"""
