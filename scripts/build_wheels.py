"""wheels: build castagnoli's wheels reproducibly into DIR (make wheel: --host; make wheels).

  python -m scripts wheels --host [--output-dir DIR]
      The wheel for this machine: `python -m build --wheel --no-isolation` with the locked
      tools of this tox env, then on Linux `auditwheel repair` to the manylinux
      tag cibuildwheel builds for. Older castagnoli wheels in DIR are replaced.
  python -m scripts wheels [--output-dir DIR]
      This OS's release wheel with cibuildwheel, which also tests it on every
      supported CPython. Linux needs a container engine: without one this stops
      at once with one line instead of a long log.

Both set SOURCE_DATE_EPOCH to the commit time of HEAD when it is unset: this is
the one place that decides every timestamp in a wheel, so the same commit gives
the same bytes (cibuildwheel passes it into its containers).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import load_release
from .text import report

ROOT = Path(__file__).resolve().parent.parent


def source_date_epoch() -> str | None:
    """SOURCE_DATE_EPOCH as given, else the committer time of HEAD, else None."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if given:
        return given
    try:
        result = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True,
                                text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None


def container_engine() -> str:
    """The engine cibuildwheel will use: CIBW_CONTAINER_ENGINE, else docker."""
    configured = os.environ.get("CIBW_CONTAINER_ENGINE", "docker")
    return configured.split(";")[0].strip() or "docker"


# A busy runner can take seconds to answer `docker info`; without an engine it fails at once.
ENGINE_TIMEOUT = 60


def engine_problem(engine: str) -> str | None:
    """Why `engine` cannot run containers here, or None when it can."""
    if shutil.which(engine) is None:
        return f"'{engine}' is not installed"
    try:
        result = subprocess.run([engine, "info"], capture_output=True, timeout=ENGINE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"'{engine} info' did not answer within {ENGINE_TIMEOUT} s"
    if result.returncode != 0:
        return f"'{engine} info' failed, so no {engine} engine is running"
    return None


def manylinux_tag() -> str:
    """The Linux platform tag of the release, as the release check expects it."""
    release, problems = load_release(ROOT / "pyproject.toml")
    if release is None:
        raise SystemExit(report(problems))
    return release.platform("linux").tag


def missing_tool(host: bool) -> str | None:
    """A locked tool (requirements/release.txt) this Python lacks for a host or cibuildwheel build."""
    needed = ["build", "setuptools", "cmake"] + (["auditwheel"] if sys.platform.startswith("linux") else []) \
        if host else ["cibuildwheel"]
    return next((name for name in needed if importlib.util.find_spec(name) is None), None)


def build_host(output_dir: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        built, repaired = Path(scratch, "built"), Path(scratch, "repaired")
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(built),
                        str(ROOT)], check=True)
        if sys.platform.startswith("linux"):
            subprocess.run([sys.executable, "-m", "auditwheel", "repair", "--plat", manylinux_tag(), "--only-plat",
                            "--wheel-dir", str(repaired), *map(str, built.glob("*.whl"))], check=True)
        else:
            built.rename(repaired)
        output_dir.mkdir(parents=True, exist_ok=True)
        for old in sorted(output_dir.glob("castagnoli-*.whl")):
            print(f"replacing {old}")
            old.unlink()
        for wheel in repaired.glob("*.whl"):
            shutil.move(wheel, output_dir / wheel.name)
            print(f"host wheel: {output_dir / wheel.name}")
    return 0


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", action="store_true", help="build only the wheel for this machine")
    parser.add_argument("--output-dir", type=Path, default=Path("dist"), help="where the wheels go (default: dist)")


def run(args: argparse.Namespace) -> int:
    missing = missing_tool(args.host)
    if missing is not None:
        raise ModuleNotFoundError(name=missing)
    epoch = source_date_epoch()
    if epoch is None:
        print("warning: no SOURCE_DATE_EPOCH and no git commit: timestamps are the build time", file=sys.stderr)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        if args.host:
            return build_host(args.output_dir)
    except subprocess.CalledProcessError as exc:
        return report([f"{Path(str(exc.cmd[0])).name} failed (exit {exc.returncode}): expected a wheel; see its "
                       "output above"])
    if sys.platform.startswith("linux"):
        problem = engine_problem(container_engine())
        if problem is not None:
            return report([f"cibuildwheel needs a container engine to build Linux wheels, but {problem}; start one, "
                           "or run 'make wheel' to build and repair a wheel for this machine only"])
    return subprocess.call([sys.executable, "-m", "cibuildwheel", "--output-dir", str(args.output_dir), str(ROOT)])
