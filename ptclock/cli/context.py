"""What every command needs: the code catalog (shipped plus the clinic's file)."""

from __future__ import annotations

from functools import cache

from ptclock import paths
from ptclock.billing import Catalog, CatalogError, load_catalog
from ptclock.cli.parser import UserError


@cache
def catalog() -> Catalog:
    """The catalog, loaded once per process; a broken clinic file is one clear error."""
    try:
        return load_catalog(paths.clinic_codes_file())
    except CatalogError as error:
        raise UserError(f"code catalog: {error}") from None
