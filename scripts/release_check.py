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
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .config import Release, load_release
from .dist import UsageError, dist_problems, scope_words, select_platforms, shown_dir, wheel_scope
from .text import redacted, report, shown

if TYPE_CHECKING:
    from .wheel import Wheel

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
        from .published_check import run as run_published_check

        return run_published_check(args, release)
    from .conflict_check import run as run_conflict_check

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

