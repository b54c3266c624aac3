"""The release check for castagnoli: the Python half of `make release-check` (release-check.sh), and the
conflict and published checks (`make conflict-check`, `make published-check`).

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
  python -m scripts conflict-check [DIR] --index-url URL
      The conflict check: no wheel in DIR is on the index under the same name with
      other content (that version would be burnt). Identical files are fine: PyPI
      accepts their re-upload as a no-op. Fails too when a wheel is missing from a
      release PyPI no longer takes new files for (first upload over 14 days ago).
  python -m scripts published-check [DIR] --index-url URL [--repository OWNER/NAME] [--wait SECONDS]
      After the upload: the index lists and serves each wheel in DIR with its
      sha256; on PyPI and TestPyPI its PEP 740 provenance names the repository of
      [project.urls] Source (GITHUB_REPOSITORY, where set, must agree), its
      publish.yml and environment pypi, and verifies. Not listed yet: asked again
      until the wait (default 600 s) runs out.

Every command that reads wheels takes DIR, else $DIST (both: the full release set,
one wheel per OS), else dist/ for the host wheel only, and says which.

Exit status: 0 when everything holds; 1 with one 'error: ...' line per problem
(what was expected, what was found, how to fix it); 2 for a usage error.
It never writes anything.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .config import PROJECT, Release, load_release
from .text import redacted, report, shown

if TYPE_CHECKING:
    from .wheel import Wheel

MAX_DIR_ENTRIES = 100
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}


class UsageError(Exception):
    """A bad command line: exit 2."""


def wheel_scope(directory: Path | None, platforms: str | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """(DIR, platforms) of every check of wheels: DIR given, or $DIST set: the full release set there; neither:
    the host wheel in dist/ (release-check.sh does the same). --platforms, given, wins."""
    if directory is None and not environ.get("DIST"):
        return Path("dist"), platforms or "host"
    return directory or Path(environ["DIST"]), platforms or "linux,windows"


def scope_words(platforms: str) -> str:
    return "host wheel only" if platforms == "host" else "full release set" if platforms == "linux,windows" \
        else f"platforms {platforms}"


def shown_dir(directory: Path) -> str:
    """DIR as typed, with one trailing slash (DIST=dist/ shows as dist/)."""
    text = os.fsdecode(directory).rstrip("/") + "/"
    return text if text.isprintable() and text.isascii() else shown(text)


def dist_problems(directory: Path, release: Release,
                  source_url: str | None = None) -> tuple[list[Wheel], list[str]]:
    """(the wheels, problems): DIR must hold exactly the release's wheels and nothing else (naming
    `source_url` in their METADATA, when given)."""
    from .wheel import wheel_problems

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
    from .tag import check_tag

    if args.command == "git":
        from .git import checkout_problems, skip_reason

        reason = skip_reason(args.root)
        if reason is not None:
            print(f"skipped: the checkout checks ({reason})")
            return 0
        problems = checkout_problems(args.root, args.tag)
        if not problems:
            print(f"ok: nothing uncommitted; tag {shown(args.tag)} is free or already on HEAD")
        return report(problems)
    if hasattr(args, "dir"):
        args.dir, args.platforms = wheel_scope(args.dir, args.platforms, os.environ)
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
    if args.command in ("dist", "report"):
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
    print(f"{args.command} of the wheels in {shown_dir(args.dir)} ({scope_words(args.platforms)}) against "
          f"{redacted(args.index_url)}", flush=True)
    if args.command == "published-check":
        return run_published(args, release)
    return run_conflict_check(args, release)


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


def run_published(args: argparse.Namespace, release: Release) -> int:
    from .published_check import published_check

    repository = args.repository or release.repository
    here = os.environ.get("GITHUB_REPOSITORY", "")
    if here and here.lower() != repository.lower():
        return report([f"this run is in {shown(here)}, but the provenance is checked against {shown(repository)} "
                       "([project.urls] Source, or --repository): expected them to agree; run it in the repository "
                       "that publishes"])
    wheels, problems = dist_problems(args.dir, select_platforms(release, args.platforms))
    if problems:
        return report(problems)
    oks, problems = published_check(wheels, PROJECT, release.version, args.index_url, repository=repository,
                                    require_provenance=args.require_provenance, wait=args.wait)
    for line in oks:
        print(f"ok: {line}")
    return report(problems)


def run_conflict_check(args: argparse.Namespace, release: Release) -> int:
    from .conflict_check import conflicts
    from .index import IndexReadError, published_files

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
        prog="python -m scripts", description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error.")
    sub = parser.add_subparsers(dest="command", required=True,
                                metavar="{version,tag,dist,git,report,conflict-check,published-check}")
    pyproject = argparse.ArgumentParser(add_help=False)
    pyproject.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                           help="the pyproject.toml to read (default: ./pyproject.toml)")
    version = sub.add_parser("version", parents=[pyproject], help="print the [project] version of pyproject.toml")
    version.set_defaults(tag=None)
    tag = sub.add_parser("tag", parents=[pyproject], help="check a release tag against pyproject.toml")
    tag.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3 (put -- before one starting with -)")
    platforms = argparse.ArgumentParser(add_help=False)
    platforms.add_argument("--platforms", metavar="LIST",
                           help="comma-separated platforms: linux, windows, host (default: linux,windows with DIR "
                                "or $DIST, else host)")
    platforms.add_argument("dir", metavar="DIR", type=Path, nargs="?",
                           help="the directory of wheels (default: $DIST, the full release set; unset: dist/, the "
                                "host wheel only)")
    dist = sub.add_parser("dist", parents=[pyproject, platforms], help="check a directory of release wheels")
    dist.add_argument("--tag", help="also check this release tag")
    release_report = sub.add_parser("report", parents=[pyproject, platforms],
                                    help="after every check passed: the table of what is released (and "
                                         "$GITHUB_STEP_SUMMARY), then 'ready to release TAG'")
    release_report.add_argument("--tag", required=True, help="the release tag")
    git = sub.add_parser("git", help="check the checkout: nothing uncommitted, the tag free or on HEAD")
    git.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3")
    git.add_argument("--root", type=Path, default=Path("."), help="the checkout (default: .)")
    index_url = argparse.ArgumentParser(add_help=False)
    index_url.add_argument("--index-url", required=True, metavar="URL", type=http_url,
                           help="the simple API root, e.g. https://pypi.org/simple/")
    index = sub.add_parser("conflict-check", parents=[pyproject, platforms, index_url],
                           help="the conflict check: no wheel in DIR is on the index with other content")
    index.set_defaults(tag=None)
    published = sub.add_parser("published-check", parents=[pyproject, platforms, index_url],
                               help="after the upload: the index serves exactly the wheels in DIR, attested")
    published.add_argument("--repository", metavar="OWNER/NAME",
                           help="the GitHub repository whose publish.yml must have published them "
                                "(default: [project.urls] Source's)")
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
        return report([f"the release check needs the Python package {shown(exc.name)}, which is not installed "
                       "here: run it through make (make release-check), whose tox env installs the locked tools"])

