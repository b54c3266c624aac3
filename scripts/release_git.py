"""The checkout a release is made from: nothing uncommitted, the tag free or on HEAD."""

from __future__ import annotations

import subprocess
from pathlib import Path

from release_text import shown

# What goes into a wheel or decides how it is built, checked and published.
RELEASE_PATHS = ("src", "CMakeLists.txt", "pyproject.toml", "setup.cfg", "README.md", "LICENSE",
                 "requirements", "scripts", "tox.ini", "Makefile", ".github")


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
            "the tag names exactly what was checked; commit or stash them (git status shows them)"]


def tag_state_problems(root: Path, tag: str) -> list[str]:
    tagged = git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    if tagged.returncode != 0:
        return []  # not tagged yet
    head = git(root, "rev-parse", "--verify", "HEAD").stdout.strip()
    if tagged.stdout.strip() == head:
        return []
    return [f"tag {shown(tag)} already exists on commit {tagged.stdout.strip()[:12]}: expected it free or on HEAD "
            f"({head[:12]}); a released version cannot be released again: bump [project] version in "
            "pyproject.toml and commit (or, if the tag was never pushed, git tag -d TAG)"]


def checkout_problems(root: Path, tag: str) -> list[str]:
    """Everything the checkout must satisfy before `tag` is pushed (call only when skip_reason is None)."""
    return uncommitted_problems(root) + tag_state_problems(root, tag)
