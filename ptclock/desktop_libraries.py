"""Which system libraries Qt's xcb platform plugin cannot load, and the packages that have them.

When one of the ~15 X11 libraries the plugin links against is missing, Qt prints a wall of
text and aborts, and a fixed list of "usual suspects" names the wrong package half the time.
So this asks the dynamic linker itself (``ldd`` on the plugin file, which follows the whole
dependency tree) which libraries it cannot find.

It runs before ``QApplication`` exists, so it imports no Qt module (importing QtGui would
already pull in most of Qt): the plugin file is located on disk, in the PySide6 wheel layout
or in a PyInstaller bundle. If the plugin cannot be found it reports nothing rather than guess.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# PySide6's wheel layout on Linux; PyInstaller keeps it under its bundle folder.
PLUGIN_IN_PYSIDE = Path("Qt", "plugins", "platforms", "libqxcb.so")
# ldd only reads headers and walks the library search path: a few seconds is generous, and a
# hung ldd must not keep the window from opening.
LDD_TIMEOUT_SECONDS = 5.0

# Debian/Ubuntu package for libraries whose package name does not follow the naming rule, and
# the X11 stack the plugin needs spelled out so the hint for the usual cases is checked, not
# derived (names checked with apt-cache/dpkg -S on Debian 12; on Ubuntu 24.04 a few are
# renamed "...t64", and apt picks those when asked for the old name).
KNOWN_PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libz.so.1": "zlib1g",
    "libgcc_s.so.1": "libgcc-s1",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
}

# Every system library the xcb plugin needs, directly or through Qt's own libraries (from
# ``ldd`` on PySide6 6.11's libqxcb.so; libqxcb.so links libQt6XcbQpa.so.6, which has most of
# them). Only the fallback without ldd uses it; Qt's and ICU's bundled libraries and the C
# library (Python itself runs on it) are left out.
XCB_PLUGIN_NEEDS = (
    "libxcb.so.1",
    "libxcb-cursor.so.0",
    "libxcb-icccm.so.4",
    "libxcb-image.so.0",
    "libxcb-keysyms.so.1",
    "libxcb-randr.so.0",
    "libxcb-render.so.0",
    "libxcb-render-util.so.0",
    "libxcb-shape.so.0",
    "libxcb-shm.so.0",
    "libxcb-sync.so.1",
    "libxcb-util.so.1",
    "libxcb-xfixes.so.0",
    "libxcb-xkb.so.1",
    "libxkbcommon.so.0",
    "libxkbcommon-x11.so.0",
    "libX11.so.6",
    "libX11-xcb.so.1",
    "libXau.so.6",
    "libXdmcp.so.6",
    "libEGL.so.1",
    "libGL.so.1",
    "libGLX.so.0",
    "libGLdispatch.so.0",
    "libfontconfig.so.1",
    "libfreetype.so.6",
    "libdbus-1.so.3",
    "libglib-2.0.so.0",
    "libgthread-2.0.so.0",
    "libpng16.so.16",
    "libz.so.1",
    "libzstd.so.1",
    "libexpat.so.1",
    "libbrotlidec.so.1",
    "libbrotlicommon.so.1",
    "libpcre2-8.so.0",
    "libsystemd.so.0",
    "libcap.so.2",
    "libgcrypt.so.20",
    "libgpg-error.so.0",
    "liblzma.so.5",
    "liblz4.so.1",
    "libbsd.so.0",
    "libmd.so.0",
    "libstdc++.so.6",
    "libgcc_s.so.1",
)

# glibc's ldd: "\tlibfoo.so.1 => not found"; musl's: "Error loading shared library
# libfoo.so.1: No such file or directory (needed by ...)".
_NOT_FOUND = re.compile(
    r"^\s*(?P<glibc>\S+)\s+=>\s+not found\s*$"
    r"|^\s*Error loading shared library (?P<musl>[^\s:]+): No such file",
    re.MULTILINE,
)


@dataclass(frozen=True)
class MissingLibrary:
    """A shared library the plugin cannot load, and the Debian/Ubuntu package that has it."""

    soname: str
    package: str


def xcb_plugin() -> Path | None:
    """Qt's xcb platform plugin file, or None when it is not where PySide6 puts it.

    Found without importing any Qt module: in a PyInstaller bundle PySide6 lives under
    ``sys._MEIPASS``; otherwise ``find_spec`` tells where the package is without running it.
    """
    folders: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and isinstance(bundle, str):
        folders.append(Path(bundle) / "PySide6")
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        folders.extend(Path(location) for location in spec.submodule_search_locations)
    for folder in folders:
        plugin = folder / PLUGIN_IN_PYSIDE
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path | None = None) -> list[MissingLibrary]:
    """The libraries the xcb plugin (by default the installed one) cannot load, in ldd's order.

    Empty when nothing is missing, and when the plugin cannot be found (then Qt's own message
    about the plugin is the right one). Without a working ldd, falls back to looking up each
    library the plugin is known to need.
    """
    if plugin is None:
        plugin = xcb_plugin()
    if plugin is None:
        return []
    sonames = _not_found_by_ldd(plugin)
    if sonames is None:
        sonames = _not_found_by_name(XCB_PLUGIN_NEEDS)
    return [MissingLibrary(soname, debian_package(soname)) for soname in sonames]


def install_hint(missing: list[MissingLibrary]) -> str:
    """One line naming every missing library and the command that installs them."""
    packages = list(dict.fromkeys(library.package for library in missing))
    return (
        "ptclock: the window needs system libraries that are missing: "
        f"{', '.join(library.soname for library in missing)} "
        f"(install them with: sudo apt install {' '.join(packages)})"
    )


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library: the table, else Debian's naming rule.

    The rule (Debian policy 8.1): the name and major version run together, lowercase, with a
    hyphen between them when the name ends in a digit: libfoo.so.3 → libfoo3,
    libfoo1.so.2 → libfoo1-2.
    """
    known = KNOWN_PACKAGES.get(soname)
    if known is not None:
        return known
    stem, _, version = soname.partition(".so")
    name = stem.lower().replace("_", "-")
    major = version.lstrip(".").split(".")[0]
    if not major:
        return name
    return f"{name}-{major}" if name[-1:].isdigit() else f"{name}{major}"


