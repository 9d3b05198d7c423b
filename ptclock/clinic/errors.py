"""What goes wrong with the clinic's database, in words (never a password)."""

from __future__ import annotations

import re


class ClinicError(Exception):
    """The clinic database could not be used (down, refused, too new): one sentence; the
    workstation's own store is unchanged and keeps every record queued."""


_SECRET = re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE)
_URL_SECRET = re.compile(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@")


def scrubbed(text: str) -> str:
    """``text`` without anything that looks like a password (a driver's message may quote
    the connection string)."""
    return _URL_SECRET.sub(r"\1***@", _SECRET.sub(r"\1***", text))


def in_words(error: BaseException, where: str) -> str:
    """A psycopg error as one sentence a clinic's IT person can act on."""
    first = scrubbed(str(error)).strip().splitlines()[0] if str(error).strip() else ""
    text = first.lower()
    if "own login only" in text:
        return (
            f"the clinic database at {where} takes this workstation's records only from the "
            "login it was set up with: join again with that login (a workstation keeps its "
            "login, also on a new computer)"
        )
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"the clinic database at {where} refused the sign-in (wrong or missing password: "
            "run ptclock clinic join again with the password, or check the pgpass file)"
        )
    if "does not exist" in text and "database" in text:
        return f"the clinic database at {where} does not exist ({first})"
    if "ssl" in text or "certificate" in text:
        return f"the clinic database at {where} could not be reached securely ({first})"
    if "permission denied" in text:
        return f"the clinic database at {where} refused this ({first})"
    if (
        any(
            word in text
            for word in ("connection refused", "timeout", "timed out", "could not", "terminat")
        )
        or "server closed" in text
        or "connection" in text
    ):
        return f"the clinic database at {where} cannot be reached ({first})"
    return f"the clinic database at {where} failed: {first}"
