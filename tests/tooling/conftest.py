"""Fixtures for the release-tooling tests: real wheels, the project root, test indexes and servers."""

from __future__ import annotations

import base64
import configparser
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scripts import config
from scripts.publish_rehearsal import LocalIndex, local_index

ROOT = Path(__file__).resolve().parents[2]
RELEASE = config.load_release(ROOT / "pyproject.toml")[0]
assert RELEASE is not None
VERSION = RELEASE.version
WINDOWS_TAG = f"{RELEASE.python_tag}-abi3-win_amd64"
# The kernels alone, built as a plain C library by the Windows and self-test tests (no Python binding).
KERNEL_SOURCES = sorted(p for p in (ROOT / "src" / "native").glob("*.c") if p.name not in ("module.c", "threads.c"))

# the repository that publishes, as pyproject.toml names it
SOURCE = RELEASE.source_url

def assemble_wheel(directory: Path, *, tag: str = WINDOWS_TAG, version: str | None = None,
                   files: dict[str, bytes] | None = None, tamper_record: Callable[[list[list[str]]], None] | None = None,
                   filename: str | None = None, metadata_name: str = "castagnoli", project_url: str = SOURCE) -> Path:
    """Write a real wheel (zip with METADATA, WHEEL and a correct RECORD) to `directory`; its METADATA names
    `project_url` ([project.urls] Source, as a wheel built from pyproject.toml does)."""
    version = version or VERSION
    dist_info = f"castagnoli-{version}.dist-info"
    library = "castagnoli/_crc32c.pyd" if "win" in tag else "castagnoli/_crc32c.abi3.so"
    contents = dict(files if files is not None else {"castagnoli/__init__.py": b"# castagnoli\n",
                                                      library: b"MZ\x90\x00 not really a DLL"})
    python, abi, platforms = tag.split("-")
    contents[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.4\nName: {metadata_name}\nVersion: {version}\n"
                                         f"Summary: test wheel\nProject-URL: Source, {project_url}\n"
                                         "Description-Content-Type: text/markdown\n\nlong description\n").encode()
    contents[f"{dist_info}/WHEEL"] = "".join(["Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\n",
                                              *(f"Tag: {python}-{abi}-{p}\n" for p in platforms.split("."))]).encode()
    rows = [[path, "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(),
             str(len(data))] for path, data in contents.items()]
    rows.append([f"{dist_info}/RECORD", "", ""])
    if tamper_record is not None:
        tamper_record(rows)
    contents[f"{dist_info}/RECORD"] = "".join(",".join(row) + "\n" for row in rows).encode()
    path = directory / (filename or f"castagnoli-{version}-{tag}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in contents.items():
            zf.writestr(member, data)
    return path


def snapshot(directory: Path) -> dict[str, tuple[int, str]]:
    """Every entry below `directory` with its mtime and content hash, to prove nothing changed."""
    return {str(path.relative_to(directory)): (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()
                                               if path.is_file() else "") for path in sorted(directory.rglob("*"))}


def require_tool(command: str, package: str) -> str:
    """The path of `command`; without it the test is skipped, or fails when CI is set (.ci/run installs it)."""
    path = shutil.which(command)
    if path is None:
        reason = f"{command} is not installed (Debian package {package}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: CI must run every test")
        pytest.skip(reason)
    return path


def run_all(commands: list[list[str]]) -> None:
    """Run the commands (compiler calls) at once, as many as there are cores; each must succeed."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for done in pool.map(lambda command: subprocess.run(command, capture_output=True, text=True), commands):
            assert done.returncode == 0, (done.args, done.stderr)


def clone_project(dest: Path) -> Path:
    """A fresh clone of this checkout's HEAD at `dest`, as a new machine gets it."""
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    return dest


