"""Build ptclock's installers: freeze, smoke-test the frozen app, then package it.

    python installer/build.py            # freeze + smoke test + this OS's packages
    python installer/build.py --check    # also install the .deb into a throw-away root
                                         # and run the installed app (Linux; used by CI)

Linux: build/ptclock-VERSION-linux-ARCH.tar.gz and build/ptclock_VERSION_ARCH.deb.
Windows: build/ptclock-VERSION-setup.exe when Inno Setup's iscc is on PATH.
macOS: build/ptclock-VERSION.dmg from the .app bundle (hdiutil).
Nothing is packaged unless the frozen app passes ``--version`` and ``--smoke-test``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
DIST = BUILD / "dist"
SIZE_BUDGET_MB = 150
APP_ID = "org.ptclock.ptclock"
# Qt's xcb platform plugin needs these at run time; they are not linked by the libraries
# ldd sees on a build machine without a display, so they are always listed.
XCB_RUNTIME = [
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-randr0", "libxcb-xfixes0", "libxcb-xkb1", "libxkbcommon-x11-0",
    "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libglib2.0-0", "libdbus-1-3",
    "libcups2",
]  # fmt: skip


class BuildFailed(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"build: {message}", flush=True)


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    say(" ".join(command))
    done: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
        command, check=True, text=True, **kwargs
    )
    return done


def version() -> str:
    namespace: dict[str, str] = {}
    exec((ROOT / "ptclock" / "__init__.py").read_text(), namespace)
    return namespace["__version__"]


def make_icons() -> None:
    """Render the SVG icon to the .ico (Windows) and .icns (macOS) the spec uses."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QIcon

    app = QGuiApplication.instance() or QGuiApplication([])
    icon = QIcon(str(ROOT / "ptclock" / "resources" / "icons" / "ptclock.svg"))
    folder = BUILD / "icons"
    folder.mkdir(parents=True, exist_ok=True)
    image = icon.pixmap(256, 256).toImage()
    for name in ("ptclock.ico", "ptclock.icns", "ptclock-256.png"):
        if not image.save(str(folder / name)):  # the format follows the file's suffix
            raise BuildFailed(f"could not write the icon {name}")
    del app


def freeze() -> Path:
    shutil.rmtree(DIST, ignore_errors=True)
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(BUILD / "work"),
            str(ROOT / "installer" / "ptclock.spec"),
        ]
    )
    folder = DIST / "ptclock"
    if not folder.is_dir():
        raise BuildFailed("PyInstaller produced no ptclock folder")
    return folder


def executable(folder: Path) -> Path:
    return folder / ("ptclock.exe" if sys.platform == "win32" else "ptclock")


