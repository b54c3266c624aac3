"""release-check: the tag, the checkout and the wheels of a release, before anything is published.

  python -m scripts release-check [--tag TAG] [--checkout | --wheels] [--root DIR] [--pyproject FILE]
                                  [WHEELS_DIR]
      In order, each check one 'ok:' line:
      - TAG (default: $TAG, else $GITHUB_REF_NAME in a tag run, else v<[project] version>) is v followed by a
        stable X.Y.Z equal to the [project] version of pyproject.toml;
      - the checkout has nothing uncommitted in what the release is built from, and TAG is free or on HEAD;
      - WHEELS_DIR (else $DIST: the full release set; else dist/: the host wheel only) holds exactly the
        release's wheels and nothing else, each sound and naming [project.urls] Source; a tag run on GitHub
        runs in that repository;
      - twine check --strict and abi3audit --strict pass on them.
      Then the table of the wheels (appended to $GITHUB_STEP_SUMMARY as markdown when set) and
      'ready to release TAG'.
      --checkout: the tag and the checkout only (make checks them before it rebuilds the host wheel);
      --wheels: the tag and the wheels only (make checks them after the checkout and the rebuild).
      It writes nothing but the step summary.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .cli import load_scope, scope_words, shown_dir, wheels_arguments
from .config import Release
from .text import plain, report, shown

if TYPE_CHECKING:
    from .dist import Wheel

# each tool's command, and what its failure means (its own report is printed above the line)
TOOLS = {
    "twine check --strict": (["twine", "check", "--strict"],
                             "twine check --strict rejected the wheels: expected clean metadata, found the problems "
                             "above; fix README.md or [project] and rebuild"),
    "abi3audit --strict": (["abi3audit", "--strict", "--report"],
                           "abi3audit found the extension using more than the stable ABI it is tagged for: expected "
                           "only limited-API symbols; fix src/native/module.c"),
}


def arguments(parser: argparse.ArgumentParser) -> None:
    wheels_arguments(parser)
    parser.add_argument("--tag", help="the release tag (default: $TAG, $GITHUB_REF_NAME in a tag run, "
                                      "v<[project] version>)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--checkout", action="store_true", help="the tag and the checkout only")
    only.add_argument("--wheels", action="store_true", help="the tag and the wheels only")
    parser.add_argument("--root", type=Path, default=Path("."), help="the checkout (default: .)")


def given_tag(tag: str | None, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """(the tag, where it came from); None: v<[project] version>, once pyproject.toml is read."""
    if tag is not None:
        return tag, "--tag"
    if environ.get("TAG"):
        return environ["TAG"], "TAG"
    if environ.get("GITHUB_REF_TYPE") == "tag" and environ.get("GITHUB_REF_NAME"):
        return environ["GITHUB_REF_NAME"], "GITHUB_REF_NAME"
    return None, "pyproject.toml"


def run(args: argparse.Namespace) -> int:
    from .git import RELEASE_PATHS, checkout_problems
    from .tag import check_tag

    for tool, _ in [] if args.checkout else TOOLS.values():  # the locked tools the wheel checks run
        if importlib.util.find_spec(tool[0]) is None:
            raise ModuleNotFoundError(name=tool[0])
    given, source = given_tag(args.tag, os.environ)
    release, problems = load_scope(args)
    tag = given if given is not None else f"v{release.version}" if release else "v<[project] version>"
    wheels_words = "" if args.checkout else f", wheels in {shown_dir(args.dir)} ({scope_words(args.full)})"
    print(f"release check for tag {plain(tag)} (from {source}){wheels_words}", flush=True)
    if release is None or problems:  # the tag is checked against a readable pyproject.toml only
        return report((check_tag(tag, None) if given is not None else []) + problems)
    problems = check_tag(tag, release.version)
    if problems:
        return report(problems)
    if not args.wheels:
        print(f"ok: tag {tag} matches the [project] version of {shown(args.pyproject)}")
        problems = checkout_problems(args.root, tag)
        if problems:
            return report(problems)
        print(f"ok: nothing uncommitted in what the release is built from ({', '.join(RELEASE_PATHS)}); tag "
              f"{tag} is free or already on HEAD", flush=True)
    if args.checkout:
        return 0
    return wheel_checks(args, release, tag)


def wheel_checks(args: argparse.Namespace, release: Release, tag: str) -> int:
    from .dist import dist_problems

    wheels, problems = dist_problems(args.dir, release, release.source_url)
    place, problem = run_place(release, os.environ)
    if problems or problem:
        return report(problems + [problem] if problem else problems)
    print(f"ok: {shown_dir(args.dir)} holds exactly the expected wheels, each sound, their METADATA naming "
          f"{release.source_url} ([project.urls] Source), the repository that publishes them")
    print(place, flush=True)
    problems = tool_problems([w.path for w in wheels])
    if problems:
        return report(problems)
    print(*(f"ok: {name} passed" for name in TOOLS), sep="\n")
    return release_report(tag, wheels, scope_words(args.full))


def tool_problems(files: list[Path]) -> list[str]:
    """Run every tool of TOOLS on the wheels at once; a tool that fails prints its own report, then its line."""
    # their reports are shown as ASCII: a file name is never a raw byte on our stderr
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"}
    running = {name: subprocess.Popen([sys.executable, "-m", *command, *map(str, files)], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, env=env, encoding="ascii", errors="backslashreplace")
               for name, (command, _) in TOOLS.items()}
    problems = []
    for name, process in running.items():
        said, _ = process.communicate()
        if process.returncode != 0:
            sys.stderr.write(said)
            problems.append(TOOLS[name][1])
    return problems


def run_place(release: Release, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(the line saying where this run is, or the problem): a tag run on GitHub (publish.yml) must be in the
    repository [project.urls] Source names; elsewhere it is said, not enforced."""
    here = environ.get("GITHUB_REPOSITORY", "")
    if not here:
        return "skipped: the run's repository check (GITHUB_REPOSITORY is not set: not a GitHub run)", None
    if here.lower() == release.repository.lower():
        return f"ok: this run is in {release.repository}, the repository that publishes", None
    if environ.get("GITHUB_REF_TYPE") == "tag":
        return None, (f"this release runs in {shown(here)}: expected {release.repository}, which [project.urls] "
                      "Source names and PyPI's trusted publisher trusts; tag in that repository, or fix "
                      "[project.urls] Source")
    return (f"skipped: the run's repository check: this is a run of {shown(here)}, not of {release.repository} "
            "(a fork); publish.yml, on a tag, enforces it"), None


def release_report(tag: str, wheels: list[Wheel], scope: str) -> int:
    """The table of what is released, also appended to $GITHUB_STEP_SUMMARY as markdown when set."""
    print(f"\n{'platform':<8} {'wheel':<70} {'bytes':>10}  sha256")
    for w in wheels:
        print(f"{w.platform.name:<8} {w.path.name:<70} {w.size:>10}  {w.sha256}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        lines = [f"### Release check: {tag}", "", "| platform | wheel | bytes | sha256 |", "|---|---|---:|---|",
                 *(f"| {w.platform.name} | `{w.path.name}` | {w.size} | `{w.sha256}` |" for w in wheels), "",
                 "Tag, checkout, wheel set, `twine check --strict` and `abi3audit --strict`: ok.", ""]
        try:
            with open(summary, "a", encoding="utf-8") as out:
                out.write("\n".join(lines))
        except OSError:
            return report([f"cannot append the report to GITHUB_STEP_SUMMARY={shown(summary)}: expected a writable "
                           "file (GitHub sets one in CI); unset it locally"])
    print(f"\nready to release {tag} ({scope})")
    return 0
