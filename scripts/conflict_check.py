"""conflict-check: before the upload, no wheel in DIR is on the index under its name with other content.

  python -m scripts conflict-check --index-url URL [--pyproject FILE] [DIR]
      DIR, else $DIST (the full release set), else dist/ (the host wheel only): each wheel is either not on
      the index yet, or there with the same sha256; and a release older than 14 days there lacks none of them.

PyPI accepts a re-upload of a file it has with identical hashes (200, a
no-op) and refuses one whose name it has with other content: that version is
burnt. So before publishing, the only question worth asking the index is
whether any of our wheels is in the second case; everything else is safe
to upload, every time. And PyPI takes no new file for a release whose first
file is over 14 days old.
"""

from __future__ import annotations

import argparse
import datetime

from .cli import index_check_wheels, index_url_argument, wheels_arguments
from .config import PROJECT
from .index import IndexReadError, Published, published_files
from .text import report, shown

# Warehouse refuses new files for a release whose first file is older than this.
NEW_FILES_WINDOW = datetime.timedelta(days=14)


def window_problem(version: str, missing: list[str], published: dict[str, Published],
                   now: datetime.datetime) -> str | None:
    """Why PyPI will refuse the `missing` wheels of `version` (its first file is over 14 days old), or None."""
    times = [t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)
             for p in published.values() if p.version == version and (t := p.upload_time) is not None]
    if not missing or not times or now - min(times) <= NEW_FILES_WINDOW:
        return None
    major, minor, patch = version.split(".")
    return (f"{', '.join(missing)} is not on the index, and the first file of {version} there was uploaded "
            f"{min(times):%Y-%m-%d %H:%M} UTC, more than {NEW_FILES_WINDOW.days} days ago: PyPI refuses new "
            f"files for such a release; bump [project] version to {major}.{minor}.{int(patch) + 1} and release that")


def conflicts(wheels: dict[str, str], published: dict[str, Published], version: str = "",
              now: datetime.datetime | None = None) -> tuple[list[str], list[str]]:
    """(notes, problems) for our wheels (name -> sha256) of `version` against what the index holds."""
    notes: list[str] = []
    problems: list[str] = []
    window = window_problem(version, sorted(set(wheels) - set(published)), published,
                            now or datetime.datetime.now(datetime.timezone.utc))
    if window is not None:
        problems.append(window)
    for name, sha256 in sorted(wheels.items()):
        there = published.get(name)
        if there is None:
            notes.append(f"not on the index yet: {name}")
        elif there.sha256 is None:
            problems.append(f"{name} is on the index without a sha256: expected one to compare with; check the "
                            "file on the index by hand before publishing")
        elif there.sha256 != sha256.lower():
            problems.append(f"{name} is already on the index with other content: expected sha256 {sha256} "
                            f"(ours), found {there.sha256}; this version is burnt on the index (a published file "
                            "can never be replaced): bump [project] version and release that")
        else:
            yanked = "" if there.yanked is None else f" (yanked: {shown(there.yanked)})"
            notes.append(f"already on the index, identical{yanked}: {name} (a re-upload is accepted as a no-op)")
    return notes, problems


def arguments(parser: argparse.ArgumentParser) -> None:
    wheels_arguments(parser)
    index_url_argument(parser)


def run(args: argparse.Namespace) -> int:
    release, verified, problems = index_check_wheels(args, "conflict-check")
    if release is None or problems:
        return report(problems)
    try:
        published = published_files(args.index_url, PROJECT)
    except IndexReadError as exc:
        return report([f"{exc}; nothing is assumed about what is published: check the URL and retry"])
    notes, problems = conflicts({w.path.name: w.sha256 for w in verified}, published, release.version)
    for note in notes:
        print(f"ok: {note}")
    return report(problems)
