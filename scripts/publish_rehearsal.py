"""publish-rehearsal: the publish path against a real local index, from the release check to a smoke test.

  python -m scripts publish-rehearsal [--dist DIR]
      DIR, else $DIST (the full release set), else dist/ (the host wheel only). Each step's line as it
      starts: the release check; pypiserver on 127.0.0.1 (a free port, upload authentication); the conflict
      check against it; twine upload of every wheel; the published check; pip install castagnoli==<version>
      from it into a fresh virtual environment; a smoke test there. It asserts only what PyPI does too (PyPI
      takes an identical re-upload, pypiserver does not: none is made). It leaves nothing running and DIR
      unchanged, also when interrupted (SIGINT, SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cli import wheel_scope
from .config import load_release
from .text import report, shown

ROOT = Path(__file__).resolve().parent.parent
EPILOG = "Exit status: 0 the rehearsal passed; 1 a step failed, one 'error:' line; 2 usage error; 130 interrupted."


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


def _up(url: str, server: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            time.sleep(0.1)
    return False


@contextlib.contextmanager
def local_index(workdir: Path, attempts: int = 3) -> Iterator[LocalIndex]:
    """A pypiserver on 127.0.0.1 with upload authentication; stopped on exit, however the block ends."""
    from passlib.apache import HtpasswdFile

    packages = workdir / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    user, password = "rehearsal", secrets.token_urlsafe(16)
    htpasswd = HtpasswdFile(str(workdir / "htpasswd"), new=True)
    htpasswd.set_password(user, password)
    htpasswd.save()
    with (workdir / "pypiserver.log").open("wb") as log, contextlib.ExitStack() as stop:
        for _ in range(attempts):  # a free port can be taken between the probe and the bind
            port = free_port()
            with interrupts_held():
                server = subprocess.Popen(
                    [sys.executable, "-m", "pypiserver", "run", "--interface", "127.0.0.1", "--port", str(port),
                     "--authenticate", "update", "--passwords", str(workdir / "htpasswd"),
                     "--disable-fallback", "--hash-algo", "sha256", str(packages)],
                    stdout=log, stderr=subprocess.STDOUT, preexec_fn=release_interrupts if POSIX else None)
                stop.callback(_stop, server)
            if _up(f"http://127.0.0.1:{port}/health", server, time.monotonic() + 20):
                yield LocalIndex(f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/simple/", user, password)
                return
            _stop(server)
        raise RehearsalError(f"pypiserver did not start on 127.0.0.1; see {workdir / 'pypiserver.log'}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def twine_upload(index: LocalIndex, files: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
         "--repository-url", index.url, *map(str, files)],
        env={**os.environ, "TWINE_USERNAME": index.user, "TWINE_PASSWORD": index.password},
        capture_output=True, text=True)


POSIX = hasattr(signal, "pthread_sigmask")
INTERRUPTS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends (POSIX), so a process started in it is known, and stopped,
    whenever they come."""
    if POSIX:
        signal.pthread_sigmask(signal.SIG_BLOCK, INTERRUPTS)
    try:
        yield
    finally:
        if POSIX:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)


