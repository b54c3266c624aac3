"""The directory of wheels every check reads: which one and for which platforms (the scope), and whether it
holds exactly the release's wheels, each sound, and nothing else."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .config import PROJECT, Release
from .text import shown

if TYPE_CHECKING:
    from .wheel import Wheel

MAX_DIR_ENTRIES = 100
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}


class UsageError(Exception):
    """A bad command line: exit 2."""


def wheel_scope(directory: Path | None, platforms: str | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """(DIR, platforms) of every check of wheels: DIR given, or $DIST set: the full release set there; neither:
    the host wheel in dist/ (release-check.sh does the same). --platforms, given, wins."""
    if directory is None and not environ.get("DIST"):
        return Path("dist"), platforms or "host"
    return directory or Path(environ["DIST"]), platforms or "linux,windows"


def scope_words(platforms: str) -> str:
    return "host wheel only" if platforms == "host" else "full release set" if platforms == "linux,windows" \
        else f"platforms {platforms}"


def shown_dir(directory: Path) -> str:
    """DIR as typed, with one trailing slash (DIST=dist/ shows as dist/)."""
    text = os.fsdecode(directory).rstrip("/") + "/"
    return text if text.isprintable() and text.isascii() else shown(text)


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
            how = "build it with 'make wheel'" if platform.name == "linux" else "take it from the CI wheels job"
            problems.append(f"no {platform.name} wheel in {shown(directory)}: expected "
                            f"{release.wheel_name(platform)}; {how}")
    return wheels, problems


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
