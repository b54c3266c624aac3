#!/usr/bin/env python3
"""The release check for castagnoli: the Python half of `make release-check` (release-check.sh).

  release_check.py version [--pyproject FILE]
      Prints the [project] version of pyproject.toml (read with tomllib), for
      release-check.sh, which has no TOML reader of its own.
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
      accepts their re-upload as a no-op. Fails too when a wheel is missing from a
      release PyPI no longer takes new files for (first upload over 14 days ago).
  release_check.py published-check DIR --index-url URL [--repository OWNER/NAME] [--wait SECONDS]
      After the upload: the index lists and serves each wheel in DIR with its
      sha256; on PyPI and TestPyPI its PEP 740 provenance names this repository's
      publish.yml and environment pypi, and verifies. Not listed yet: asked again
      until the wait (default 600 s) runs out.

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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from release_config import PROJECT, Release, load_release
from release_text import report, shown

if TYPE_CHECKING:
    from release_wheel import Wheel

MAX_DIR_ENTRIES = 100
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}


class UsageError(Exception):
    """A bad command line: exit 2."""


def dist_problems(directory: Path, release: Release,
                  source_url: str | None = None) -> tuple[list[Wheel], list[str]]:
    """(the wheels, problems): DIR must hold exactly the release's wheels and nothing else (naming
    `source_url` in their METADATA, when given)."""
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
        return [], [f"{shown(directory)} does not exist: expected a directory of wheels; pass DIST=DIR holding "
                    "them (the host wheel: 'make wheel'; the release set: the CI run's artifacts, RELEASING.md)"]
    except NotADirectoryError:
        return [], [f"{shown(directory)} is not a directory: expected a directory of wheels; pass DIST=DIR"]
    except OSError as exc:
        return [], [f"{shown(directory)} cannot be listed ({exc.strerror}): expected a readable directory"]
    problems: list[str] = []
    found: dict[str, list[str]] = {p.name: [] for p in release.platforms}
    wheels: list[Wheel] = []
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
            wheel, wheel_issues = wheel_problems(path, release, source_url)
            problems += wheel_issues
            if wheel is not None:
                found[wheel.platform.name].append(name)
                wheels.append(wheel)
    for platform in release.platforms:
        if not found[platform.name] and not any(release.wheel_name(platform) == p.name for p in entries):
            how = "build it with 'make wheel'" if platform.name == "linux" else "take it from the CI wheels job"
            problems.append(f"no {platform.name} wheel in {shown(directory)}: expected "
                            f"{release.wheel_name(platform)}; {how}")
    return wheels, problems


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
    if args.command == "dist":
        repository = os.environ.get("GITHUB_REPOSITORY")
        source_url = f"https://github.com/{repository}" if repository else None
        wheels, problems = dist_problems(args.dir, select_platforms(release, args.platforms), source_url)
        if problems:
            return report(problems)
        print("\n".join(f"{w.platform.name}\t{w.path.name}\t{w.size}\t{w.sha256}" for w in wheels))
        return 0
    if args.command == "published-check":
        return run_published(args, release)
    return run_index(args, release)


def run_published(args: argparse.Namespace, release: Release) -> int:
    from release_published import provenance_required, published_check

    repository = args.repository or os.environ.get("GITHUB_REPOSITORY") or None
    if repository is None and (args.require_provenance or provenance_required(args.index_url)):
        raise UsageError("the provenance on this index is checked against the repository that publishes: pass "
                         "--repository OWNER/NAME (make: GITHUB_REPOSITORY=OWNER/NAME)")
    wheels, problems = dist_problems(args.dir, select_platforms(release, args.platforms))
    if problems:
        return report(problems)
    oks, problems = published_check(wheels, PROJECT, release.version, args.index_url, repository=repository,
                                    require_provenance=args.require_provenance, wait=args.wait)
    for line in oks:
        print(f"ok: {line}")
    return report(problems)


def run_index(args: argparse.Namespace, release: Release) -> int:
    from release_index import IndexReadError, conflicts, published_files

    verified, problems = dist_problems(args.dir, select_platforms(release, args.platforms))
    if problems:
        return report(problems)
    wheels = {w.path.name: w.sha256 for w in verified}
    try:
        published = published_files(args.index_url, PROJECT)
    except IndexReadError as exc:
        return report([f"{exc}; nothing is assumed about what is published: check the URL and retry"])
    notes, problems = conflicts(wheels, published, release.version)
    for note in notes:
        print(f"ok: {note}")
    return report(problems)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="release_check.py", description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error.")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{version,tag,dist,git,conflict-check,published-check}")
    pyproject = argparse.ArgumentParser(add_help=False)
    pyproject.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                           help="the pyproject.toml to read (default: ./pyproject.toml)")
    version = sub.add_parser("version", parents=[pyproject], help="print the [project] version of pyproject.toml")
    version.set_defaults(tag=None)
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
    index_url = argparse.ArgumentParser(add_help=False)
    index_url.add_argument("dir", metavar="DIR", type=Path, help="the verified wheels, e.g. dist")
    index_url.add_argument("--index-url", required=True, metavar="URL", type=http_url,
                           help="the simple API root, e.g. https://pypi.org/simple/")
    index = sub.add_parser("conflict-check", parents=[pyproject, platforms, index_url],
                           help="the conflict check: no wheel in DIR is on the index with other content")
    index.set_defaults(tag=None)
    published = sub.add_parser("published-check", parents=[pyproject, platforms, index_url],
                               help="after the upload: the index serves exactly the wheels in DIR, attested")
    published.add_argument("--repository", metavar="OWNER/NAME",
                           help="the GitHub repository whose publish.yml must have published them "
                                "(default: $GITHUB_REPOSITORY)")
    published.add_argument("--wait", type=seconds, default=600.0, metavar="SECONDS",
                           help="ask again for a file not listed yet until this many seconds passed (default 600)")
    published.add_argument("--require-provenance", action="store_true",
                           help="require provenance on any index, not only PyPI and TestPyPI (tests)")
    published.set_defaults(tag=None)
    return parser


def http_url(text: str) -> str:
    """An http(s) URL with a host (argparse type)."""
    try:
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"{shown(text)}: expected an http(s) URL of a simple-API index, such as "
                                         "https://pypi.org/simple/")
    return text


def seconds(text: str) -> float:
    """A number of seconds from 0 to a day (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"{shown(text)}: expected a number of seconds from 0 to 86400")
    return value


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