def release_interrupts() -> None:
    """In a child started while they are held: its own interrupts as usual."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, INTERRUPTS)


def stop_group(process: subprocess.Popen[str]) -> None:
    """Stop a step still running with every process it started (python -m venv's ensurepip too)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL) if POSIX else process.kill()


def step(command: Sequence[str | os.PathLike[str]], what: str, env: dict[str, str], cwd: Path = ROOT) -> str:
    """Run one step's command, a process group of its own; its output is shown only when it fails."""
    with contextlib.ExitStack() as stack:
        with interrupts_held():
            process = stack.enter_context(subprocess.Popen(
                [str(c) for c in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                cwd=cwd, start_new_session=POSIX, preexec_fn=release_interrupts if POSIX else None))
            stack.callback(stop_group, process)
        out, err = process.communicate()
    if process.returncode != 0:
        raise RehearsalError(f"{what} failed (exit {process.returncode}):\n{out}{err}".rstrip())
    return out


def rehearse(dist: Path, full: bool, workdir: Path) -> None:
    release, problems = load_release(ROOT / "pyproject.toml")
    if release is None:
        raise RehearsalError(problems[0])
    started = time.monotonic()

    def say(what: str) -> None:
        print(f"[{time.monotonic() - started:6.2f}s] {what}", flush=True)

    env = {k: v for k, v in os.environ.items() if k not in ("DIST", "GITHUB_STEP_SUMMARY")}
    env["TMPDIR"] = str(workdir / "tmp")  # every temporary file of the steps (ensurepip's too) lands in workdir
    scope = [str(dist)] if full else []  # the host wheel: the checks read dist/ of the project
    say("release check (scripts/release-check.sh)")
    step([ROOT / "scripts" / "release-check.sh"], "the release check",
         {**env, "TAG": f"v{release.version}", **({"DIST": str(dist)} if full else {})})
    say("start pypiserver on 127.0.0.1 with htpasswd upload auth")
    with local_index(workdir) as index:
        say(f"conflict check against {index.simple_url}")
        step([sys.executable, "-m", "scripts", "conflict-check", *scope, "--index-url", index.simple_url],
             "the conflict check", env)
        say("twine upload (every verified wheel)")
        uploaded = twine_upload(index, sorted(dist.glob("*.whl")))
        if uploaded.returncode != 0:
            raise RehearsalError(f"twine upload failed:\n{uploaded.stdout}{uploaded.stderr}")
        say("published check (pypiserver makes no provenance)")
        step([sys.executable, "-m", "scripts", "published-check", *scope, "--index-url", index.simple_url,
              "--wait", "30"], "the published check", env)
        say(f"pip install castagnoli=={release.version} into a fresh venv")
        venv = workdir / "venv"
        step([sys.executable, "-m", "venv", venv], "making the venv", env)
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        step([python, "-m", "pip", "install", "--isolated", "--no-cache-dir", "--only-binary", ":all:",
              "--index-url", index.simple_url, f"castagnoli=={release.version}"], "pip install", env)
        say("smoke test in that venv")
        smoke = ("import castagnoli, sys; assert castagnoli.crc32c(b'123456789') == 0xE3069283; "
                 "assert castagnoli.native_version() == sys.argv[1], castagnoli.native_version(); "
                 "print(castagnoli.__file__)")
        out = step([python, "-c", smoke, release.version], "the smoke test", env, cwd=workdir)
        if not out.strip().startswith(str(venv)):
            raise RehearsalError(f"castagnoli was imported from {out.strip()}, not from the fresh venv")


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dist", type=Path, default=None,
                        help="the full release set to rehearse with (default: $DIST; unset: the host wheel in dist/)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # unwinds the with-blocks: server stopped, temp dir removed


def run(args: argparse.Namespace) -> int:
    dist, full = wheel_scope(args.dist, os.environ)
    dist = dist if full else ROOT / dist
    if not dist.is_dir() or not any(dist.glob("*.whl")):
        fix = "pass DIST=DIR holding the release wheels" if full else "run 'make wheel' first"
        return report([f"no wheels in {shown(str(dist))}: expected the wheels to rehearse with; {fix}"])
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="castagnoli-rehearsal-") as workdir:
            (Path(workdir) / "tmp").mkdir()
            rehearse(dist.resolve(), full, Path(workdir))
    except RehearsalError as exc:
        return report([str(exc)])
    except KeyboardInterrupt:
        report(["interrupted: the rehearsal stopped its server and removed its files"])
        return 130
    print("rehearsal passed: the release checks, uploads, installs and runs from the local index; pypiserver "
          f"stopped, {shown(str(dist))} as it was")
    return 0
