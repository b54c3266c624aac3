"""Release-check timings: warm `make release-check`, a rejected version mismatch, and
`make wheels` without a container engine, each beside a bare `twine check` of the same wheels.

Goals: warm release-check <= 2 s and <= 3x twine check; mismatch reported in < 1 s;
make wheels stops within 2 s when no container engine runs. Prints, never asserts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], runs: int = 5, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Median wall time of `command` over `runs` runs, and its last exit code."""
    times, code = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("TAG", "DIST", "TOX_ENV_NAME", "TOX_WORK_DIR",
                                                             "TOX_ENV_DIR", "TOX_PACKAGE", "VIRTUAL_ENV")}
    warmup = subprocess.run(["make", "--no-print-directory", "release-check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if warmup.returncode != 0:
        print(f"error: make release-check failed before timing: {warmup.stderr.strip().splitlines()[-1:]}")
        return 1
    wheels = sorted(str(p) for p in (ROOT / "dist").glob("*.whl"))
    twine, _ = timed([sys.executable, "-m", "twine", "check", "--strict", *wheels])
    warm, warm_code = timed(["make", "--no-print-directory", "release-check"], env=env)
    mismatch, mismatch_code = timed(["make", "--no-print-directory", "release-check", "TAG=v0.0.1"], env=env)
    wheels_env, wheels_code = timed(["make", "--no-print-directory", "wheels"], runs=3, env=env)
    print("release-check timings (median wall time)")
    print(f"{'what':<44} {'seconds':>8} {'exit':>5} {'vs twine check':>15} {'goal':>12}")
    print(f"{'twine check --strict (same wheels)':<44} {twine:8.2f} {0:5d} {1:14.1f}x {'':>12}")
    print(f"{'make release-check (warm)':<44} {warm:8.2f} {warm_code:5d} {warm / twine:14.1f}x {'<= 2 s, 3x':>12}")
    print(f"{'make release-check TAG=v0.0.1 (mismatch)':<44} {mismatch:8.2f} {mismatch_code:5d} "
          f"{mismatch / twine:14.1f}x {'< 1 s':>12}")
    if sys.platform.startswith("linux"):
        print(f"{'make wheels (no container engine here)':<44} {wheels_env:8.2f} {wheels_code:5d} "
              f"{wheels_env / twine:14.1f}x {'<= 2 s':>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
