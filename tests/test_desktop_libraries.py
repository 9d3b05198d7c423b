"""The missing-library hint asks the linker: a library built here, then hidden, is named.

No display and no X11 library is needed: a tiny "plugin" is built with gcc and linked against
a tiny library, which is then deleted, and the real ldd-based detection is pointed at it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptclock import app, desktop_libraries
from ptclock.desktop_libraries import MissingLibrary

needs_gcc = pytest.mark.skipif(
    shutil.which("gcc") is None, reason="gcc is not installed: cannot build a library to hide"
)
needs_linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the ldd-based detection is Linux-only"
)

DEPENDENCY_SOURCE = "int ptclock_hidden(void) { return 7; }\n"
PLUGIN_SOURCE = "int ptclock_hidden(void);\nint plugin_entry(void) { return ptclock_hidden(); }\n"


def build_plugin(folder: Path, soname: str, *, by_path: bool = False) -> tuple[Path, Path]:
    """A shared library ``soname`` and a "plugin" that links it; returns (plugin, library).

    The plugin finds the library next to it through its RUNPATH ($ORIGIN), as Qt's plugin finds
    Qt's libraries. ``by_path`` records the library by its full path instead of its soname, so
    a copy of a real library of the same name installed on this machine cannot stand in for it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dependency.c").write_text(DEPENDENCY_SOURCE)
    (folder / "plugin.c").write_text(PLUGIN_SOURCE)
    library = folder / soname
    soname_flag = [] if by_path else [f"-Wl,-soname,{soname}"]
    gcc(["-shared", "-fPIC", *soname_flag, "-o", str(library), str(folder / "dependency.c")])
    link = [str(library)] if by_path else [f"-L{folder}", f"-l:{soname}"]
    plugin = folder / "libqfake.so"
    gcc(
        [
            "-shared",
            "-fPIC",
            "-Wl,-rpath,$ORIGIN",
            "-o",
            str(plugin),
            str(folder / "plugin.c"),
            *link,
        ]
    )
    return plugin, library


def gcc(arguments: list[str]) -> None:
    subprocess.run(["gcc", *arguments], check=True, capture_output=True, timeout=60)


@needs_gcc
@needs_linux
def test_a_hidden_library_is_named_with_its_debian_package(tmp_path: Path) -> None:
    plugin, library = build_plugin(tmp_path / "plugin", "libptclock-hidden.so.0")
    library.unlink()
    assert desktop_libraries.missing_libraries(plugin) == [
        MissingLibrary("libptclock-hidden.so.0", "libptclock-hidden0")
    ]


@needs_gcc
@needs_linux
def test_a_known_library_is_named_with_the_package_from_the_table(tmp_path: Path) -> None:
    plugin, library = build_plugin(tmp_path / "plugin", "libxcb-render-util.so.0", by_path=True)
    library.unlink()
    assert desktop_libraries.missing_libraries(plugin) == [
        MissingLibrary("libxcb-render-util.so.0", "libxcb-render-util0")
    ]


@needs_gcc
@needs_linux
def test_nothing_missing_is_an_empty_list(tmp_path: Path) -> None:
    plugin, _ = build_plugin(tmp_path / "plugin", "libptclock-hidden.so.0")
    assert desktop_libraries.missing_libraries(plugin) == []


@needs_gcc
@needs_linux
def test_ptclock_says_it_in_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plugin, library = build_plugin(tmp_path / "plugin", "libptclock-hidden.so.0")
    library.unlink()
    monkeypatch.setattr(desktop_libraries, "xcb_plugin", lambda: plugin)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert app.run_window() == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "ptclock: the window needs system libraries that are missing: libptclock-hidden.so.0 "
        "(install them with: sudo apt install libptclock-hidden0)"
    ]


def test_no_plugin_found_reports_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop_libraries, "xcb_plugin", lambda: None)
    assert desktop_libraries.missing_libraries() == []


@needs_linux
def test_the_installed_plugin_is_found_without_importing_qt() -> None:
    code = (
        "import sys; from ptclock import desktop_libraries as d; p = d.xcb_plugin(); "
        "print(p.name if p else None, [m for m in sys.modules if m.startswith('PySide6.')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["libqxcb.so", "[]"]


def test_a_frozen_bundle_is_looked_in_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyInstaller keeps the wheel layout under the bundle folder (build/dist/ptclock/_internal).
    plugin = tmp_path / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    plugin.parent.mkdir(parents=True)
    plugin.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert desktop_libraries.xcb_plugin() == plugin


def test_ldd_output_is_read_once_per_library_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    output = (
        "\tlinux-vdso.so.1 (0x00007f90b4e04000)\n"
        "\tlibQt6XcbQpa.so.6 => /opt/Qt/lib/libQt6XcbQpa.so.6 (0x00007f90b4d36000)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-keysyms.so.1 => not found\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibX11.so.6 => not found\n"
    )
    finished = subprocess.CompletedProcess(["ldd"], 0, stdout=output, stderr="")
    monkeypatch.setattr(desktop_libraries.shutil, "which", lambda name: "/usr/bin/ldd")
    monkeypatch.setattr(desktop_libraries.sys, "platform", "linux")
    monkeypatch.setattr(desktop_libraries.subprocess, "run", lambda *a, **k: finished)
    assert desktop_libraries.missing_libraries(Path("libqxcb.so")) == [
        MissingLibrary("libxcb-icccm.so.4", "libxcb-icccm4"),
        MissingLibrary("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        MissingLibrary("libX11.so.6", "libx11-6"),
    ]


def test_without_ldd_every_needed_library_is_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes.util

    looked_up: list[str] = []

    def find_library(name: str) -> str | None:
        looked_up.append(name)
        return None if name in ("xcb-render-util", "xkbcommon-x11") else f"lib{name}.so"

    monkeypatch.setattr(desktop_libraries.shutil, "which", lambda name: None)
    monkeypatch.setattr(ctypes.util, "find_library", find_library)
    assert desktop_libraries.missing_libraries(Path("libqxcb.so")) == [
        MissingLibrary("libxcb-render-util.so.0", "libxcb-render-util0"),
        MissingLibrary("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ]
    assert len(looked_up) == len(desktop_libraries.XCB_PLUGIN_NEEDS)


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libfoo.so.3", "libfoo3"),
        ("libfoo1.so.2", "libfoo1-2"),
        ("libFoo_bar.so.1.2.3", "libfoo-bar1"),
        ("libfoo.so", "libfoo"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libEGL.so.1", "libegl1"),
    ],
)
def test_debian_package_names(soname: str, package: str) -> None:
    assert desktop_libraries.debian_package(soname) == package


def test_the_hint_names_each_package_once() -> None:
    missing = [
        MissingLibrary("libglib-2.0.so.0", "libglib2.0-0"),
        MissingLibrary("libgthread-2.0.so.0", "libglib2.0-0"),
        MissingLibrary("libxcb-shape.so.0", "libxcb-shape0"),
    ]
    assert desktop_libraries.install_hint(missing) == (
        "ptclock: the window needs system libraries that are missing: libglib-2.0.so.0, "
        "libgthread-2.0.so.0, libxcb-shape.so.0 "
        "(install them with: sudo apt install libglib2.0-0 libxcb-shape0)"
    )
