"""The release check for castagnoli: the Python half of `make release-check` (release-check.sh).

  python -m scripts version [--pyproject FILE]
      Prints the [project] version of pyproject.toml (read with tomllib), for
      release-check.sh, which has no TOML reader of its own.
  python -m scripts tag TAG [--pyproject FILE]
      TAG is 'v' plus a stable X.Y.Z equal to the [project] version of pyproject.toml.
  python -m scripts dist [DIR] [--tag TAG] [--pyproject FILE] [--platforms LIST]
      DIR holds exactly the release wheels for the platforms in LIST, each sound and
      naming [project.urls] Source, and nothing else; in a tag run on GitHub, the run
      is in that repository (a fork's branch run says it skipped the comparison).
  python -m scripts report [DIR] --tag TAG [--platforms LIST]
      After every check passed: the table of the wheels (platform, file, size,
      sha256), appended to $GITHUB_STEP_SUMMARY as markdown when set, then
      'ready to release TAG'.
  python -m scripts git TAG [--root DIR]
      The checkout has no uncommitted changes in what the release is built from,
      and TAG does not exist yet or already points at HEAD.

DIR: as every command that reads wheels takes it (cli.py). The checks against an
index are their own commands: conflict-check (conflict_check.py) and
published-check (published_check.py).

Exit status: 0 when everything holds; 1 with one 'error: ...' line per problem
(what was expected, what was found, how to fix it); 2 for a usage error.
It never writes anything.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .cli import EPILOG, load_scope, pyproject_arguments, run_main, wheels_arguments
from .config import Release, load_release
from .dist import dist_problems, select_platforms, shown_dir
from .text import report, shown

if TYPE_CHECKING:
    from .wheel import Wheel


def run(args: argparse.Namespace) -> int:
    from .tag import check_tag

    if args.command == "git":
        from .git import RELEASE_PATHS, checkout_problems

        problems = checkout_problems(args.root, args.tag)
        if not problems:
            print(f"ok: nothing uncommitted in what the release is built from ({', '.join(RELEASE_PATHS)}); "
                  f"tag {shown(args.tag)} is free or already on HEAD")
        return report(problems)
    release, problems = load_scope(args) if hasattr(args, "dir") else load_release(args.pyproject)
    if args.command == "version":
        if release is None:
            return report(problems)
        print(release.version)
        return 0
    if args.command == "tag" or args.tag is not None:
        problems = check_tag(args.tag, release.version if release else None) + problems
    if release is None or problems:
        return report(problems)
    if args.command == "tag":
        print(f"ok: tag {args.tag} matches the [project] version of {shown(args.pyproject)}")
        return 0
    wheels, problems = dist_problems(args.dir, select_platforms(release, args.platforms), release.source_url)
    problems += [] if args.command == "report" else run_problems(release, os.environ)
    if problems:
        return report(problems)
    if args.command == "dist":
        print(f"ok: {shown_dir(args.dir)} holds exactly the expected wheels, each sound, their METADATA naming "
              f"{release.source_url} ([project.urls] Source), the repository that publishes them")
        print(run_note(release, os.environ))
        return 0
    return release_report(args.tag, wheels)


def run_problems(release: Release, environ: Mapping[str, str]) -> list[str]:
    """In a tag run on GitHub (publish.yml), the run must be in the repository [project.urls] Source names."""
    here = environ.get("GITHUB_REPOSITORY", "")
    if here and here.lower() != release.repository.lower() and environ.get("GITHUB_REF_TYPE") == "tag":
        return [f"this release runs in {shown(here)}: expected {release.repository}, which [project.urls] Source "
                "names and PyPI's trusted publisher trusts; tag in that repository, or fix [project.urls] Source"]
    return []


def run_note(release: Release, environ: Mapping[str, str]) -> str:
    """One line on where this run is, against the publishing repository."""
    here = environ.get("GITHUB_REPOSITORY", "")
    if not here:
        return "skipped: the run's repository check (GITHUB_REPOSITORY is not set: not a GitHub run)"
    if here.lower() == release.repository.lower():
        return f"ok: this run is in {release.repository}, the repository that publishes"
    return (f"skipped: the run's repository check: this is a run of {shown(here)}, not of {release.repository} "
            "(a fork); publish.yml, on a tag, enforces it")


def release_report(tag: str, wheels: list[Wheel]) -> int:
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
    print(f"\nready to release {tag}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=(__doc__ or "").split("\n\n")[0],
                                     epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{version,tag,dist,git,report}")
    pyproject, wheels = pyproject_arguments(), wheels_arguments()
    version = sub.add_parser("version", parents=[pyproject], help="print the [project] version of pyproject.toml")
    version.set_defaults(tag=None)
    tag = sub.add_parser("tag", parents=[pyproject], help="check a release tag against pyproject.toml")
    tag.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3 (put -- before one starting with -)")
    dist = sub.add_parser("dist", parents=[pyproject, wheels], help="check a directory of release wheels")
    dist.add_argument("--tag", help="also check this release tag")
    release_report = sub.add_parser("report", parents=[pyproject, wheels],
                                    help="after every check passed: the table of what is released (and "
                                         "$GITHUB_STEP_SUMMARY), then 'ready to release TAG'")
    release_report.add_argument("--tag", required=True, help="the release tag")
    git = sub.add_parser("git", help="check the checkout: nothing uncommitted, the tag free or on HEAD")
    git.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3")
    git.add_argument("--root", type=Path, default=Path("."), help="the checkout (default: .)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(build_parser(), argv, run, "release-check")
