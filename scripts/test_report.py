"""test-report: make test's verdict, from tox's --result-json: success means something ran.

  python -m scripts test-report RESULT_JSON

tox skips an env whose Python is missing and still says "congratulations".
This fails unless lint, tooling and at least one package env (py3XY) ran and
passed, and names every Python that was not found, each env's pytest totals, and
every skipped test with its reason (pytest -ra).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from .text import report

REQUIRED = ("lint", "tooling")
PACKAGE_ENV = re.compile(r"py3(\d+)")
PYTEST_TOTALS = re.compile(r"^=+ (.*(?:passed|failed|skipped).*?) in [0-9.]+s.*=+$", re.M)
PYTEST_SKIP = re.compile(r"^SKIPPED \[(\d+)\] ([^:\n]+):\d+: (.*)$", re.M)


def pytest_counts(env: dict[str, Any]) -> tuple[str, list[str]]:
    """pytest's totals in an env's test commands (e.g. '555 passed, 1 skipped'), and why each skip skipped."""
    totals: list[str] = []
    skips: list[str] = []
    for command in env.get("test") or []:
        output = command.get("output") if isinstance(command, dict) else None
        if not isinstance(output, str):
            continue
        totals += [m[1].replace("=", "").strip() for m in PYTEST_TOTALS.finditer(output)]
        skips += [f"{m[1]} in {m[2]}: {m[3].strip()}" for m in PYTEST_SKIP.finditer(output)]
    return "; ".join(totals), skips


def verdict(testenvs: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(summary lines, problems) for tox's testenvs results."""
    ran: list[str] = []
    skipped: list[str] = []
    problems: list[str] = []
    skip_lines: list[str] = []
    for name, env in sorted(testenvs.items()):
        result = env.get("result") if isinstance(env, dict) else None
        if not isinstance(result, dict):
            continue  # listed by tox but not part of this run (e.g. the build env .pkg)
        if result.get("skipped"):
            skipped.append(name)
        elif result.get("success"):
            totals, skips = pytest_counts(env)
            ran.append(f"{name} ({totals})" if totals else name)
            skip_lines += [f"  {name}: {why}" for why in skips]
        else:
            problems.append(f"tox env {name} failed (exit {result.get('exit_code')}): see its output above")
    names = [n.split(" ")[0] for n in ran]
    for name in REQUIRED:
        if name in skipped:
            problems.append(f"tox env {name} was skipped, its Python not found: expected it to run on any "
                            "CPython 3.11+; install one")
        elif name not in names and name not in testenvs:
            problems.append(f"tox env {name} did not run: expected in every make test")
    packages = [n for n in names if PACKAGE_ENV.fullmatch(n)]
    if not packages:
        listed = sorted((n for n in testenvs if PACKAGE_ENV.fullmatch(n)), key=lambda n: int(n[3:]))
        span = f" ({listed[0]}...{listed[-1]})" if listed else ""
        problems.append(f"no package env{span} ran: expected at least one CPython 3.11+; install one "
                        "(pyenv install 3.12, or your OS's python3)")
    missing = [f"CPython 3.{m[1]}" for n in skipped if (m := PACKAGE_ENV.fullmatch(n))]
    lines = [f"ran and passed: {', '.join(ran) or 'nothing'}"]
    if missing:
        lines.append(f"not found here, so not tested: {', '.join(missing)}")
    if skip_lines:
        lines += ["skipped tests, and why:", *skip_lines]
    return lines, problems


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("result", type=Path, help="the file tox run --result-json wrote")


def run(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.result.read_text(encoding="utf-8"))
        testenvs = data["testenvs"]
        if not isinstance(testenvs, dict):
            raise TypeError("testenvs is not a mapping")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return report([f"cannot read tox's result {args.result} ({exc}): expected the JSON of tox run "
                       "--result-json; run make test"])
    lines, problems = verdict(testenvs)
    print("\n".join(lines))
    return report(problems)
