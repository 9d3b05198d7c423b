"""Every SQL call goes through here, so no sqlite3 error crosses the store's boundary.

A damaged file ("database disk image is malformed", "file is not a database") can show
itself at any read, long after the day's first open checked it. The connection and its
cursors turn each SQLite error into a StoreError in words (through the store's
``translate``), and the store stops writing to a file once it was found damaged.
Programming errors (a constraint the code broke, a bad statement) pass through unchanged:
they are bugs to see, not conditions to explain.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from typing import Any

from ptclock.store.driver import sqlite3

Translate = Callable[[sqlite3.Error], Exception]

PASS_THROUGH = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)


def _translated(connection: GuardedConnection, error: sqlite3.Error) -> BaseException:
    translate = connection.translate() if connection.translate is not None else None
    if isinstance(error, PASS_THROUGH) or translate is None:
        return error
    return translate(error)


class GuardedCursor(sqlite3.Cursor):
    def _guard(self) -> GuardedConnection:
        connection = self.connection
        assert isinstance(connection, GuardedConnection)
        return connection

    def execute(self, sql: str, parameters: Any = (), /) -> GuardedCursor:
        try:
            super().execute(sql, parameters)
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error
        return self

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> GuardedCursor:
        try:
            super().executemany(sql, parameters)
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error

    def fetchmany(self, size: int | None = 1) -> list[Any]:
        try:
            return super().fetchmany(size if size is not None else self.arraysize)
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as error:
            raise _translated(self._guard(), error) from error


class GuardedConnection(sqlite3.Connection):
    translate: weakref.WeakMethod[Translate] | None = None
    """Set by the store: an SQLite error → the StoreError a user reads. Held weakly: a
    store and its connection must not form a cycle, or a store dropped without close()
    would keep its connection (and its locks) open until the garbage collector runs."""

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or GuardedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script: str, /) -> Any:
        try:
            return super().executescript(script)
        except sqlite3.Error as error:
            raise _translated(self, error) from error
