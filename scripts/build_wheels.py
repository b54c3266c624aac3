"""wheels: build castagnoli's wheels reproducibly into DIR (make wheel: --host; make wheels).

  python -m scripts wheels --host [--output-dir DIR]
      The wheel for this machine: python -m build --wheel --no-isolation with this env's locked tools, then on
      Linux auditwheel repair to the manylinux tag cibuildwheel builds for. Older castagnoli wheels in DIR go.
  python -m scripts wheels [--output-dir DIR]
      This OS's release wheel with cibuildwheel, which tests it on every supported CPython. Linux needs a
      container engine: without one this stops at once, in one line.
  Both set SOURCE_DATE_EPOCH to the commit time of HEAD when it is unset: the one place that decides every
  timestamp in a wheel, so the same commit gives the same bytes (cibuildwheel passes it into its containers).
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
LINUX = sys.platform.startswith("linux")
ENGINE_TIMEOUT = 60  # a busy runner can take seconds to answer `docker info`; without an engine it fails at once


def engine_problem() -> str | None:
    """Why the engine cibuildwheel will use (CIBW_CONTAINER_ENGINE, else docker) cannot run containers here."""
    engine = os.environ.get("CIBW_CONTAINER_ENGINE", "docker").split(";")[0].strip() or "docker"
    try:
        answered = subprocess.run([engine, "info"], capture_output=True, timeout=ENGINE_TIMEOUT).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"'{engine} info' cannot run ({exc.__class__.__name__})"
    return None if answered else f"'{engine} info' failed, so no {engine} engine is running"


def build_host(output_dir: Path) -> int:
    release, problems = load_release(ROOT / "pyproject.toml")
    if release is None:
        return report(problems)
    with tempfile.TemporaryDirectory() as scratch:
        built, repaired = Path(scratch, "built"), Path(scratch, "repaired")
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(built),
                        str(ROOT)], check=True)
        if LINUX:
            subprocess.run([sys.executable, "-m", "auditwheel", "repair", "--plat", release.platform("linux").tag,
                            "--only-plat", "--wheel-dir", str(repaired), *map(str, built.glob("*.whl"))], check=True)
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
    needed = (["build", "setuptools", "cmake"] + (["auditwheel"] if LINUX else [])) if args.host else ["cibuildwheel"]
    for name in needed:  # the locked tools (requirements/release.txt) of make wheel and make wheels
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(name=name)
    if not os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            head = subprocess.check_output(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], text=True).strip()
            os.environ["SOURCE_DATE_EPOCH"] = str(int(head))
        except (OSError, ValueError, subprocess.CalledProcessError):
            print("warning: no SOURCE_DATE_EPOCH and no git commit: timestamps are the build time", file=sys.stderr)
    try:
        if args.host:
            return build_host(args.output_dir)
    except subprocess.CalledProcessError as exc:
        return report([f"{Path(str(exc.cmd[0])).name} failed (exit {exc.returncode}): expected a wheel; see its "
                       "output above"])
    problem = engine_problem() if LINUX else None
    if problem is not None:
        return report([f"cibuildwheel needs a container engine to build Linux wheels, but {problem}; start one, "
                       "or run 'make wheel' to build and repair a wheel for this machine only"])
    return subprocess.call([sys.executable, "-m", "cibuildwheel", "--output-dir", str(args.output_dir), str(ROOT)])
