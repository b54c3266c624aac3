#!/usr/bin/env python3
"""The release check for castagnoli: the Python half of `make release-check` (release-check.sh).

  release_check.py tag TAG [--pyproject FILE]
      TAG is 'v' plus a stable X.Y.Z equal to the [project] version of pyproject.toml.
  release_check.py dist DIR [--tag TAG] [--pyproject FILE] [--platforms LIST]
      DIR holds exactly the release wheels for the platforms in LIST, each sound, and
      nothing else. On success prints one tab-separated line per wheel:
      platform, file, size, sha256 (all validated before they are printed).
  release_check.py git TAG [--root DIR]
      The checkout has no uncommitted changes in what the release is built from,
      and TAG does not exist yet or already points at HEAD.
  release_check.py conflict-check DIR --index-url URL
      The conflict check: no wheel in DIR is on the index under the same name with
      other content (that version would be burnt). Identical files are fine: PyPI
      accepts their re-upload as a no-op.

Exit status: 0 when everything holds; 1 with one 'error: ...' line per problem
(what was expected, what was found, how to fix it); 2 for a usage error.
It never writes anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from release_config import PROJECT, Release, load_release
from release_text import report, shown

MAX_DIR_ENTRIES = 100
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}


class UsageError(Exception):
    """A bad command line: exit 2."""


def dist_problems(directory: Path, release: Release) -> tuple[list[str], list[str]]:
    """(report lines, problems): DIR must hold exactly the release's wheels and nothing else."""
    from release_wheel import wheel_problems

    try:
        entries = []
        with os.scandir(directory) as scan:
            for entry in scan:
                entries.append(Path(entry.path))
                if len(entries) > MAX_DIR_ENTRIES:
                    return [], [f"{shown(directory)} holds more than {MAX_DIR_ENTRIES} entries: expected the "
                                "release wheels only; pass the directory of wheels"]
    except FileNotFoundError:
        return [], [f"{shown(directory)} does not exist: expected a directory of wheels; build them with "
                    "'make wheel', or pass DIST=DIR"]
    except NotADirectoryError:
        return [], [f"{shown(directory)} is not a directory: expected a directory of wheels; pass DIST=DIR"]
    except OSError as exc:
        return [], [f"{shown(directory)} cannot be listed ({exc.strerror}): expected a readable directory"]
    problems: list[str] = []
    found: dict[str, list[str]] = {p.name: [] for p in release.platforms}
    lines: list[str] = []
    for path in sorted(entries):
        name = path.name
        if name.startswith("."):
            problems.append(f"{shown(name)}: hidden entry in {shown(directory)}: expected wheels only; remove it")
        elif path.is_dir() and not path.is_symlink():
            problems.append(f"{shown(name)}: directory in {shown(directory)}: expected wheels only; remove it")
        elif name.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz")):
            problems.append(f"{shown(name)}: source distribution in {shown(directory)}: expected wheels only, "
                            f"{PROJECT} publishes no sdist; remove it")
        elif not name.endswith(".whl"):
            problems.append(f"{shown(name)}: stray file in {shown(directory)}: expected wheels only; remove it")
        else:
            wheel, wheel_issues = wheel_problems(path, release)
            problems += wheel_issues
            if wheel is not None:
                found[wheel.platform.name].append(name)
                lines.append(f"{wheel.platform.name}\t{name}\t{wheel.size}\t{wheel.sha256}")
    for platform in release.platforms:
        if not found[platform.name] and not any(release.wheel_name(platform) == p.name for p in entries):
            how = "build it with 'make wheel'" if platform.name == "linux" else "take it from the CI wheels job"
            problems.append(f"no {platform.name} wheel in {shown(directory)}: expected "
                            f"{release.wheel_name(platform)}; {how}")
    return lines, problems


