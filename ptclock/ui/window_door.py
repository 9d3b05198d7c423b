"""The window's door: a second ``ptclock`` asks the open window to come to the front.

One window per data folder holds its lock (``store/window_lock.py``). While it does, it listens
here; a second launch on the same data folder knocks instead of opening another window. This
is a local socket between two processes of the same user, not network access: on Linux and
macOS a socket file in the data folder (owner-only, like the folder), on Windows a named pipe
only this user may open. Nothing goes beyond the computer.

The knock is one line, ``raise`` (followed by the launcher's Wayland activation token when the
second launch was given one: without it a Wayland desktop does not let another program's window
take the focus), and the answer one line, ``shown``, sent once the window was brought forward.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

KNOCK = b"raise"
ANSWER = b"shown"
TIMEOUT_MS = 2000
LONGEST_LINE = 512
# sun_path is 108 bytes on Linux, 104 on macOS, counting the final NUL.
LONGEST_SOCKET_PATH = 100
ACTIVATION_VARIABLE = "XDG_ACTIVATION_TOKEN"


def door_names(socket_file: Path) -> list[str]:
    """Where the window of ``socket_file``'s data folder listens, in order of preference.

    On POSIX the socket file itself, unless its path is too long for a Unix socket (or the
    folder's file system cannot hold one); then a short name in the temporary folder. On
    Windows a pipe name. The short names are a hash of the user and the data folder.
    """
    folder = os.path.realpath(socket_file.parent)
    if sys.platform == "win32":
        user = os.environ.get("USERNAME", "")
        return [f"ptclock-{_digest(user, folder)}"]
    names = []
    full = str(socket_file.absolute())
    if len(os.fsencode(full)) <= LONGEST_SOCKET_PATH:
        names.append(full)
    names.append(f"ptclock-{_digest(str(os.getuid()), folder)}")
    return names


def _digest(user: str, folder: str) -> str:
    return hashlib.sha256(f"{user}\0{folder}".encode(errors="surrogateescape")).hexdigest()[:20]


class WindowDoor:
    """Listens while the window is open; ``come_forward`` shows, raises and focuses it."""

    def __init__(self, socket_file: Path, come_forward: Callable[[], None]) -> None:
        self.socket_file = socket_file
        self.come_forward = come_forward
        self.server = QLocalServer()
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._welcome)

    def open(self) -> bool:
        """Listen; False if no name could be listened on (a second launch then only says so).

        Call it only while holding the window lock: no other window can be listening on these
        names then, so a socket file left by a killed window is removed first.
        """
        for name in door_names(self.socket_file):
            QLocalServer.removeServer(name)
            if self.server.listen(name):
                return True
        return False

    def close(self) -> None:
        self.server.close()  # removes the socket file

    def _welcome(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda socket=socket: self._answer(socket))
            socket.disconnected.connect(socket.deleteLater)
            # A caller that says nothing is not kept waiting on.
            QTimer.singleShot(TIMEOUT_MS, socket, socket.abort)

    def _answer(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > LONGEST_LINE:
                socket.abort()
            return
        line = _read_line(socket)
        word, _, token = line.partition(b" ")
        if word != KNOCK:
            socket.write(b"unknown\n")
            socket.disconnectFromServer()
            return
        if _usable_token(token):
            # Qt's Wayland plugin hands it to the compositor when the window asks for the focus.
            os.environ[ACTIVATION_VARIABLE] = token.decode("ascii")
        self.come_forward()
        socket.write(ANSWER + b"\n")
        socket.disconnectFromServer()


def ask_to_come_forward(socket_file: Path, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Ask the window open on ``socket_file``'s data folder to come to the front.

    True once it answered that it did; False if nobody answered within ``timeout_ms`` (no
    window, or one still starting up or not responding).
    """
    deadline = time.monotonic() + timeout_ms / 1000
    given = os.environ.get(ACTIVATION_VARIABLE, "")
    token = given.encode() if given.isascii() else b""
    line = KNOCK + (b" " + token if _usable_token(token) else b"") + b"\n"
    for name in door_names(socket_file):
        socket = QLocalSocket()
        try:
            socket.connectToServer(name)
            if not socket.waitForConnected(_left(deadline)):
                continue
            socket.write(line)
            socket.flush()
            while not socket.canReadLine():
                if not socket.waitForReadyRead(_left(deadline)):
                    break
            if socket.canReadLine() and _read_line(socket) == ANSWER:
                return True
        finally:
            socket.abort()
    return False


def _read_line(socket: QLocalSocket) -> bytes:
    return bytes(socket.readLine(LONGEST_LINE).data()).strip()


def _left(deadline: float) -> int:
    return max(0, int((deadline - time.monotonic()) * 1000))


def _usable_token(token: bytes) -> bool:
    return 0 < len(token) <= 256 and all(33 <= byte < 127 for byte in token)
