"""test-report: make test's verdict, from tox's --result-json: success means something ran.

  python -m scripts test-report RESULT_JSON

tox skips an env whose Python is missing and still says "congratulations".
This fails unless lint, tooling and at least one package env (py3XY) ran and
passed, and names every Python that was not found, each env's pytest totals, and
each reason a test skipped (pytest -ra) once, with the envs where it did.
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


def pytest_counts(env: dict[str, Any]) -> tuple[str, list[tuple[int, str, str]]]:
    """pytest's totals in an env's test commands (e.g. '555 passed, 1 skipped'), and its skips: (how many,
    where, why) per line of pytest -ra."""
    totals: list[str] = []
    skips: list[tuple[int, str, str]] = []
    for command in env.get("test") or []:
        output = command.get("output") if isinstance(command, dict) else None
        if isinstance(output, str):
            totals += [m[1].replace("=", "").strip() for m in PYTEST_TOTALS.finditer(output)]
            skips += [(int(m[1]), m[2], m[3].strip()) for m in PYTEST_SKIP.finditer(output)]
    return "; ".join(totals), skips


def verdict(testenvs: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(summary lines, problems) for tox's testenvs results: each skip reason once, with the envs it hit."""
    ran: list[str] = []
    missing: list[str] = []
    problems: list[str] = []
    skips: dict[tuple[str, str], dict[str, int]] = {}
    for name, env in sorted(testenvs.items(), key=lambda item: (len(item[0]), item[0])):
        result = env.get("result") if isinstance(env, dict) else None
        if not isinstance(result, dict):
            continue  # listed by tox but not part of this run (e.g. the build env .pkg)
        if result.get("skipped"):
            missing += [f"CPython 3.{m[1]}" for m in [PACKAGE_ENV.fullmatch(name)] if m]
        elif result.get("success"):
            totals, found = pytest_counts(env)
            ran.append(f"{name} ({totals})" if totals else name)
            for count, where, why in found:
                skips.setdefault((where, why), {})[name] = count
        else:
            problems.append(f"tox env {name} failed (exit {result.get('exit_code')}): see its output above")
    names = [n.split(" ")[0] for n in ran]
    problems += [f"tox env {name} did not pass: expected it in every make test" for name in REQUIRED
                 if name not in names and not any(p.startswith(f"tox env {name} ") for p in problems)]
    if not any(PACKAGE_ENV.fullmatch(n) for n in names):
        problems.append("no package env (py3XY) ran: expected at least one CPython 3.11+; install one "
                        "(pyenv install 3.12, or your OS's python3)")
    lines = [f"ran and passed: {', '.join(ran) or 'nothing'}"]
    if missing:
        lines.append(f"not found here, so not tested: {', '.join(missing)}")
    if skips:
        lines += ["skipped tests, and why:", *(f"  {sum(envs.values())} in {where} ({', '.join(envs)}): {why}"
                                              for (where, why), envs in sorted(skips.items()))]
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
