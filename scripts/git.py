"""The checkout a release is made from: nothing uncommitted, the tag free or on HEAD."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .text import shown

# What goes into a wheel or decides how it is built, checked and published.
RELEASE_PATHS = ("src", "CMakeLists.txt", "pyproject.toml", "setup.cfg", "README.md", "LICENSE",
                 "requirements", "scripts", "tox.ini", "Makefile", ".github")


def move_tag_command(tag: str) -> str:
    """How to move `tag` to HEAD, locally and on GitHub (RELEASING.md gives the same)."""
    return f"git tag -f {tag} && git push --force origin {tag}"


GIT_TIMEOUT = 30.0


class GitError(Exception):
    """git could not answer: not installed, not a work tree, failed or too slow."""


def git(root: Path, *args: str, missing_ok: bool = False) -> str | None:
    """git's output in `root` (None for exit 1 when `missing_ok`: what `rev-parse --verify --quiet` says of a
    ref that does not exist), or GitError saying why not: the one guard of this boundary."""
    try:
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                                timeout=GIT_TIMEOUT, errors="backslashreplace")
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"'git {args[0]}' did not answer within {GIT_TIMEOUT:g} s") from None
    if result.returncode == 1 and missing_ok:
        return None
    if result.returncode != 0:
        said = " ".join(result.stderr.split())[:200]
        raise GitError(f"'git {args[0]}' failed (exit {result.returncode}: {shown(said)[1:-1]})")
    return result.stdout


def checkout_problems(root: Path, tag: str) -> list[str]:
    """Nothing uncommitted in RELEASE_PATHS, and `tag` free or on HEAD; a checkout git cannot read fails."""
    try:
        if str(git(root, "rev-parse", "--is-inside-work-tree")).strip() != "true":
            raise GitError(f"{shown(str(root))} is not a work tree")
        status = str(git(root, "status", "--porcelain", "--untracked-files=normal", "--", *RELEASE_PATHS))
        tagged = git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", missing_ok=True)
        head = str(git(root, "rev-parse", "--verify", "HEAD")).strip()
    except GitError as exc:
        return [f"the checkout cannot be checked: {exc}: expected a git clone of the repository, so that the tag "
                "names exactly what was checked; run the release check in the clone, with git installed"]
    problems = []
    changed = [shown(line[3:]) for line in status.splitlines() if line.strip()]
    if changed:
        listed = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        problems.append(f"uncommitted changes in what the release is built from: {listed}: expected a clean "
                        "checkout so that the tag names exactly what was checked; commit them, or stash them with "
                        "'git stash -u' (plain git stash leaves untracked files)")
    if tagged is not None and tagged.strip() != head:
        tag = tag if re.fullmatch(r"v[0-9.]{1,40}", tag) else shown(tag)  # safe to print inside a command
        problems.append(f"tag {tag} already exists on commit {tagged.strip()[:12]}: expected it free or on HEAD "
                        f"({head[:12]}); if nothing of {tag[1:]} is on PyPI yet (a failed build), move the tag to "
                        f"HEAD: {move_tag_command(tag)}; if it is published, bump [project] version in "
                        "pyproject.toml, commit, and release that")
    return problems