def build_host_wheel(out: Path, root: Path = ROOT) -> Path:
    """`make wheel`'s own script, into `out`: python -m build + auditwheel repair."""
    subprocess.run([sys.executable, "-m", "scripts", "wheels", "--host", "--output-dir", str(out)],
                   cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (wheel,) = out.glob("*.whl")
    return wheel


def mingw_cmake_build(where: Path) -> Path:
    """The kernels as a 64-bit Windows DLL, cross-compiled by MinGW through CMakeLists.txt with -Werror, from a
    copy of this checkout's CMakeLists.txt and sources at `where`."""
    import cmake

    mingw = require_tool("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
    cmake_bin = str(Path(cmake.CMAKE_BIN_DIR) / "cmake")
    source, out = where / "src", where / "build"
    # what CMake reads, and nothing that other tests may be writing meanwhile (pytest-xdist)
    shutil.copytree(ROOT / "src" / "native", source / "src" / "native")
    shutil.copy2(ROOT / "CMakeLists.txt", source)
    subprocess.run([cmake_bin, "-S", str(source), "-B", str(out), "-DCMAKE_SYSTEM_NAME=Windows",
                    f"-DCMAKE_C_COMPILER={mingw}", "-DCASTAGNOLI_PYTHON=OFF", f"-DCASTAGNOLI_VERSION={VERSION}",
                    "-DCMAKE_C_FLAGS=-Werror"], check=True, capture_output=True)
    subprocess.run([cmake_bin, "--build", str(out), "--parallel", str(os.cpu_count() or 1)], check=True,
                   capture_output=True)
    return out / "out" / "libcastagnoli.dll"


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    """What `build(directory)` makes, made once per test run: pytest-xdist's workers share the run's temporary
    root, and the first to take the lock builds while the others wait for it."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    where, made = shared / name, shared / f"{name}.made"
    with FileLock(shared / f"{name}.lock"):
        if not made.exists():
            shutil.rmtree(where, ignore_errors=True)  # a build that failed in another worker
            where.mkdir()
            made.write_text(str(build(where)))
    return Path(made.read_text())


@pytest.fixture(scope="session")
def windows_dll(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kernels' Windows DLL (MinGW, -Werror), built once per test run."""
    return built_once(tmp_path_factory, "windows-dll", mingw_cmake_build)


@pytest.fixture(scope="session")
def host_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real wheel for this machine, built once per test run (in this checkout's build/: one at a time)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the host-wheel tests build a manylinux wheel")
    return built_once(tmp_path_factory, "host-wheel", build_host_wheel)


# Real PEP 740 provenance, as PyPI published it, beside the file it covers: pypi-attestations' own test assets,
# in its source distribution on PyPI (fetched at test time, pinned by hash; nothing of it is in this repository).
ATTESTED_SDIST = ("https://files.pythonhosted.org/packages/b2/e2/61dacf2a7ae4cc5a3671f528a8e1d0a84b3ed032c1da5ebb32"
                  "97f41d58b3/pypi_attestations-0.0.31.tar.gz",
                  "5a2473aca7d7f65caf2c3a985691c5cf9264a97fa68c98fbae6e96320bcc7c9a")
ATTESTED_FILE = "pypi_attestations-0.0.19.tar.gz"  # published by trailofbits/pypi-attestations' release.yml


def fetch_attested(where: Path) -> Path:
    """The attested file and its .provenance, from the pinned sdist, into `where`."""
    import tarfile
    import urllib.request

    url, sha256 = ATTESTED_SDIST
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            data = answer.read(1 << 22)
    except OSError as exc:
        reason = f"PyPI cannot be reached for pypi-attestations' test assets ({exc})"
        pytest.fail(f"{reason}, and CI is set") if os.environ.get("CI") else pytest.skip(reason)
    assert hashlib.sha256(data).hexdigest() == sha256, "the pinned sdist changed on PyPI"
    with tarfile.open(fileobj=io.BytesIO(data)) as sdist:
        for name in (ATTESTED_FILE, f"{ATTESTED_FILE}.provenance"):
            member = sdist.extractfile(f"pypi_attestations-0.0.31/test/assets/{name}")
            assert member is not None
            (where / name).write_bytes(member.read())
    return where / ATTESTED_FILE


@pytest.fixture(scope="session")
def attested_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file PyPI serves with real provenance (pypi-attestations 0.0.19's sdist); its .provenance beside it."""
    return built_once(tmp_path_factory, "attested", fetch_attested)


@pytest.fixture
def release_dir(tmp_path: Path, host_wheel: Path) -> Path:
    """A complete release set: the real Linux wheel and an assembled Windows wheel."""
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy2(host_wheel, dist)
    assemble_wheel(dist)
    return dist


def make_targets() -> set[str]:
    """Every target the Makefile defines."""
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


def tox_config() -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    return config


def tox_envs() -> set[str]:
    """Every named tox env ([testenv:NAME] sections)."""
    return {s.split(":", 1)[1] for s in tox_config().sections() if s.startswith("testenv:")}


@pytest.fixture
def pyproject(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pyproject.toml"
    path.write_text((ROOT / "pyproject.toml").read_text())
    yield path


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    """A real pypiserver on 127.0.0.1 with upload authentication, stopped after the test."""
    with local_index(tmp_path / "index") as running:
        yield running


# --- a local server on 127.0.0.1 that answers what a test tells it to -------------------------

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handle: Handler) -> str:
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                handle(self)

            def log_message(self, *args: object) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that left (timed out) is what these tests make happen: not news on stderr

        server = Server(("127.0.0.1", 0), H)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://user:s3cret@127.0.0.1:{server.server_address[1]}/simple/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def answer(body: bytes, status: int = 200, content_type: str = "application/vnd.pypi.simple.v1+json",
           headers: dict[str, str] | None = None) -> Handler:
    def handle(request: http.server.BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(body)
    return handle


def page(files: list[dict[str, object]], name: str = "castagnoli") -> bytes:
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": files}).encode()
