"""The directory of wheels every check reads: exactly the release's wheels and nothing else, each sound.

A wheel is a plain file under a size cap with its exact release name, and a sound archive: bounded members
(caps checked before anything is decompressed), one .dist-info whose METADATA, WHEEL and RECORD agree with the
release, the extension inside, and RECORD's hashes and sizes checked by installer. Nothing is written.
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

MAX_DIR_ENTRIES = 100
MAX_WHEEL_BYTES = 64 << 20
MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 64 << 20
MAX_TOTAL_BYTES = 256 << 20
MAX_DIST_INFO_FILE_BYTES = 1 << 20
# how to get a sound wheel of each platform again
FIXES = {"linux": "rebuild it with 'make wheel' (or take it from the CI run)",
         "windows": "take the Windows wheel from the CI run again (cibuildwheel on Windows builds it)"}


@dataclass(frozen=True)
class Wheel:
    path: Path
    platform: Platform
    size: int
    sha256: str


def dist_problems(directory: Path, release: Release,
                  source_url: str | None = None) -> tuple[list[Wheel], list[str]]:
    """(the wheels, problems): DIR must hold exactly the release's wheels and nothing else (naming
    `source_url` in their METADATA, when given)."""
    try:
        with os.scandir(directory) as scan:
            names = sorted(entry.name for _, entry in zip(range(MAX_DIR_ENTRIES + 1), scan))
    except OSError as exc:  # missing, not a directory, unreadable
        return [], [f"{shown(directory)} cannot be listed ({exc.strerror}): expected a directory of wheels; pass "
                    "DIST=DIR holding them (the host wheel: 'make wheel'; the release set: the CI run's artifacts, "
                    "RELEASING.md)"]
    if len(names) > MAX_DIR_ENTRIES:
        return [], [f"{shown(directory)} holds more than {MAX_DIR_ENTRIES} entries: expected the release wheels "
                    "only; pass the directory of wheels"]
    expected = {release.wheel_name(p): p for p in release.platforms}
    problems = [f"{shown(name)} in {shown(directory)} is not one of the release's wheels: expected only "
                f"{' and '.join(expected)} (pyproject.toml says {release.version}); remove it"
                for name in names if name not in expected]
    wheels: list[Wheel] = []
    for name, platform in expected.items():
        if name not in names:
            problems.append(f"no {platform.name} wheel in {shown(directory)}: expected {name}; {FIXES[platform.name]}")
            continue
        wheel, found = wheel_problems(directory / name, release, platform, source_url)
        problems += found
        wheels += [wheel] if wheel is not None else []
    return wheels, problems


def wheel_problems(path: Path, release: Release, platform: Platform,
                   source_url: str | None = None) -> tuple[Wheel | None, list[str]]:
    """The release's wheel for `platform` at `path`: the wheel, or the problems (with `source_url`: METADATA
    names it)."""
    name, fix = path.name, FIXES[platform.name]
    try:
        info = os.lstat(path)
    except OSError as exc:
        return None, [f"{name} cannot be examined ({exc.strerror}): expected a readable wheel; {fix}"]
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_WHEEL_BYTES:
        found = f"{info.st_size} bytes" if stat.S_ISREG(info.st_mode) else "a link, FIFO or device"
        return None, [f"{name} is {found}: expected a regular wheel file of at most {MAX_WHEEL_BYTES} bytes; {fix}"]
    try:  # the guard of the archive: zipfile's, zlib's and the readers' errors alike
        with zipfile.ZipFile(path) as zf:
            problems = member_problems(name, zf.infolist(), fix) or dist_info_problems(zf, release, platform,
                                                                                        source_url, fix)
    except (zipfile.BadZipFile, zlib.error, csv.Error, EOFError, NotImplementedError, RuntimeError, ValueError,
            OSError) as exc:
        problems = [f"{name}: not a sound zip archive ({shown(str(exc))}): expected a wheel; {fix}"]
    return (None, problems) if problems else (Wheel(path, platform, info.st_size, sha256_of(path)), [])


def member_problems(name: str, infos: list[zipfile.ZipInfo], fix: str) -> list[str]:
    """What is wrong with the archive's members, read from its directory alone."""
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        return [f"{name}: {len(infos)} members of {sum(i.file_size for i in infos)} bytes uncompressed: expected "
                f"at most {MAX_MEMBERS} of at most {MAX_TOTAL_BYTES} bytes; {fix}"]
    problems = [f"{name}: data before the first zip entry: expected a plain wheel; {fix}"] \
        if infos and min(i.header_offset for i in infos) != 0 else []
    members = [i.filename for i in infos]
    for info in infos:
        member, parts = info.filename, info.filename.split("/")
        if member.startswith("/") or ".." in parts or ":" in parts[0] or "\\" in member or not member.isprintable():
            problems.append(f"{name}: member {shown(member)} escapes the install directory or holds a backslash or "
                            f"control character: expected relative paths; {fix}")
        if members.count(member) > 1 and info is next(i for i in infos if i.filename == member):
            problems.append(f"{name}: member {shown(member)} appears twice: expected unique members; {fix}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.append(f"{name}: member {shown(member)} uses compression method {info.compress_type}: expected "
                            f"stored or deflated, which every installer reads; {fix}")
        if info.file_size > MAX_MEMBER_BYTES:
            problems.append(f"{name}: member {shown(member)} declares {info.file_size} bytes: expected at most "
                            f"{MAX_MEMBER_BYTES}; {fix}")
    return problems


