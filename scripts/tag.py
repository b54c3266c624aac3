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


def tag_problems(tag: str, version: str | None) -> list[str]:
    """Problems with the form of `tag`; `version` (pyproject's, when known) makes the hints concrete."""
    example = f"v{version}" if version else "v1.2.3"
    delete = f"git push --delete origin {shlex.quote(tag)}" if tag.isprintable() and tag.isascii() else \
        "git push --delete origin followed by that tag"
    hint = f"push {example} instead (this one, if pushed already: {delete})"
    if tag == "":
        return [f"no tag given: expected v followed by X.Y.Z; pass one, e.g. make check-tag TAG={example}"]
    if len(tag) > MAX_TAG_LENGTH:
        return [f"tag of {len(tag)} characters: expected v followed by X.Y.Z; {hint}"]
    if tag.startswith("V"):
        return [f"tag {shown(tag)} starts with 'V': expected a lowercase 'v' followed by X.Y.Z; {hint}"]
    if not tag.startswith("v"):
        if version_form_problem(tag) is None:
            example = f"v{tag}"
        return [f"tag {shown(tag)} does not start with 'v': expected v followed by X.Y.Z, e.g. {example}; {hint}"]
    problem = version_form_problem(tag[1:])
    if problem is not None:
        return [f"tag {shown(tag)}: expected v followed by a stable X.Y.Z, but {problem}; {hint}"]
    return []


def tag_version_problems(tag: str, version: str) -> list[str]:
    """The tag must name exactly the pyproject version."""
    if tag[1:] == version:
        return []
    return [
        f"tag {shown(tag)} does not match pyproject.toml: expected v{version} (its [project] version), "
        f"found {shown(tag)}; tag the release commit v{version}, or set version = \"{tag[1:]}\" in "
        "pyproject.toml, commit, and tag that commit"
    ]


def check_tag(tag: str, version: str | None) -> list[str]:
    """Everything `tag` must satisfy, given pyproject's version (None when unreadable)."""
    problems = tag_problems(tag, version)
    if not problems and version is not None:
        problems += tag_version_problems(tag, version)
    return problems


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
