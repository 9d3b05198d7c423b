"""Where ptclock keeps its files. Nothing else in ptclock builds a path to user data.

The data directory (the database, its backups, the window lock) comes from platformdirs and
is overridden by ``--data-dir DIR`` or the ``PTCLOCK_DATA_DIR`` environment variable; the
config directory (settings, the clinic's own code catalog) likewise by ``PTCLOCK_CONFIG_DIR``.
Directories holding patient data are created readable by the owner only.

platformdirs is imported when a default folder is first asked for, not with this module:
a folder given on the command line or in the environment needs none of it (issue 15).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ptclock"
DATA_ENV = "PTCLOCK_DATA_DIR"
CONFIG_ENV = "PTCLOCK_CONFIG_DIR"
DATABASE_NAME = "ptclock.sqlite3"

_data_override: Path | None = None


def use_data_dir(directory: Path | None) -> None:
    """Point this process at another data directory (``--data-dir``); None restores the default."""
    global _data_override
    _data_override = directory


def data_dir() -> Path:
    """The folder of the database and its backups."""
    if _data_override is not None:
        return _data_override
    from_env = os.environ.get(DATA_ENV)
    if from_env:
        return Path(from_env)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The folder of settings and the clinic's own code catalog."""
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_file() -> Path:
    return data_dir() / DATABASE_NAME


def backups_dir() -> Path:
    return data_dir() / "backups"


def window_lock_file() -> Path:
    return data_dir() / "window.lock"


def window_socket_file() -> Path:
    """Where the open window listens for a second launch (a local socket, never the network)."""
    return data_dir() / "window.socket"


def clinic_codes_file() -> Path:
    """The clinic's own codes (OT, SLP, local), same format as the shipped catalog."""
    return config_dir() / "codes.csv"


def settings_file() -> Path:
    return config_dir() / "settings.json"


def private_dir(directory: Path) -> Path:
    """Create ``directory`` (and parents) if needed; a folder ptclock creates is owner-only."""
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700)
        if os.name == "posix":
            directory.chmod(0o700)
    return directory


def private_data_dir(directory: Path) -> Path:
    """The data folder: created owner-only, and made owner-only if it already existed with
    wider permissions (it holds patient records). Only a folder the user owns is changed."""
    private_dir(directory)
    if os.name == "posix":
        info = directory.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            directory.chmod(info.st_mode & 0o700 | 0o700)
    return directory
