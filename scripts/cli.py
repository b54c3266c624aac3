"""What the commands' command lines share: the --pyproject and wheel-directory arguments, the index URL, and how
a command ends (a usage error exits 2; a locked tool missing from this Python is one error line).

Every command that reads wheels takes DIR, else $DIST (both: the full release set, one wheel per OS), else dist/
for the host wheel only, and says which.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from .config import Release, load_release
from .dist import UsageError, scope_words, shown_dir, wheel_scope
from .text import redacted, report, shown

EPILOG = "Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error."


def pyproject_arguments() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                        help="the pyproject.toml to read (default: ./pyproject.toml)")
    return parent


def wheels_arguments() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--platforms", metavar="LIST",
                        help="comma-separated platforms: linux, windows, host (default: linux,windows with DIR "
                             "or $DIST, else host)")
    parent.add_argument("dir", metavar="DIR", type=Path, nargs="?",
                        help="the directory of wheels (default: $DIST, the full release set; unset: dist/, the "
                             "host wheel only)")
    return parent


def index_url_arguments() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--index-url", required=True, metavar="URL", type=http_url,
                        help="the simple API root, e.g. https://pypi.org/simple/")
    return parent


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


def load_scope(args: argparse.Namespace) -> tuple[Release | None, list[str]]:
    """The release args.pyproject describes, with args.dir and args.platforms made the scope (wheel_scope)."""
    args.dir, args.platforms = wheel_scope(args.dir, args.platforms, os.environ)
    return load_release(args.pyproject)


def index_check_parser(command: str, description: str) -> argparse.ArgumentParser:
    """The command line of a check of the scope's wheels against an index: DIR, --platforms, --pyproject,
    --index-url."""
    parser = argparse.ArgumentParser(prog=f"python -m scripts {command}", description=description, epilog=EPILOG,
                                     parents=[pyproject_arguments(), wheels_arguments(), index_url_arguments()])
    parser.set_defaults(command=command)
    return parser


def index_check_main(parser: argparse.ArgumentParser, argv: Sequence[str] | None,
                     check: Callable[[argparse.Namespace, Release], int]) -> int:
    """Run `check` on the scope's wheels, after a first line saying what is checked where."""
    def run(args: argparse.Namespace) -> int:
        release, problems = load_scope(args)
        if release is None or problems:
            return report(problems)
        print(f"{args.command} of the wheels in {shown_dir(args.dir)} ({scope_words(args.platforms)}) against "
              f"{redacted(args.index_url)}", flush=True)
        return check(args, release)

    return run_main(parser, argv, run, parser.get_default("command"))


def run_main(parser: argparse.ArgumentParser, argv: Sequence[str] | None, run: Callable[[argparse.Namespace], int],
             target: str) -> int:
    """parse, then run; `target` is the make target that runs the command with the locked tools."""
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UsageError as exc:
        parser.error(str(exc))
    except ModuleNotFoundError as exc:
        return report([f"{target} needs the Python package {shown(exc.name)}, which is not installed here: run "
                       f"it through make (make {target}), whose tox env installs the locked tools"])