def smoke_test(program: Path, label: str) -> None:
    """--version must print this version; --smoke-test must open the window offscreen."""
    expected = f"ptclock {version()}"
    done = subprocess.run([str(program), "--version"], capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or done.stdout.strip() != expected:
        raise BuildFailed(
            f"{label}: --version gave {done.stdout.strip()!r} "
            f"(exit {done.returncode}): {done.stderr.strip()}"
        )
    with tempfile.TemporaryDirectory() as data:
        environment = dict(
            os.environ, QT_QPA_PLATFORM="offscreen", PTCLOCK_DATA_DIR=data, PTCLOCK_CONFIG_DIR=data
        )
        done = subprocess.run(
            [str(program), "--smoke-test"],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )
    if done.returncode != 0 or "smoke test: ok" not in done.stdout:
        raise BuildFailed(
            f"{label}: --smoke-test failed (exit {done.returncode}): "
            f"{done.stdout.strip()} {done.stderr.strip()}"
        )
    say(f"{label}: {expected}, {done.stdout.strip()}")
    encrypted_smoke_test(program, label)
    clinic_smoke_test(program, label)


def clinic_smoke_test(program: Path, label: str) -> None:
    """Clinic mode's PostgreSQL client (psycopg with the libpq it carries) loads in the
    bundle: joining a clinic database that is not there must say so in one sentence."""
    with tempfile.TemporaryDirectory() as data:
        environment = dict(os.environ, PTCLOCK_DATA_DIR=data, PTCLOCK_CONFIG_DIR=data)
        done = subprocess.run(
            [str(program), "clinic", "join", "postgresql://ptclock@127.0.0.1:9/clinic"],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )
    if done.returncode != 1 or "cannot be reached" not in done.stderr:
        raise BuildFailed(
            f"{label}: clinic mode's database client did not load (exit {done.returncode}): "
            f"{done.stderr.strip()[-500:]}"
        )
    say(f"{label}: clinic mode's database client loads ({done.stderr.strip()[:60]}…)")


SECRET_SERVICE = ROOT / "installer" / "linux" / "with-secret-service"


def encrypted_smoke_test(program: Path, label: str) -> None:
    """On Linux, the app again with a real Secret Service (GNOME Keyring on its own D-Bus
    session): it must make its key, keep it there and open an encrypted store, with the
    keyring backends and SQLCipher it bundles. Required in CI (``.ci/run`` installs
    gnome-keyring and dbus); elsewhere skipped, with a line, when they are missing."""
    if not sys.platform.startswith("linux"):
        return
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI") == "true":
            raise BuildFailed(f"{label}: no Secret Service to test with ({', '.join(missing)})")
        say(f"{label}: encrypted smoke test skipped ({', '.join(missing)} missing)")
        return
    with tempfile.TemporaryDirectory() as data:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS")
        }
        environment.update(
            QT_QPA_PLATFORM="offscreen", PTCLOCK_DATA_DIR=data, PTCLOCK_CONFIG_DIR=data
        )
        done = subprocess.run(
            ["dbus-run-session", "--", str(SECRET_SERVICE), str(program), "--smoke-test"],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
        )
        header = (Path(data) / "ptclock.sqlite3").read_bytes()[:16]
    if done.returncode != 0 or "patient data encrypted" not in done.stdout:
        raise BuildFailed(
            f"{label}: --smoke-test with a Secret Service did not open an encrypted store "
            f"(exit {done.returncode}): {done.stdout.strip()} {done.stderr.strip()[-800:]}"
        )
    if header.startswith(b"SQLite format 3"):
        raise BuildFailed(f"{label}: the store it made is a plain SQLite file")
    say(f"{label}: with a Secret Service, {done.stdout.strip()}")


def folder_size_mb(folder: Path) -> float:
    return (
        sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
        / 2**20
    )


def check_size(folder: Path) -> None:
    size = folder_size_mb(folder)
    say(f"unpacked size of {folder.name}/: {size:.1f} MB (budget {SIZE_BUDGET_MB} MB)")
    if sys.platform.startswith("linux") and size > SIZE_BUDGET_MB:
        raise BuildFailed(f"the bundle is {size:.1f} MB, over the {SIZE_BUDGET_MB} MB budget")


def debian_arch() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def system_packages(folder: Path) -> list[str]:
    """Debian packages of the system libraries the bundle's binaries load (ldd + dpkg -S)."""
    libraries: set[str] = set()
    for binary in folder.rglob("*.so*"):
        done = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
        for line in done.stdout.splitlines():
            parts = line.split("=>")
            if len(parts) == 2 and parts[1].strip().startswith("/") and str(folder) not in parts[1]:
                libraries.add(parts[1].split()[0])
    packages = set(XCB_RUNTIME)
    for library in sorted(libraries):
        # With merged /usr, ldd's /lib/... and dpkg's /usr/lib/... name the same file.
        real = os.path.realpath(library)
        for candidate in dict.fromkeys(
            (
                library,
                real,
                "/usr" + library,
                "/usr" + real,
                library.removeprefix("/usr"),
                real.removeprefix("/usr"),
            )
        ):
            done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if done.returncode == 0:
                packages.add(done.stdout.split(":")[0])
                break
    packages.discard("libc6")
    return ["libc6 (>= 2.31)", *sorted(packages)]


def make_tarball(folder: Path) -> Path:
    target = BUILD / f"ptclock-{version()}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname="ptclock")
    say(f"wrote {target.name} ({target.stat().st_size / 2**20:.1f} MB)")
    return target