def select_platforms(release: Release, value: str) -> Release:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise UsageError("--platforms is empty: expected a comma-separated list such as linux,windows")
    chosen = []
    for name in names:
        if name == "host":
            if sys.platform not in HOST_PLATFORMS:
                raise UsageError(f"--platforms host: no release wheel is built for {sys.platform}; name the "
                                 f"platforms, from: {', '.join(p.name for p in release.platforms)}")
            name = HOST_PLATFORMS[sys.platform]
        platform = next((p for p in release.platforms if p.name == name), None)
        if platform is None:
            raise UsageError(f"--platforms: unknown platform {shown(name)}: expected some of "
                             f"{', '.join(p.name for p in release.platforms)} or host")
        if platform not in chosen:
            chosen.append(platform)
    return dataclasses.replace(release, platforms=tuple(chosen))


def run(args: argparse.Namespace) -> int:
    from release_tag import check_tag

    if args.command == "git":
        from release_git import checkout_problems, skip_reason

        reason = skip_reason(args.root)
        if reason is not None:
            print(f"skipped: the checkout checks ({reason})")
            return 0
        problems = checkout_problems(args.root, args.tag)
        if not problems:
            print(f"ok: nothing uncommitted; tag {shown(args.tag)} is free or already on HEAD")
        return report(problems)
    release, problems = load_release(args.pyproject)
    if args.command == "tag" or args.tag is not None:
        problems = check_tag(args.tag, release.version if release else None) + problems
    if release is None or problems:
        return report(problems)
    if args.command == "tag":
        print(f"ok: tag {args.tag} matches the [project] version of {shown(args.pyproject)}")
        return 0
    if args.command == "dist":
        lines, problems = dist_problems(args.dir, select_platforms(release, args.platforms))
        if problems:
            return report(problems)
        print("\n".join(lines))
        return 0
    return run_index(args, release)


def run_index(args: argparse.Namespace, release: Release) -> int:
    from release_index import IndexReadError, conflicts, published_files

    lines, problems = dist_problems(args.dir, select_platforms(release, args.platforms))
    if problems:
        return report(problems)
    wheels = {line.split("\t")[1]: line.split("\t")[3] for line in lines}
    try:
        published = published_files(args.index_url, PROJECT)
    except IndexReadError as exc:
        return report([f"{exc}; nothing is assumed about what is published: check the URL and retry"])
    notes, problems = conflicts(wheels, published)
    for note in notes:
        print(f"ok: {note}")
    return report(problems)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="release_check.py", description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{tag,dist,git,conflict-check}")
    pyproject = argparse.ArgumentParser(add_help=False)
    pyproject.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                           help="the pyproject.toml to read (default: ./pyproject.toml)")
    tag = sub.add_parser("tag", parents=[pyproject], help="check a release tag against pyproject.toml")
    tag.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3 (put -- before one starting with -)")
    platforms = argparse.ArgumentParser(add_help=False)
    platforms.add_argument("--platforms", default="linux,windows", metavar="LIST",
                           help="comma-separated platforms: linux, windows, host (default: linux,windows)")
    dist = sub.add_parser("dist", parents=[pyproject, platforms], help="check a directory of release wheels")
    dist.add_argument("dir", metavar="DIR", type=Path, help="the directory of wheels, e.g. dist")
    dist.add_argument("--tag", help="also check this release tag")
    git = sub.add_parser("git", help="check the checkout: nothing uncommitted, the tag free or on HEAD")
    git.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3")
    git.add_argument("--root", type=Path, default=Path("."), help="the checkout (default: .)")
    index = sub.add_parser("conflict-check", parents=[pyproject, platforms],
                           help="the conflict check: no wheel in DIR is on the index with other content")
    index.add_argument("dir", metavar="DIR", type=Path, help="the verified wheels, e.g. dist")
    index.add_argument("--index-url", required=True, metavar="URL",
                       help="the simple API root, e.g. https://pypi.org/simple/")
    index.set_defaults(tag=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UsageError as exc:
        parser.error(str(exc))
    except ModuleNotFoundError as exc:
        return report([f"release_check.py needs the Python package {shown(exc.name)}, which is not installed "
                       "here: run it through make (make release-check), whose tox env installs the locked tools"])


if __name__ == "__main__":
    sys.exit(main())
