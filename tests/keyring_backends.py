"""Keyrings that misbehave, for the tests (``PYTHON_KEYRING_BACKEND=tests.keyring_backends.…``
in a child process; ``keyring.set_keyring`` in this one)."""

from __future__ import annotations

from keyring import backend, errors


class LockedKeyring(backend.KeyringBackend):
    """A Secret Service whose collection stays locked: every read and write is refused."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise errors.KeyringLocked("Failed to unlock the collection!")
