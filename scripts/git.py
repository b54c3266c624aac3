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


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30,
                          errors="backslashreplace")


def skip_reason(root: Path) -> str | None:
    """Why the git checks cannot run here (no git, not a work tree), or None."""
    try:
        inside = git(root, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        return "git is not installed"
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return f"{shown(root)} is not a git work tree"
    return None


def uncommitted_problems(root: Path) -> list[str]:
    status = git(root, "status", "--porcelain", "--untracked-files=normal", "--", *RELEASE_PATHS)
    changed = [line[3:] for line in status.stdout.splitlines() if line.strip()]
    if not changed:
        return []
    listed = ", ".join(shown(path) for path in changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return [f"uncommitted changes in what the release is built from: {listed}: expected a clean checkout so that "
            "the tag names exactly what was checked; commit them, or stash them with 'git stash -u' (plain "
            "git stash leaves untracked files)"]


def tag_state_problems(root: Path, tag: str) -> list[str]:
    tagged = git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    if tagged.returncode != 0:
        return []  # not tagged yet
    head = git(root, "rev-parse", "--verify", "HEAD").stdout.strip()
    if tagged.stdout.strip() == head:
        return []
    tag = tag if re.fullmatch(r"v[0-9.]{1,40}", tag) else shown(tag)  # safe to print inside a command
    return [f"tag {tag} already exists on commit {tagged.stdout.strip()[:12]}: expected it free or on HEAD "
            f"({head[:12]}); if nothing of {tag[1:]} is on PyPI yet (a failed build), move the tag to HEAD: "
            f"{move_tag_command(tag)}; if it is published, bump [project] version in "
            "pyproject.toml, commit, and release that"]


def checkout_problems(root: Path, tag: str) -> list[str]:
    """Everything the checkout must satisfy before `tag` is pushed (call only when skip_reason is None)."""
    return uncommitted_problems(root) + tag_state_problems(root, tag)
