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


class UsageError(Exception):
    """A bad command line: exit 2."""


def pyproject_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                        help="the pyproject.toml to read (default: ./pyproject.toml)")


def wheels_arguments(parser: argparse.ArgumentParser) -> None:
    """DIR, and --pyproject, which says what the release's wheels are."""
    pyproject_argument(parser)
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


def wheel_scope(directory: Path | None, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """(DIR, whether it is the full release set) of every check of wheels: DIR given, or $DIST set: the full
    release set there; neither: the host wheel in dist/."""
    if directory is None and not environ.get("DIST"):
        return Path("dist"), False
    return directory or Path(environ["DIST"]), True


def load_scope(args: argparse.Namespace) -> tuple[Release | None, list[str]]:
    """The release args.pyproject describes, limited to this machine's platform unless args.dir is the full
    release set; args.dir and args.full become the scope (wheel_scope)."""
    args.dir, args.full = wheel_scope(args.dir, os.environ)
    release, problems = load_release(args.pyproject)
    if release is None or args.full:
        return release, problems
    if sys.platform not in HOST_PLATFORMS:
        return None, [f"no release wheel is built for {sys.platform}: expected Linux or Windows for the host wheel; "
                      "check the release set from CI instead, with DIST=DIR (RELEASING.md)"]
    return dataclasses.replace(release, platforms=(release.platform(HOST_PLATFORMS[sys.platform]),)), problems


def index_check_wheels(args: argparse.Namespace, command: str) -> tuple[Release | None, list[Wheel], list[str]]:
    """The release, and the scope's verified wheels or the problems, after the line saying what `command`
    checks against which index."""
    from .dist import dist_problems

    release, problems = load_scope(args)
    if release is None or problems:
        return None, [], problems
    print(f"{command} of the wheels in {shown_dir(args.dir)} ({scope_words(args.full)}) against "
          f"{redacted(args.index_url)}", flush=True)
    return (release, *dist_problems(args.dir, release))


def scope_words(full: bool) -> str:
    return "full release set" if full else "host wheel only"


def shown_dir(directory: Path) -> str:
    """DIR as typed, with one trailing slash (DIST=dist/ shows as dist/)."""
    return plain(os.fsdecode(directory).rstrip("/") + "/")
