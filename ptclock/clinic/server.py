"""A connection to the clinic's database (psycopg 3), with its errors in words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from ptclock.clinic import password, server_schema
from ptclock.clinic.address import ClinicAddress
from ptclock.clinic.errors import ClinicError, in_words


@contextmanager
def connected(address: ClinicAddress, *, check_schema: bool = True) -> Iterator[Any]:
    """An open connection to the clinic database, closed afterwards. Any database error
    inside becomes a ClinicError in words; with ``check_schema``, a database without
    ptclock's schema, or with a newer one, is refused."""
    import psycopg

    options: dict[str, Any] = dict(address.connection_options())
    secret = password.find(address)
    if secret is not None:
        options["password"] = secret
    where = address.shown()
    try:
        connection = psycopg.connect(autocommit=True, **options)
    except psycopg.Error as error:
        raise ClinicError(in_words(error, where)) from None
    try:
        # Short, indexed queries: PostgreSQL's JIT compiler would spend more time compiling
        # them (measured: 265 ms of a 280 ms query) than running them. A statement held
        # up by a lock or a stuck server ends in words instead of hanging the sync.
        connection.execute("SET jit = off")
        connection.execute("SET statement_timeout = '60s'")
        connection.execute("SET lock_timeout = '10s'")
        # A transaction left open (a laptop asleep mid-push) is ended by the server, so no
        # record commits long after the time it was stamped with (the pull's margin).
        connection.execute("SET idle_in_transaction_session_timeout = '60s'")
        if check_schema:
            found = server_schema.version(connection)
            if found == 0:
                raise ClinicError(
                    f"the clinic database at {where} has no ptclock schema yet: the clinic's "
                    "IT person runs ptclock clinic init URL once"
                )
            if found > server_schema.NEWEST:
                raise ClinicError(str(server_schema.TooNew(found)))
        yield connection
    except psycopg.Error as error:
        raise ClinicError(in_words(error, where)) from None
    except server_schema.TooNew as error:
        raise ClinicError(str(error)) from None
    finally:
        with suppress(psycopg.Error):
            connection.close()
