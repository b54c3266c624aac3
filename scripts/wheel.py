"""One release wheel: its entry, its exact file name, and a sound archive.

Every read is bounded: the file, each member, their total and RECORD have
size caps checked before anything is decompressed, and hashes stream.
RECORD's hashes and sizes are checked by `installer`, the library pip's
successor tooling installs wheels with.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path

from .config import PROJECT, Platform, Release
from .text import sha256_of, shown

MAX_WHEEL_BYTES = 64 << 20
MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 64 << 20
MAX_TOTAL_BYTES = 256 << 20
MAX_DIST_INFO_FILE_BYTES = 1 << 20
REBUILD = "rebuild it with 'make wheel' (or take it from the CI run)"
# how to get a sound wheel of each platform again
FIXES = {"linux": REBUILD, "windows": "take the Windows wheel from the CI run again (cibuildwheel on Windows builds it)"}


@dataclass(frozen=True)
class Wheel:
    path: Path
    platform: Platform
    size: int
    sha256: str


def entry_problem(path: Path) -> str | None:
    """Why the directory entry `path` is not a plain, bounded file (never opens it)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return f"{shown(path.name)} cannot be examined ({exc.strerror}): expected a readable wheel; remove it"
    if stat.S_ISLNK(info.st_mode):
        return f"{shown(path.name)} is a symbolic link: expected the wheel file itself; copy the wheel in its place"
    if not stat.S_ISREG(info.st_mode):
        return (f"{shown(path.name)} is not a regular file (a FIFO, socket or device): expected a wheel file; "
                "remove it")
    if info.st_size > MAX_WHEEL_BYTES:
        return (f"{shown(path.name)} is {info.st_size} bytes: expected a wheel of at most {MAX_WHEEL_BYTES} "
                f"bytes; {REBUILD}")
    return None


def platform_of_name(name: str, release: Release) -> Platform | None:
    """The platform whose exact release file name `name` is, if any."""
    return next((p for p in release.platforms if release.wheel_name(p) == name), None)


def name_problem(name: str, release: Release) -> str:
    """Why `name` is not one of the release's wheel names (call only when it is not)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    expected = " or ".join(release.wheel_name(p) for p in release.platforms)
    head = f"{shown(name)}: expected exactly {expected}"
    try:
        project, version, build, tags = parse_wheel_filename(name)
    except (InvalidWheelFilename, ValueError):
        return f"{head}, found a name that is not a valid wheel file name; remove it from the directory"
    if project != PROJECT:
        return f"{head}, found project {shown(str(project))}; remove it from the directory"
    if str(version) != release.version:
        return (f"{head}, found version {shown(str(version))} (pyproject.toml says {release.version}); remove it "
                "and build the wheels from the release commit")
    if build:
        return f"{head}, found a build tag; {REBUILD}"
    if len(tags) > 1:
        return f"{head}, found a compressed tag set ({len(tags)} tags); {REBUILD}"
    if not name.isascii() or not name.isprintable():
        return f"{head}, found non-ASCII or control characters; remove it from the directory"
    return f"{head}, found tag {shown(str(next(iter(tags))))}; {REBUILD}"


def _member_problems(name: str, infos: list[zipfile.ZipInfo], fix: str) -> list[str]:
    problems: list[str] = []
    if len(infos) > MAX_MEMBERS:
        return [f"{name}: {len(infos)} members: expected at most {MAX_MEMBERS}; {fix}"]
    if infos and min(i.header_offset for i in infos) != 0:
        problems.append(f"{name}: data before the first zip entry: expected a plain wheel; {fix}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        member = info.filename
        parts = member.replace("\\", "/").split("/")
        if member.startswith(("/", "\\")) or (len(member) > 1 and member[1] == ":") or ".." in parts:
            problems.append(f"{name}: member {shown(member)} escapes the install directory: expected relative "
                            f"paths without '..'; {fix}")
        if not member.isprintable() or "\\" in member:
            problems.append(f"{name}: member {shown(member)} has control characters or backslashes; {fix}")
        if member in seen:
            problems.append(f"{name}: member {shown(member)} appears twice: expected unique members; {fix}")
        seen.add(member)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(f"{name}: member {shown(member)} uses compression method {info.compress_type}: "
                            f"expected stored or deflated, which every installer reads; {fix}")
        if info.file_size > MAX_MEMBER_BYTES:
            problems.append(f"{name}: member {shown(member)} declares {info.file_size} bytes: expected at most "
                            f"{MAX_MEMBER_BYTES}; {fix}")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        problems.append(f"{name}: members total {total} bytes uncompressed: expected at most {MAX_TOTAL_BYTES}; "
                        f"{fix}")
    return problems


def _read_small(zf: zipfile.ZipFile, member: str) -> bytes:
    with zf.open(member) as handle:
        return handle.read(MAX_DIST_INFO_FILE_BYTES + 1)


def source_url_problem(name: str, project_urls: dict[str, str], source_url: str) -> str | None:
    """Why METADATA's Project-URLs do not name `source_url` (the repository that publishes), or None."""
    if any(url.rstrip("/").lower() == source_url.lower() for url in project_urls.values()):
        return None
    found = ", ".join(shown(url) for url in project_urls.values()) or "none"
    return (f"{name}: METADATA Project-URLs are {found}: expected {source_url}, the repository that publishes it, "
            "so PyPI's page names it; set it in [project.urls] of pyproject.toml (RELEASING.md, one-time setup)")


