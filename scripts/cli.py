"""What the commands' command lines share: the arguments, the scope of the wheels, and the exit statuses.

Every command that reads wheels takes DIR, else $DIST (both: the full release set, one wheel per OS), else dist/
for the host wheel only, and says which.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .config import Release, load_release
from .text import plain, redacted, shown

if TYPE_CHECKING:
    from .dist import Wheel

EPILOG = "Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error."
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}
FULL_SET = "linux,windows"


class UsageError(Exception):
    """A bad command line: exit 2."""


def pyproject_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                        help="the pyproject.toml to read (default: ./pyproject.toml)")


def wheels_arguments(parser: argparse.ArgumentParser) -> None:
    """DIR and --platforms, and --pyproject, which says what the release's wheels are."""
    pyproject_argument(parser)
    parser.add_argument("--platforms", metavar="LIST",
                        help=f"comma-separated platforms: linux, windows, host (default: {FULL_SET} with DIR or "
                             "$DIST, else host)")
    parser.add_argument("dir", metavar="DIR", type=Path, nargs="?",
                        help="the directory of wheels (default: $DIST, the full release set; unset: dist/, the "
                             "host wheel only)")


def index_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index-url", required=True, metavar="URL", type=http_url,
                        help="the simple API root, e.g. https://pypi.org/simple/")


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


def wheel_scope(directory: Path | None, platforms: str | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """(DIR, platforms) of every check of wheels: DIR given, or $DIST set: the full release set there; neither:
    the host wheel in dist/. --platforms, given, wins."""
    if directory is None and not environ.get("DIST"):
        return Path("dist"), platforms or "host"
    return directory or Path(environ["DIST"]), platforms or FULL_SET


def load_scope(args: argparse.Namespace) -> tuple[Release | None, list[str]]:
    """The release args.pyproject describes, limited to the scope's platforms; args.dir and args.platforms
    become the scope (wheel_scope)."""
    args.dir, args.platforms = wheel_scope(args.dir, args.platforms, os.environ)
    release, problems = load_release(args.pyproject)
    return (None if release is None else select_platforms(release, args.platforms)), problems


def index_check_wheels(args: argparse.Namespace, command: str) -> tuple[Release | None, list[Wheel], list[str]]:
    """The release, and the scope's verified wheels or the problems, after the line saying what `command`
    checks against which index."""
    from .dist import dist_problems

    release, problems = load_scope(args)
    if release is None or problems:
        return None, [], problems
    print(f"{command} of the wheels in {shown_dir(args.dir)} ({scope_words(args.platforms)}) against "
          f"{redacted(args.index_url)}", flush=True)
    return (release, *dist_problems(args.dir, release))


def scope_words(platforms: str) -> str:
    return "host wheel only" if platforms == "host" else "full release set" if platforms == FULL_SET \
        else f"platforms {platforms}"


def shown_dir(directory: Path) -> str:
    """DIR as typed, with one trailing slash (DIST=dist/ shows as dist/)."""
    return plain(os.fsdecode(directory).rstrip("/") + "/")


def select_platforms(release: Release, value: str) -> Release:
    """The release limited to the platforms named in `value` (host: this machine's)."""
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
