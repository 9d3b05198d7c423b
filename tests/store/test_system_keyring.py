"""The real thing (issue 16): ptclock's key kept by a real Secret Service — GNOME Keyring on
its own D-Bus session, as a Linux desktop login provides — through the ``keyring``
package's own backend, not a stand-in. ``.ci/run`` installs gnome-keyring and dbus; where
they are missing (a laptop without them) the test is skipped, except in CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock.store.driver import SQLITE_HEADER

ROOT = Path(__file__).parents[2]
WRAPPER = ROOT / "installer" / "linux" / "with-secret-service"
MISSING = [
    tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None
]
pytestmark = pytest.mark.skipif(
    bool(MISSING) and os.environ.get("CI") != "true",
    reason=f"no Secret Service to test with ({', '.join(MISSING)} missing; .ci/run installs them)",
)

SECRET = "Anastasia Whitcombe-Okonkwo"


def in_a_desktop_session(script: str, data: Path) -> subprocess.CompletedProcess[str]:
    """``script`` (Python) in a D-Bus session with an unlocked GNOME Keyring."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHON_KEYRING_BACKEND", "XDG_DATA_HOME", "DBUS_SESSION_BUS_ADDRESS")
    }
    environment.update(PTCLOCK_DATA_DIR=str(data), PTCLOCK_CONFIG_DIR=str(data / "config"))
    return subprocess.run(
        ["dbus-run-session", "--", str(WRAPPER), sys.executable, "-c", script],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_key_lives_in_the_secret_service_and_the_store_is_encrypted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = f"""
import keyring
from ptclock.cli import main
from ptclock.store import keys
assert main(["visit", "new", "--patient", {SECRET!r}]) == 0
assert main(["timer", "start", "97110"]) == 0
backend = keyring.get_keyring()
names = [type(b).__module__ for b in getattr(backend, "backends", [backend])]
print("backends", names)
stored = keyring.get_password(keys.SERVICE, keys.ACCOUNT)
print("key", stored)
assert main(["visit", "show", "--json"]) == 0
"""
    done = in_a_desktop_session(script, data)
    assert done.returncode == 0, done.stderr
    assert "keyring.backends.SecretService" in done.stdout
    key = next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("key "))
    assert len(bytes.fromhex(key)) == 32
    assert f'"patient": "{SECRET}"' in done.stdout
    database = data / "ptclock.sqlite3"
    assert not database.read_bytes().startswith(SQLITE_HEADER)
    for file in (p for p in data.rglob("*") if p.is_file()):
        content = file.read_bytes()
        assert SECRET.encode() not in content and key.encode() not in content, file.name


def test_without_the_desktop_keyring_the_store_is_refused_untouched(tmp_path: Path) -> None:
    """The same store in another login session (its keyring does not hold the key): one
    sentence, exit 1, nothing changed."""
    data = tmp_path / "data"
    made = in_a_desktop_session(
        f"from ptclock.cli import main\nmain(['visit', 'new', '--patient', {SECRET!r}])", data
    )
    assert made.returncode == 0, made.stderr
    before = (data / "ptclock.sqlite3").read_bytes()
    again = in_a_desktop_session(
        "import sys\nfrom ptclock.cli import main\nsys.exit(main(['visit', 'show']))", data
    )
    assert again.returncode == 1
    said = [line for line in again.stderr.splitlines() if not line.startswith("dbus-daemon[")]
    assert len(said) == 1, said  # (the session bus's own complaint about fd limits aside)
    assert "this installation has no database key in the system keyring" in said[0]
    assert (data / "ptclock.sqlite3").read_bytes() == before
