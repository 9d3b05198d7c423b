"""The clinic database's password: in the operating system's keyring, or a pgpass file.

Never in settings.json, the store, a log or a message. ``ptclock clinic join URL`` with a
password in the URL keeps it in the keyring under "ptclock / clinic USER@HOST:PORT/DB";
without a keyring, the password goes in the pgpass file the PostgreSQL client library reads
itself (``~/.pgpass``, or ``PGPASSFILE``; owner-only), which the clinic's IT person writes.
"""

from __future__ import annotations

from ptclock.clinic.address import AddressProblem, ClinicAddress
from ptclock.store import keys


def keep(address: ClinicAddress) -> None:
    """Keep ``address``'s password in the keyring (nothing to do without one)."""
    if address.password is None:
        return
    if not keys.keyring_available():
        raise AddressProblem(
            "this computer has no keyring to keep the clinic password in: leave the password "
            "out of the address and put it in the pgpass file instead "
            "(HOST:PORT:DATABASE:USER:PASSWORD, owner-only); nothing was changed"
        )
    keys.keep_secret(address.account(), address.password)


def find(address: ClinicAddress) -> str | None:
    """The password kept for ``address`` (None: the pgpass file, or no password)."""
    if address.password is not None:
        return address.password
    if not keys.keyring_available():
        return None
    return keys.secret(address.account())