def make_deb(folder: Path) -> Path:
    """/opt/ptclock, a ptclock launcher on PATH, the .desktop entry, icon and metainfo."""
    arch = debian_arch()
    staging = BUILD / "deb"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(folder, staging / "opt" / "ptclock", symlinks=True)
    (staging / "usr" / "bin").mkdir(parents=True)
    (staging / "usr" / "bin" / "ptclock").symlink_to("/opt/ptclock/ptclock")
    share = staging / "usr" / "share"
    for source, target in (
        (
            ROOT / "installer/linux" / f"{APP_ID}.desktop",
            share / "applications" / f"{APP_ID}.desktop",
        ),
        (
            ROOT / "installer/linux" / f"{APP_ID}.metainfo.xml",
            share / "metainfo" / f"{APP_ID}.metainfo.xml",
        ),
        (
            ROOT / "ptclock/resources/icons/ptclock.svg",
            share / "icons/hicolor/scalable/apps/ptclock.svg",
        ),
        (BUILD / "icons/ptclock-256.png", share / "icons/hicolor/256x256/apps/ptclock.png"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    control = (ROOT / "installer/linux/control.in").read_text()
    control = (
        control.replace("@VERSION@", version())
        .replace("@ARCH@", arch)
        .replace("@SIZE_KB@", str(int(folder_size_mb(staging) * 1024)))
        .replace("@DEPENDS@", ", ".join(system_packages(folder)))
    )
    (staging / "DEBIAN").mkdir()
    (staging / "DEBIAN" / "control").write_text(control)
    for path in staging.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    target = BUILD / f"ptclock_{version()}_{arch}.deb"
    run(
        ["dpkg-deb", "--root-owner-group", "--build", str(staging), str(target)],
        capture_output=True,
    )
    say(f"wrote {target.name} ({target.stat().st_size / 2**20:.1f} MB)")
    return target


def check_deb(package: Path) -> None:
    """Install the .deb into a throw-away root and run what it installed."""
    with tempfile.TemporaryDirectory() as root:
        run(["dpkg-deb", "-x", str(package), root])
        installed = Path(root) / "opt" / "ptclock" / "ptclock"
        launcher = Path(root) / "usr" / "bin" / "ptclock"
        if str(launcher.readlink()) != "/opt/ptclock/ptclock":
            raise BuildFailed(f"the launcher points to {launcher.readlink()}")
        for name in (
            f"usr/share/applications/{APP_ID}.desktop",
            f"usr/share/metainfo/{APP_ID}.metainfo.xml",
            "usr/share/icons/hicolor/scalable/apps/ptclock.svg",
        ):
            if not (Path(root) / name).is_file():
                raise BuildFailed(f"the package lacks {name}")
        # The launcher's way in: a symlink to the installed program (as /usr/bin/ptclock).
        link = Path(root) / "ptclock-launcher"
        link.symlink_to(installed)
        smoke_test(link, "installed .deb")
        for tool, arguments in (
            ("desktop-file-validate", [f"usr/share/applications/{APP_ID}.desktop"]),
            ("appstreamcli", ["validate", "--no-net", f"usr/share/metainfo/{APP_ID}.metainfo.xml"]),
        ):
            if shutil.which(tool):
                run(
                    [
                        tool,
                        *[str(Path(root) / a) if a.startswith("usr/") else a for a in arguments],
                    ],
                    capture_output=True,
                )
                say(f"{tool}: ok")
    info = subprocess.run(
        ["dpkg-deb", "--field", str(package), "Depends"], capture_output=True, text=True, check=True
    ).stdout.strip()
    say(f"Depends: {info}")


def package(folder: Path, check: bool) -> None:
    if sys.platform.startswith("linux"):
        make_tarball(folder)
        deb = make_deb(folder)
        if check:
            check_deb(deb)
    elif sys.platform == "win32":
        iscc = shutil.which("iscc") or shutil.which("ISCC")
        if iscc is None:
            raise BuildFailed("Inno Setup's iscc is not on PATH")
        run(
            [
                iscc,
                f"/DVersion={version()}",
                f"/DSource={folder}",
                f"/DIcon={BUILD / 'icons' / 'ptclock.ico'}",
                str(ROOT / "installer/windows/ptclock.iss"),
            ]
        )
    elif sys.platform == "darwin":
        run(
            [
                str(ROOT / "installer/macos/make_dmg.sh"),
                str(DIST / "ptclock.app"),
                str(BUILD / f"ptclock-{version()}.dmg"),
            ]
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="install the package into a throw-away root and run it"
    )
    args = parser.parse_args()
    try:
        make_icons()
        folder = freeze()
        smoke_test(executable(folder), "frozen app")
        check_size(folder)
        package(folder, args.check)
    except (BuildFailed, subprocess.CalledProcessError, OSError) as error:
        print(f"build: FAILED: {error}", file=sys.stderr)
        return 1
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
