"""Run the package tests against one wheel on other CPythons (part of cibuildwheel's test-command).

    python on_other_pythons.py WHEEL VERSION [VERSION ...]

The wheel is py3-none, so cibuildwheel builds and tests it once, on the oldest
supported CPython. This script runs the same tests, from this folder, on each
other VERSION: `uv run --isolated` installs the wheel, pytest and crc32c into a
throwaway environment for that Python (uv fetches the interpreter when the
machine has none). Exit 0 when every version passes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path)
    parser.add_argument("versions", nargs="+", metavar="VERSION")
    args = parser.parse_args(argv)
    failed = []
    for version in args.versions:
        print(f"--- package tests on CPython {version} against {args.wheel.name}", flush=True)
        code = subprocess.call([
            sys.executable, "-m", "uv", "run", "--isolated", "--no-project", "--python", version,
            "--with", str(args.wheel), "--with", "pytest", "--with", "crc32c",
            "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE),
        ], cwd=HERE.parent)
        if code != 0:
            failed.append(version)
    if failed:
        print(f"error: the package tests failed on CPython {', '.join(failed)}: expected them to pass on every "
              "supported version; see the output above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