def dist_info_problems(zf: zipfile.ZipFile, release: Release, platform: Platform, source_url: str | None,
                       fix: str) -> list[str]:
    """The .dist-info against the release, the extension, and RECORD against the files (installer)."""
    from installer.exceptions import InstallerError
    from installer.sources import WheelFile
    from packaging.metadata import parse_email
    from packaging.utils import canonicalize_name

    name, dist_info, members = os.path.basename(str(zf.filename)), f"{PROJECT}-{release.version}.dist-info", \
        set(zf.namelist())
    found = sorted({m.split("/", 1)[0] for m in members if m.split("/", 1)[0].endswith(".dist-info")})
    parts = [f"{dist_info}/{part}" for part in ("METADATA", "WHEEL", "RECORD")]
    if found != [dist_info] or not all(p in members and zf.getinfo(p).file_size <= MAX_DIST_INFO_FILE_BYTES
                                       for p in parts):
        return [f"{name}: .dist-info directories {', '.join(map(shown, found)) or 'none'}: expected exactly "
                f"{dist_info} holding METADATA, WHEEL and RECORD of at most {MAX_DIST_INFO_FILE_BYTES} bytes; {fix}"]
    metadata, wheel, record = (zf.read(p) for p in parts)
    raw, _ = parse_email(metadata)
    problems = []
    if canonicalize_name(raw.get("name") or "") != PROJECT or raw.get("version") != release.version:
        problems.append(f"{name}: METADATA says {shown(raw.get('name'))} {shown(raw.get('version'))}: expected "
                        f"{PROJECT} {release.version}; {fix}")
    urls = list((raw.get("project_urls") or {}).values())
    if source_url is not None and not any(url.rstrip("/").lower() == source_url.lower() for url in urls):
        problems.append(f"{name}: METADATA Project-URLs are {', '.join(map(shown, urls)) or 'none'}: expected "
                        f"{source_url}, the repository that publishes it, so PyPI's page names it; set it in "
                        "[project.urls] of pyproject.toml (RELEASING.md, one-time setup)")
    tags = sorted(str(t).strip() for t in BytesParser().parsebytes(wheel).get_all("Tag") or [])
    if tags != [f"{release.python_tag}-abi3-{platform.tag}"]:
        problems.append(f"{name}: WHEEL Tag lines {', '.join(map(shown, tags)) or 'none'}: expected exactly "
                        f"{release.python_tag}-abi3-{platform.tag}, as in the file name; {fix}")
    if platform.module not in members:
        modules = sorted(shown(m) for m in members if m.endswith((".so", ".pyd", ".dll")))
        problems.append(f"{name}: extension {platform.module} is missing: expected it inside the package, found "
                        f"{', '.join(modules) or 'no extension'}; {fix}")
    paths = [row[0] for row in csv.reader(io.StringIO(record.decode("utf-8"))) if row]
    problems += [f"{name}: RECORD lists {shown(p)} more than once, or though it is not in the wheel: expected one "
                 f"row per file of the wheel; {fix}"
                 for p in sorted(set(paths)) if paths.count(p) > 1 or p not in members]
    try:
        WheelFile(zf).validate_record(validate_contents=True)
    except InstallerError as exc:  # installer's public base class; its validation error lists the issues
        issues = getattr(exc, "issues", None) or [str(exc)]
        prefix = f"In {zf.filename}, "
        problems += [f"{name}: {shown(str(issue).removeprefix(prefix))[1:-1]}; {fix}" for issue in issues]
    return problems
