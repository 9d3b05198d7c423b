"""The clinic database's address: a ``postgresql://`` URL, checked, shown without secrets.

TLS is required for any host other than this computer: a URL for another host must not
turn it off (``sslmode=disable``, ``allow`` or ``prefer``) and gets ``sslmode=verify-full``
(the server's certificate checked against the clinic's root certificate, and its name)
when it says nothing. A password in the URL is taken out at once: it goes to the keyring
(``ptclock.clinic.password``), never into the store, settings, logs or messages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ptclock.refused import TimekeeperError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
"""Hosts on this computer (and a Unix socket's folder): TLS not required."""

SAFE_SSLMODES = ("require", "verify-ca", "verify-full")
ALLOWED_OPTIONS = frozenset(
    {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "host", "options"}
)


class AddressProblem(TimekeeperError):
    """A clinic address that cannot be used, in one sentence (nothing was changed)."""


@dataclass(frozen=True)
class ClinicAddress:
    host: str
    port: int
    database: str
    user: str
    options: tuple[tuple[str, str], ...]
    password: str | None = None

    @property
    def local(self) -> bool:
        return self.host.lower() in LOCAL_HOSTS or self.host.startswith("/")

    def shown(self) -> str:
        """The URL as ptclock keeps and shows it: never a password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = f"?{urlencode(self.options)}" if self.options else ""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        if self.host.startswith("/"):
            return f"postgresql://{user}/{quote(self.database, safe='')}?" + urlencode(
                (("host", self.host), *self.options)
            )
        return f"postgresql://{user}{host}:{self.port}/{quote(self.database, safe='')}{query}"

    def account(self) -> str:
        """The keyring entry's name for this address's password."""
        return f"clinic {self.user}@{self.host}:{self.port}/{self.database}"

    def without_password(self) -> ClinicAddress:
        return replace(self, password=None)

    def connection_options(self) -> dict[str, str | int]:
        """What psycopg connects with (the password added by the caller, if any)."""
        options: dict[str, str | int] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.database,
            "user": self.user,
            "application_name": "ptclock",
            "connect_timeout": 5,
            # A server that vanished mid-sync (a cable pulled) is noticed within ~30 s.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        }
        options.update(dict(self.options))
        return options


def parse(text: str) -> ClinicAddress:
    """A clinic address from what the user typed; AddressProblem says what is wrong."""
    text = text.strip()
    try:
        parts = urlsplit(text)
        port = parts.port or 5432
    except ValueError:
        # Never the parser's words: they may quote part of a password.
        raise AddressProblem(
            "the clinic address is not a valid URL (check the port; in a password, write "
            "/ ? # @ : as %2F %3F %23 %40 %3A)"
        ) from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise AddressProblem(
            "the clinic address must start with postgresql:// "
            "(for example postgresql://ptclock@db.clinic.example/ptclock)"
        )
    if parts.fragment:
        raise AddressProblem("the clinic address has a '#' part; remove it")
    database = unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise AddressProblem(
            "the clinic address names no database (postgresql://user@host/DATABASE)"
        )
    user = unquote(parts.username or "")
    if not user:
        raise AddressProblem("the clinic address names no user (postgresql://USER@host/db)")
    query = parse_qsl(parts.query, keep_blank_values=True)
    unknown = sorted({key for key, _ in query} - ALLOWED_OPTIONS)
    if unknown:
        raise AddressProblem(
            f"the clinic address has an option ptclock does not take: {', '.join(unknown)} "
            f"(it takes {', '.join(sorted(ALLOWED_OPTIONS))})"
        )
    options = dict(query)
    host = options.pop("host", None) or (parts.hostname or "")
    if not host:
        raise AddressProblem(
            "the clinic address names no host (postgresql://user@HOST/db; for this "
            "computer, localhost)"
        )
    if "," in host or "," in (parts.netloc.rpartition("@")[2]):
        raise AddressProblem("the clinic address names several hosts: give one")
    address = ClinicAddress(
        host=host,
        port=port,
        database=database,
        user=user,
        options=tuple(sorted(options.items())),
        password=unquote(parts.password) if parts.password is not None else None,
    )
    return _with_tls(address)


def _with_tls(address: ClinicAddress) -> ClinicAddress:
    if address.local:
        return address
    options = dict(address.options)
    mode = options.get("sslmode")
    if mode is None:
        options["sslmode"] = "verify-full"
    elif mode not in SAFE_SSLMODES:
        raise AddressProblem(
            f"the clinic database on {address.host} must be reached over TLS: sslmode={mode} "
            f"is not allowed for another computer (use {', '.join(SAFE_SSLMODES)})"
        )
    return replace(address, options=tuple(sorted(options.items())))