def _not_found_by_ldd(plugin: Path) -> list[str] | None:
    """The sonames ldd reports as "not found", or None when ldd cannot answer."""
    ldd = shutil.which("ldd")
    if ldd is None or not sys.platform.startswith("linux"):
        return None
    try:
        done = subprocess.run(
            [ldd, str(plugin)],
            capture_output=True,
            text=True,
            timeout=LDD_TIMEOUT_SECONDS,
            env=_linker_environment(plugin),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired, UnicodeDecodeError):
        return None
    output = done.stdout + done.stderr
    # ldd lists a library once per library that needs it; a path (a dependency recorded
    # with its folder) is named by its file name, which is what a package installs.
    found = [Path(match["glibc"] or match["musl"]).name for match in _NOT_FOUND.finditer(output)]
    if not found and done.returncode != 0:
        return None  # "not a dynamic executable" and the like: no answer, not "all present"
    return list(dict.fromkeys(found))


def _linker_environment(plugin: Path) -> dict[str, str]:
    """The environment for ldd, with the app's own library folders on the search path.

    The plugin finds Qt's libraries through its RUNPATH in the wheel; in a frozen bundle they
    may sit in the bundle's top folder instead, and must not be reported as missing.
    """
    folders = [plugin.parent.parent.parent / "lib"]
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and isinstance(bundle, str):
        folders.append(Path(bundle))
    existing = [str(folder) for folder in folders if folder.is_dir()]
    environment = dict(os.environ)
    if existing:
        inherited = environment.get("LD_LIBRARY_PATH")
        environment["LD_LIBRARY_PATH"] = os.pathsep.join(
            [*existing, inherited] if inherited else existing
        )
    return environment


def _not_found_by_name(sonames: tuple[str, ...]) -> list[str]:
    """Without ldd: the libraries the system's library lookup does not know."""
    import ctypes.util  # only here: it is slow to import and ldd usually answers

    return [soname for soname in sonames if ctypes.util.find_library(_link_name(soname)) is None]


def _link_name(soname: str) -> str:
    """The name ``find_library`` takes: libxcb-icccm.so.4 → xcb-icccm."""
    stem = soname.partition(".so")[0]
    return stem.removeprefix("lib")
