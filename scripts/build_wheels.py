"""Build this OS's release wheel with cibuildwheel (`make wheels` / `tox -e wheels`).

cibuildwheel builds Linux wheels inside a container. Without a working
container engine it fails only after a long log; this stops in well under a
second instead, with one line that says what to do.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence


def container_engine() -> str:
    """The engine cibuildwheel will use: CIBW_CONTAINER_ENGINE, else docker."""
    configured = os.environ.get("CIBW_CONTAINER_ENGINE", "docker")
    return configured.split(";")[0].strip() or "docker"


def engine_problem(engine: str) -> str | None:
    """Why `engine` cannot run containers here, or None when it can."""
    if shutil.which(engine) is None:
        return f"'{engine}' is not installed"
    try:
        result = subprocess.run([engine, "info"], capture_output=True, timeout=2)
    except subprocess.TimeoutExpired:
        return f"'{engine} info' did not answer within 2 s"
    if result.returncode != 0:
        return f"'{engine} info' failed, so no {engine} engine is running"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default="dist", help="where the wheels go (default: dist)")
    args = parser.parse_args(argv)
    if sys.platform.startswith("linux"):
        engine = container_engine()
        problem = engine_problem(engine)
        if problem is not None:
            print(
                f"error: cibuildwheel needs a container engine to build Linux wheels, but {problem}; "
                "start one, or run 'make wheel' to build and repair a wheel for this machine only",
                file=sys.stderr,
            )
            return 1
    return subprocess.call(["cibuildwheel", "--output-dir", args.output_dir])


if __name__ == "__main__":
    sys.exit(main())
