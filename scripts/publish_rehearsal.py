"""Rehearse the publish path against a real local index (`make publish-rehearsal`).

Runs the release check on the wheels, starts pypiserver on 127.0.0.1 (free port,
htpasswd upload auth), runs the conflict check against it, uploads every wheel
with `twine upload`, runs the published check (the index serves exactly the
verified bytes), installs castagnoli==<version> from that index into a fresh
virtual environment, smoke-tests it, and stops the server. It asserts only what
PyPI does too (nothing about refusing identical re-uploads, which PyPI accepts).
Each step is printed with its time. It leaves nothing running and DIST unchanged,
also when interrupted (SIGINT, SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import load_release
from .dist import wheel_scope

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class RehearsalError(Exception):
    """A step failed: the message says which and why."""


@dataclass(frozen=True)
class LocalIndex:
    url: str  # root, for twine upload
    simple_url: str  # simple API, for pip and the conflict and published checks
    user: str
    password: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def local_index(workdir: Path, attempts: int = 3) -> Iterator[LocalIndex]:
    """A pypiserver on 127.0.0.1 with upload authentication; stopped on exit."""
    from passlib.apache import HtpasswdFile

    packages = workdir / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    user, password = "rehearsal", secrets.token_urlsafe(16)
    htpasswd = HtpasswdFile(str(workdir / "htpasswd"), new=True)
    htpasswd.set_password(user, password)
    htpasswd.save()
    log = (workdir / "pypiserver.log").open("wb")
    server: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(attempts):  # a free port can be taken between the probe and the bind
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "pypiserver", "run", "--interface", "127.0.0.1", "--port", str(port),
                 "--authenticate", "update", "--passwords", str(workdir / "htpasswd"),
                 "--disable-fallback", "--hash-algo", "sha256", str(packages)],
                stdout=log, stderr=subprocess.STDOUT)
            if _wait_until_up(f"http://127.0.0.1:{port}/health", server, time.monotonic() + 20):
                break
            server.terminate()
            server.wait(10)
            server = None
        if server is None:
            raise RehearsalError(f"pypiserver did not start on 127.0.0.1; see {workdir / 'pypiserver.log'}")
        yield LocalIndex(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/simple/", user, password)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def twine_upload(index: LocalIndex, files: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
         "--repository-url", index.url, *map(str, files)],
        env={**os.environ, "TWINE_USERNAME": index.user, "TWINE_PASSWORD": index.password},
        capture_output=True, text=True)


def snapshot(directory: Path) -> dict[str, tuple[int, str]]:
    """Every entry below `directory` with its mtime and content hash, to prove nothing changed."""
    result: dict[str, tuple[int, str]] = {}
    if not directory.exists():
        return result
    for path in sorted(directory.rglob("*")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        result[str(path.relative_to(directory))] = (path.stat().st_mtime_ns, digest)
    return result


class Steps:
    """Runs and times the rehearsal's steps, printing one line each."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        detail: list[str] = []
        begun = time.monotonic()
        yield detail
        took = time.monotonic() - begun
        print(f"[{time.monotonic() - self.start:6.2f}s] ok ({took:5.2f}s) {name}"
              + (f": {'; '.join(detail)}" if detail else ""), flush=True)


def run_step(command: Sequence[str | os.PathLike[str]], what: str, **kwargs: object) -> str:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise RehearsalError(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}".rstrip())
    return str(result.stdout)


