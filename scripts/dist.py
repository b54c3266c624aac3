"""The directory of wheels every check reads: it holds exactly the release's wheels, each sound, and nothing
else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .config import PROJECT, Release
from .text import shown

if TYPE_CHECKING:
    from .wheel import Wheel

MAX_DIR_ENTRIES = 100


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
            how = "build it with 'make wheel'" if platform.name == "linux" else "take it from the CI run's wheels"
            problems.append(f"no {platform.name} wheel in {shown(directory)}: expected "
                            f"{release.wheel_name(platform)}; {how}")
    return wheels, problems
