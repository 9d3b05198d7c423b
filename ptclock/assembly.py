"""The composition root: how ptclock is put together, for the window and every command alike.

The code catalog (shipped, plus the clinic's own file), the settings, the store on the data
folder (opened, checked, backed up daily) and the system clock go into one Timekeeper here,
and nowhere else. ``ptclock.main`` decides what runs (a command or the window); both sides
come here for their Timekeeper, so they cannot be assembled differently.
"""

from __future__ import annotations

from functools import cache

from ptclock import paths
from ptclock.billing import Catalog, CatalogError, load_catalog
from ptclock.settings import Settings, SettingsError, load_settings
from ptclock.store import Store, open_memory_store, open_store
from ptclock.timekeeper import Timekeeper
from ptclock.timing.clock import Clock, SystemClock, today


class DataFileError(ValueError):
    """A file a person wrote (the settings, the clinic's codes) cannot be used; the message
    names the file and what is wrong. Nothing was changed."""


@cache
def catalog() -> Catalog:
    """The catalog, loaded once per process; a broken clinic file is one clear error."""
    try:
        return load_catalog(paths.clinic_codes_file())
    except CatalogError as error:
        raise DataFileError(f"code catalog: {error}") from None


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise DataFileError(f"settings: {error}") from None


def timekeeper(clock: Clock | None = None, create: bool = False) -> Timekeeper:
    """A timekeeper on the data folder's database (opened, checked, backed up daily).

    Only commands that record something (``create``) and the window make the database on a
    new data folder; the others see an empty store in memory, so a command that fails, or
    only reads, leaves a new folder as it was.
    """
    clock = clock or SystemClock()
    if not create and not paths.database_file().exists():
        return Timekeeper(open_memory_store(), clock, catalog(), settings())
    store: Store = open_store(today=today(clock))
    return Timekeeper(store, clock, catalog(), settings())