def rehearse(dist: Path, full_set: bool, workdir: Path) -> None:
    release, problems = load_release(ROOT / "pyproject.toml")
    if release is None:
        raise RehearsalError(problems[0])
    version = release.version
    wheels = sorted(dist.glob("*.whl"))
    before = snapshot(dist)
    steps = Steps()

    with steps.step("release check (scripts/release-check.sh)") as detail:
        env = {k: v for k, v in os.environ.items() if k not in ("DIST", "GITHUB_STEP_SUMMARY")}
        if full_set:
            env["DIST"] = str(dist)
        env["TAG"] = f"v{version}"
        out = run_step([HERE / "release-check.sh"], "scripts/release-check.sh", env=env, cwd=ROOT)
        detail.append(out.strip().splitlines()[-1])

    with contextlib.ExitStack() as running:
        with steps.step("start pypiserver on 127.0.0.1 with htpasswd upload auth") as detail:
            index = running.enter_context(local_index(workdir))
            detail.append(index.url)
        with steps.step("conflict check (python -m scripts conflict-check)") as detail:
            out = run_step([sys.executable, "-m", "scripts", "conflict-check", dist,
                            "--platforms", "linux,windows" if full_set else "host", "--index-url", index.simple_url], "the conflict check", cwd=ROOT)
            detail.append(out.strip().splitlines()[-1])
        with steps.step("twine upload (every verified wheel)") as detail:
            uploaded = twine_upload(index, wheels)
            if uploaded.returncode != 0:
                raise RehearsalError(f"twine upload failed:\n{uploaded.stdout}{uploaded.stderr}")
            detail.append(f"{len(wheels)} file(s)")
        with steps.step("published check (python -m scripts published-check)") as detail:
            out = run_step([sys.executable, "-m", "scripts", "published-check", dist,
                            "--platforms", "linux,windows" if full_set else "host", "--index-url", index.simple_url,
                            "--wait", "30"], "the published check", cwd=ROOT)
            detail.append(f"{out.count('listed and served with sha256')} file(s) listed and served byte for byte "
                          "(pypiserver makes no provenance)")
        with steps.step(f"pip install castagnoli=={version} into a fresh venv") as detail:
            venv.create(workdir / "venv", with_pip=True)
            python = workdir / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
            run_step([python, "-m", "pip", "install", "--isolated", "--no-cache-dir", "--only-binary", ":all:",
                      "--index-url", index.simple_url, f"castagnoli=={version}"], "pip install")
            detail.append(f"from {index.simple_url}")
        with steps.step("smoke test in that venv") as detail:
            smoke = ("import castagnoli, sys; "
                     "assert castagnoli.crc32c(b'123456789') == 0xE3069283; "
                     "assert castagnoli.native_version() == sys.argv[1], castagnoli.native_version(); "
                     "print(castagnoli.__file__)")
            out = run_step([python, "-c", smoke, version], "the smoke test", cwd=workdir)
            if not out.strip().startswith(str(workdir / "venv")):
                raise RehearsalError(f"castagnoli was imported from {out.strip()}, not from the fresh venv")
            detail.append(f"crc32c(b'123456789') == 0xE3069283, native_version() == {version}")
    with steps.step("pypiserver stopped; dist unchanged") as detail:
        if subprocess.run(["pgrep", "-f", str(workdir / "packages")], capture_output=True).returncode == 0:
            raise RehearsalError("pypiserver is still running after the rehearsal")
        if snapshot(dist) != before:
            raise RehearsalError(f"{dist} changed during the rehearsal")
        detail.append(f"{len(before)} file(s) in {dist} as before")


@contextlib.contextmanager
def temporary_env(name: str, value: str) -> Iterator[None]:
    """os.environ[name] = value inside the block, as before after it."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds the with-blocks: server stopped, temp dir removed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts publish-rehearsal", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dist", type=Path, default=None,
                        help="the full release set to rehearse with (default: $DIST; unset: the host wheel in dist/)")
    args = parser.parse_args(argv)
    dist, platforms = wheel_scope(args.dist, None, os.environ)
    full_set = platforms != "host"
    if not dist.is_dir() or not any(dist.glob("*.whl")):
        fix = "pass DIST=DIR holding the release wheels" if full_set else "run 'make wheel' first"
        print(f"error: no wheels in {dist}: expected the wheels to rehearse with; {fix}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop)
    try:
        with tempfile.TemporaryDirectory(prefix="castagnoli-rehearsal-") as workdir:
            # every temporary file of the steps' processes (ensurepip's too) lands inside workdir
            (Path(workdir) / "tmp").mkdir()
            with temporary_env("TMPDIR", str(Path(workdir) / "tmp")):
                rehearse(dist.resolve(), full_set, Path(workdir))
    except RehearsalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted: the rehearsal stopped its server and removed its files", file=sys.stderr)
        return 130
    print("rehearsal passed: the release checks, uploads, installs and runs from the local index")
    return 0

