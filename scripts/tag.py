"""check-tag: TAG is 'v' followed by a stable X.Y.Z equal to the [project] version of pyproject.toml.

  python -m scripts check-tag [--pyproject FILE] -- TAG
      publish.yml's first job, before anything is built (make check-tag TAG=vX.Y.Z); put -- before a TAG
      that starts with '-'. The release check runs the same check.
"""

from __future__ import annotations

import argparse
import shlex

from .cli import pyproject_argument
from .config import load_release, version_form_problem
from .text import report, shown

MAX_TAG_LENGTH = 128


def check_tag(tag: str, version: str | None) -> list[str]:
    """Why `tag` is not v followed by a stable X.Y.Z equal to `version` (pyproject's; None: unreadable, and the
    form alone is checked)."""
    example = f"v{version}" if version else "v1.2.3"
    delete = shlex.quote(tag) if tag.isprintable() and tag.isascii() else "followed by that tag"
    hint = f"push {example} instead (this one, if pushed already: git push --delete origin {delete})"
    if tag == "":
        return [f"no tag given: expected v followed by X.Y.Z; pass one, e.g. make check-tag TAG={example}"]
    if len(tag) > MAX_TAG_LENGTH:
        return [f"tag of {len(tag)} characters: expected v followed by X.Y.Z; {hint}"]
    if tag[0] != "v":
        upper = "starts with 'V': expected a lowercase 'v'" if tag[0] == "V" else "does not start with 'v': expected v"
        example = f"v{tag}" if version_form_problem(tag) is None else example
        return [f"tag {shown(tag)} {upper} followed by X.Y.Z, e.g. {example}; {hint}"]
    problem = version_form_problem(tag[1:])
    if problem is not None:
        return [f"tag {shown(tag)}: expected v followed by a stable X.Y.Z, but {problem}; {hint}"]
    if version is not None and tag[1:] != version:
        return [f"tag {shown(tag)} does not match pyproject.toml: expected v{version} (its [project] version); "
                f"tag the release commit v{version}, or set version = \"{tag[1:]}\" in pyproject.toml, commit, "
                "and tag that commit"]
    return []


def arguments(parser: argparse.ArgumentParser) -> None:
    pyproject_argument(parser)
    parser.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3")


def run(args: argparse.Namespace) -> int:
    release, problems = load_release(args.pyproject)
    problems = check_tag(args.tag, release.version if release else None) + problems
    if problems:
        return report(problems)
    print(f"ok: tag {args.tag} matches the [project] version of {shown(args.pyproject)}")
    return 0