def _dist_info_problems(name: str, zf: zipfile.ZipFile, release: Release, platform: Platform,
                        source_url: str | None, fix: str) -> list[str]:
    dist_info = f"{PROJECT}-{release.version}.dist-info"
    members = set(zf.namelist())
    found = sorted({m.split("/", 1)[0] for m in members if m.split("/", 1)[0].endswith(".dist-info")})
    if found != [dist_info]:
        return [f"{name}: .dist-info directories {', '.join(map(shown, found)) or 'none'}: expected exactly "
                f"{dist_info}; {fix}"]
    missing = [part for part in ("METADATA", "WHEEL", "RECORD") if f"{dist_info}/{part}" not in members]
    if missing:
        return [f"{name}: {dist_info}/{part} is missing: expected in every wheel; {fix}" for part in missing]
    for part in ("METADATA", "WHEEL", "RECORD"):
        if zf.getinfo(f"{dist_info}/{part}").file_size > MAX_DIST_INFO_FILE_BYTES:
            return [f"{name}: {dist_info}/{part} is over {MAX_DIST_INFO_FILE_BYTES} bytes; {fix}"]
    problems: list[str] = []
    from packaging.metadata import parse_email

    from packaging.utils import canonicalize_name

    raw, _ = parse_email(_read_small(zf, f"{dist_info}/METADATA"))
    if canonicalize_name(raw.get("name") or "") != PROJECT or raw.get("version") != release.version:
        problems.append(f"{name}: METADATA says {shown(raw.get('name'))} {shown(raw.get('version'))}: expected "
                        f"{PROJECT} {release.version}; {fix}")
    wheel = BytesParser().parsebytes(_read_small(zf, f"{dist_info}/WHEEL"))
    if (wheel.get("Root-Is-Purelib") or "").strip().lower() != "false":
        problems.append(f"{name}: WHEEL Root-Is-Purelib is {shown(wheel.get('Root-Is-Purelib'))}: expected false, "
                        "since the wheel holds an extension module; build it with castagnoli_build.BdistWheel")
    tags = sorted(str(t).strip() for t in wheel.get_all("Tag") or [])
    expected_tag = f"{release.python_tag}-abi3-{platform.tag}"
    if tags != [expected_tag]:
        problems.append(f"{name}: WHEEL Tag lines {', '.join(map(shown, tags)) or 'none'}: expected exactly "
                        f"{expected_tag}, as in the file name; {fix}")
    source = None if source_url is None else source_url_problem(name, raw.get("project_urls") or {}, source_url)
    if source is not None:
        problems.append(source)
    if platform.module not in members:
        modules = sorted(shown(m) for m in members if m.endswith((".so", ".pyd", ".dll")))
        problems.append(f"{name}: extension {platform.module} is missing: expected it inside the package, found "
                        f"{', '.join(modules) or 'no extension'}; {fix}")
    return problems + _record_problems(name, zf, f"{dist_info}/RECORD", fix)


def _record_problems(name: str, zf: zipfile.ZipFile, record: str, fix: str) -> list[str]:
    from installer.exceptions import InstallerError
    from installer.sources import WheelFile

    try:
        rows = list(csv.reader(io.StringIO(_read_small(zf, record).decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        return [f"{name}: {record} is not a UTF-8 CSV file ({shown(str(exc))}); {fix}"]
    paths = [row[0] for row in rows if row]
    problems = [f"{name}: RECORD lists {shown(p)} more than once: expected one row per file; {fix}"
                for p in sorted({p for p in paths if paths.count(p) > 1})]
    members = set(zf.namelist())
    problems += [f"{name}: RECORD lists {shown(p)}, which is not in the wheel: expected exactly the wheel's "
                 f"files; {fix}" for p in sorted(set(paths) - members)]
    try:
        WheelFile(zf).validate_record(validate_contents=True)
    except InstallerError as exc:  # installer's public base class; its validation error lists the issues
        prefix = f"In {zf.filename}, "
        issues = getattr(exc, "issues", None) or [str(exc)]
        problems += [f"{name}: {shown(str(issue).removeprefix(prefix))[1:-1]}; {fix}" for issue in issues]
    return problems


def archive_problems(path: Path, release: Release, platform: Platform, source_url: str | None = None) -> list[str]:
    """The inside of one wheel whose entry and name are already valid."""
    name, fix = path.name, FIXES[platform.name]
    try:
        with zipfile.ZipFile(path) as zf:
            problems = _member_problems(name, zf.infolist(), fix)
            if problems:
                return problems
            return _dist_info_problems(name, zf, release, platform, source_url, fix)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        return [f"{name}: not a sound zip archive ({shown(str(exc))}): expected a wheel; {fix}"]
    except OSError as exc:
        return [f"{name}: cannot be read ({exc.strerror or shown(str(exc))}): expected a readable wheel; {fix}"]


def wheel_problems(path: Path, release: Release, source_url: str | None = None) -> tuple[Wheel | None, list[str]]:
    """One directory entry as a release wheel: the wheel, or the problems (with `source_url`: METADATA names it)."""
    problem = entry_problem(path)
    if problem is not None:
        return None, [problem]
    platform = platform_of_name(path.name, release)
    if platform is None:
        return None, [name_problem(path.name, release)]
    problems = archive_problems(path, release, platform, source_url)
    if problems:
        return None, problems
    return Wheel(path, platform, path.stat().st_size, sha256_of(path)), []
