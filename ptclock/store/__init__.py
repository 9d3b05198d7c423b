"""The SQLite store: the only package that speaks SQL (docs/architecture.md)."""

from ptclock.store.errors import StoreError, UnusableDatabase, WindowAlreadyOpen
from ptclock.store.store import AuditEntry, Store, open_memory_store, open_store

__all__ = [
    "AuditEntry",
    "Store",
    "StoreError",
    "UnusableDatabase",
    "WindowAlreadyOpen",
    "open_memory_store",
    "open_store",
]
