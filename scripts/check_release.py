#!/usr/bin/env python3
"""Release validator for castagnoli: the Python half of `make release-check` and publish.yml.

  check_release.py tag TAG [--pyproject FILE]
      TAG is 'v' plus a stable X.Y.Z equal to the [project] version of pyproject.toml.
  check_release.py dist DIR [--tag TAG] [--pyproject FILE] [--platforms LIST]
      DIR holds exactly one valid castagnoli wheel per platform in LIST and nothing else.
      On success prints one tab-separated line per wheel: platform, file, size, sha256.
  check_release.py index DIR --index-url URL [--plan-dir OUT] [--github-output FILE]
      Compares the wheels in DIR with the files the index already has (simple API,
      PEP 503 HTML or PEP 691 JSON): plans what is left to upload, copies just those
      into OUT, and writes upload=true|false for GitHub Actions.

Exit status: 0 when everything holds; 1 with one 'error: ...' line per problem
(what was expected, what was found, how to fix it); 2 for a usage error.
It never writes to DIR; only `index` writes, and only into OUT and the output file.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import os
import re
import shutil
import sys
import tomllib
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

PROJECT = "castagnoli"
PACKAGE_DIR = "castagnoli"
STABLE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
HASHES = ("sha256", "sha384", "sha512", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s")


@dataclass(frozen=True)
class Platform:
    """One platform we publish a wheel for."""

    name: str  # the name used on the command line (--platforms)
    tag: re.Pattern[str]  # the platform tag a release wheel must carry
    legacy_tags: frozenset[str]  # older aliases auditwheel may add beside it
    tag_glob: str  # the platform tag as shown in messages
    example_tag: str  # one concrete tag, for the expected file name in messages
    library: str  # the native library's path inside the wheel
    cibw_platform: str  # cibuildwheel --platform
    cibw_build: str  # the platform half of cibuildwheel's build identifier


# The release wheel set: one wheel per platform. This is the one place it is written;
# tests/tooling check that cibuildwheel's build identifiers agree with it.
PLATFORMS: dict[str, Platform] = {
    "linux": Platform(
        name="linux",
        tag=re.compile(r"manylinux_[0-9]+_[0-9]+_x86_64"),
        legacy_tags=frozenset({"manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64"}),
        tag_glob="manylinux_*_x86_64",
        example_tag="manylinux_2_28_x86_64",
        library=f"{PACKAGE_DIR}/libcastagnoli.so",
        cibw_platform="linux",
        cibw_build="manylinux_x86_64",
    ),
    "windows": Platform(
        name="windows",
        tag=re.compile(r"win_amd64"),
        legacy_tags=frozenset(),
        tag_glob="win_amd64",
        example_tag="win_amd64",
        library=f"{PACKAGE_DIR}/castagnoli.dll",
        cibw_platform="windows",
        cibw_build="win_amd64",
    ),
}
DEFAULT_PLATFORMS = ("linux", "windows")
HOST_PLATFORMS = {"linux": "linux", "win32": "windows"}


class UsageError(Exception):
    """A bad command line: reported as a usage error, exit 2."""


# --- versions and tags -------------------------------------------------------


def version_form_problem(text: str) -> str | None:
    """Why `text` is not a stable X.Y.Z version, or None when it is one."""
    if text == "":
        return "it is empty"
    if any(ch.isspace() for ch in text) or not text.isprintable():
        return "it contains whitespace, a newline or a control character"
    if not text.isascii():
        return "it contains non-ASCII characters"
    if STABLE.fullmatch(text):
        return None
    try:
        parsed = Version(text)
    except InvalidVersion:
        return "it is not a version number at all"
    if parsed.pre is not None:
        return "it is a pre-release (alpha, beta or rc); only stable releases are published"
    if parsed.dev is not None:
        return "it is a development release (.dev); only stable releases are published"
    if parsed.post is not None:
        return "it is a post-release (.post); publish a new X.Y.Z instead"
    if parsed.local is not None:
        return "it has a local version label (+...), which PyPI refuses"
    if parsed.epoch:
        return "it has an epoch (N!)"
    if len(parsed.release) != 3:
        return f"it has {len(parsed.release)} components, not 3"
    if str(parsed) != text:
        return f"it is not in canonical form (leading zeros or other spelling; canonical: {parsed})"
    return "it is not of the form X.Y.Z"  # pragma: no cover - every case is named above


def tag_problems(tag: str) -> list[str]:
    """Problems with the form of a release tag (expected: v + stable X.Y.Z)."""
    shown = ascii(tag)
    hint = "use a stable tag such as v1.2.3 (a wrong tag already pushed: git push --delete origin TAG)"
    if tag.startswith("V"):
        return [f"tag {shown} starts with 'V': expected a lowercase 'v' followed by X.Y.Z; {hint}"]
    if not tag.startswith("v"):
        return [f"tag {shown} does not start with 'v': expected v followed by X.Y.Z, e.g. v{tag}; {hint}"]
    problem = version_form_problem(tag[1:])
    if problem is not None:
        return [f"tag {shown}: expected v followed by a stable X.Y.Z, but {problem}; {hint}"]
    return []


def read_pyproject(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The parsed pyproject.toml, or None and the reason it could not be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [f"{path} does not exist: expected the project's pyproject.toml; pass --pyproject FILE"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path} cannot be read ({exc.__class__.__name__}: {exc}): expected a UTF-8 text file"]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return None, [f"{path} is not valid TOML: expected a TOML document, found a syntax error ({exc}); fix it"]


def pyproject_version(path: Path) -> tuple[str | None, list[str]]:
    """The static stable [project] version of pyproject.toml at `path`, or the problems."""
    data, problems = read_pyproject(path)
    if data is None:
        return None, problems
    project = data.get("project")
    if not isinstance(project, dict):
        return None, [f"{path} has no [project] table: expected [project] with version = \"X.Y.Z\""]
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "version" in dynamic:
        return None, [
            f"{path} declares the version dynamic: expected a static version = \"X.Y.Z\" in [project]; "
            "remove 'version' from dynamic and write it by hand"
        ]
    version = project.get("version")
    if version is None:
        return None, [f"{path} has no [project] version: expected version = \"X.Y.Z\"; add it to [project]"]
    if not isinstance(version, str):
        return None, [f"{path} [project] version is a {type(version).__name__}: expected a string \"X.Y.Z\""]
    problem = version_form_problem(version)
    if problem is not None:
        return None, [
            f"{path} [project] version {ascii(version)}: expected a stable X.Y.Z, but {problem}; "
            "set version = \"X.Y.Z\" and commit before tagging"
        ]
    return version, []


def tag_version_problems(tag: str, version: str, pyproject: Path) -> list[str]:
    """The tag must name exactly the pyproject version."""
    if tag[1:] == version:
        return []
    return [
        f"tag {ascii(tag)} does not match {pyproject}: expected v{version} (its [project] version), "
        f"found {ascii(tag)}; tag the release commit v{version}, or set version = \"{tag[1:]}\" in "
        "pyproject.toml, commit, and tag that commit"
    ]


def check_tag(tag: str, pyproject: Path) -> list[str]:
    """Everything `tag` must satisfy: its form, pyproject's version, and their match."""
    problems = tag_problems(tag)
    version, version_problems = pyproject_version(pyproject)
    problems += version_problems
    if not problems and version is not None:
        problems += tag_version_problems(tag, version, pyproject)
    return problems


# --- wheels ------------------------------------------------------------------


@dataclass(frozen=True)
class WheelInfo:
    path: Path
    platform: str
    size: int
    sha256: str


def platform_of(tags: frozenset[Tag], platforms: Sequence[Platform]) -> Platform | None:
    """The platform whose release tag the wheel carries (legacy aliases allowed beside it)."""
    for platform in platforms:
        names = {t.platform for t in tags}
        if any(platform.tag.fullmatch(n) for n in names) and all(
            platform.tag.fullmatch(n) or n in platform.legacy_tags for n in names
        ):
            return platform
    return None


def _expected_name(version: str, platform: Platform) -> str:
    return f"{PROJECT}-{version}-py3-none-{platform.example_tag}.whl"


def record_problems(name: str, zf: zipfile.ZipFile, record_path: str) -> list[str]:
    """RECORD must list every file with a matching hash and size, and nothing else."""
    try:
        rows = list(csv.reader(io.StringIO(zf.read(record_path).decode("utf-8"))))
    except (KeyError, UnicodeDecodeError, csv.Error) as exc:
        return [f"{name}: {record_path} cannot be read ({exc}): expected a CSV RECORD; rebuild the wheel"]
    problems: list[str] = []
    files = {info.filename for info in zf.infolist() if not info.is_dir()}
    listed: set[str] = set()
    fix = "rebuild the wheel; never edit a built wheel by hand"
    for row in rows:
        if not row:
            continue
        if len(row) != 3:
            problems.append(f"{name}: RECORD row {row!r} has {len(row)} fields: expected path,hash,size; {fix}")
            continue
        path, digest, size = row
        listed.add(path)
        if path not in files:
            problems.append(f"{name}: RECORD lists {path}, which is not in the wheel: expected RECORD to list "
                            f"exactly the wheel's files; {fix}")
            continue
        if path == record_path or path.endswith((".dist-info/RECORD.jws", ".dist-info/RECORD.p7s")):
            continue
        algorithm, _, expected = digest.partition("=")
        if algorithm not in HASHES or not expected:
            problems.append(f"{name}: RECORD hash for {path} is {digest!r}: expected sha256=<urlsafe base64>; {fix}")
            continue
        data = zf.read(path)
        found = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=").decode("ascii")
        if found != expected:
            problems.append(f"{name}: RECORD hash for {path}: expected {algorithm}={found} (the file's hash), "
                            f"found {algorithm}={expected}; {fix}")
        if size != str(len(data)):
            problems.append(f"{name}: RECORD size for {path}: expected {len(data)} (the file's size), found {size!r}; {fix}")
    for path in sorted(files - listed):
        problems.append(f"{name}: {path} is in the wheel but not in RECORD: expected every file listed; {fix}")
    return problems


def wheel_content_problems(path: Path, version: str, platform: Platform) -> list[str]:
    """The inside of one wheel: a sound zip with matching METADATA, WHEEL, RECORD and the library."""
    name = path.name
    dist_info = f"{PROJECT}-{version}.dist-info"
    rebuild = "rebuild it with 'make wheel' (or take it from the CI run)"
    try:
        with zipfile.ZipFile(path) as zf:
            broken = zf.testzip()
            if broken is not None:
                return [f"{name}: member {broken} is corrupt: expected its CRC to match, found a mismatch; {rebuild}"]
            members = set(zf.namelist())
            problems: list[str] = []
            for part in ("METADATA", "WHEEL", "RECORD"):
                if f"{dist_info}/{part}" not in members:
                    problems.append(f"{name}: {dist_info}/{part} is missing: expected in every wheel; {rebuild}")
            if problems:
                return problems
            from packaging.metadata import parse_email  # imported here: 30 ms the tag check does not need

            raw, _ = parse_email(zf.read(f"{dist_info}/METADATA"))
            meta_name, meta_version = raw.get("name"), raw.get("version")
            if meta_name is None or canonicalize_name(meta_name) != PROJECT:
                problems.append(f"{name}: METADATA Name is {meta_name!r}: expected {PROJECT!r}; {rebuild}")
            if meta_version != version:
                problems.append(f"{name}: METADATA Version is {meta_version!r}: expected {version!r}; {rebuild}")
            wheel = BytesParser().parsebytes(zf.read(f"{dist_info}/WHEEL"))
            purelib = (wheel.get("Root-Is-Purelib") or "").strip().lower()
            if purelib != "false":
                problems.append(
                    f"{name}: WHEEL says Root-Is-Purelib: {purelib or '(missing)'}: expected false, since the wheel "
                    "holds a native library; build it through setuptools with castagnoli_build.BdistWheel"
                )
            if platform.library not in members:
                found = sorted(m for m in members if m.endswith((".so", ".dll", ".dylib")))
                problems.append(
                    f"{name}: native library {platform.library} is missing: expected it inside the package "
                    f"(not under .data/), found {found or 'no library'}; {rebuild}"
                )
            problems += record_problems(name, zf, f"{dist_info}/RECORD")
            return problems
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        return [f"{name}: not a readable zip archive ({exc}): expected a wheel; {rebuild}"]


def wheel_problems(path: Path, version: str, platforms: Sequence[Platform]) -> tuple[Platform | None, list[str]]:
    """One wheel's filename and contents; returns its platform when the name is right."""
    name = path.name
    try:
        wheel_name, wheel_version, _build, tags = parse_wheel_filename(name)
    except InvalidWheelFilename as exc:
        return None, [f"{name}: not a valid wheel filename ({exc}): expected {PROJECT}-X.Y.Z-py3-none-PLATFORM.whl; "
                      "remove it from the directory"]
    problems: list[str] = []
    if wheel_name != PROJECT:
        problems.append(f"{name}: project is {wheel_name!r}: expected {PROJECT!r}; remove it from the directory")
    if str(wheel_version) != version or not name.startswith(f"{PROJECT}-{version}-"):
        problems.append(
            f"{name}: version is {wheel_version}: expected {version} (pyproject.toml); "
            "remove it and build the wheels from the tagged commit"
        )
    bad_tags = sorted(str(t) for t in tags if (t.interpreter, t.abi) != ("py3", "none"))
    if bad_tags:
        problems.append(
            f"{name}: tags {', '.join(bad_tags)}: expected py3-none-<platform> (the library is loaded with "
            "ctypes, not the Python ABI); build with castagnoli_build.BdistWheel"
        )
    platform = platform_of(tags, platforms)
    if platform is None:
        found = ".".join(sorted({t.platform for t in tags}))
        wanted = ", ".join(p.tag_glob for p in platforms)
        hint = (
            "run auditwheel repair on it ('make wheel' does)" if "linux" in found and "manylinux" not in found
            else "remove it from the directory"
        )
        problems.append(f"{name}: platform tag is {found}: expected one of {wanted}; {hint}")
        return None, problems
    if problems:
        return platform, problems
    return platform, wheel_content_problems(path, version, platform)


def dist_problems(directory: Path, version: str, platforms: Sequence[Platform]) -> tuple[list[WheelInfo], list[str]]:
    """DIR must hold exactly one valid wheel per platform and nothing else."""
    if not directory.is_dir():
        what = "does not exist" if not directory.exists() else "is not a directory"
        return [], [f"{directory} {what}: expected a directory of wheels; build them with 'make wheel' or pass DIST=DIR"]
    problems: list[str] = []
    found: dict[str, list[Path]] = {p.name: [] for p in platforms}
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            problems.append(f"{entry.name}: hidden entry in {directory}: expected wheels only; remove it")
        elif entry.is_dir():
            problems.append(f"{entry.name}/: directory in {directory}: expected wheels only; move the wheels up and remove it")
        elif entry.name.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz")):
            problems.append(f"{entry.name}: source distribution in {directory}: expected wheels only, "
                            "castagnoli publishes no sdist; remove it")
        elif not entry.name.endswith(".whl"):
            problems.append(f"{entry.name}: stray file in {directory}: expected wheels only; remove it")
        else:
            platform, wheel_issues = wheel_problems(entry, version, platforms)
            problems += wheel_issues
            if platform is not None:
                found[platform.name].append(entry)
    infos: list[WheelInfo] = []
    for platform in platforms:
        wheels = found[platform.name]
        if not wheels:
            problems.append(
                f"no {platform.name} wheel in {directory}: expected one {_expected_name(version, platform)}; "
                + ("build it with 'make wheel'" if platform.name == "linux" else "take it from the CI wheels job")
            )
        elif len(wheels) > 1:
            problems.append(
                f"{len(wheels)} {platform.name} wheels in {directory} ({', '.join(w.name for w in wheels)}): "
                "expected exactly one; remove all but the one to publish"
            )
        else:
            data = wheels[0].read_bytes()
            infos.append(WheelInfo(wheels[0], platform.name, len(data), hashlib.sha256(data).hexdigest()))
    return infos, problems


# --- the index: what is already published ------------------------------------


@dataclass(frozen=True)
class UploadPlan:
    published: list[str]  # identical files already on the index
    to_upload: list[Path]  # files the index does not have yet


class IndexReadError(Exception):
    """The index could not be asked, or its answer could not be trusted."""


def published_digests(index_url: str, project: str = PROJECT, timeout: float = 30.0) -> dict[str, str | None]:
    """filename -> sha256 (None when the index gives none) of every file the index has for `project`.

    Read through pypi-simple (PEP 503 HTML and PEP 691 JSON). A missing project is
    an empty mapping; anything unreachable or unreadable raises IndexReadError.
    """
    import requests
    from pypi_simple import NoSuchProjectError, PyPISimple
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename

    try:
        with PyPISimple(endpoint=index_url) as client:
            page = client.get_project_page(project, timeout=timeout)
    except NoSuchProjectError:
        return {}
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise IndexReadError(f"the index at {index_url} cannot be reached ({exc})") from exc
    except requests.HTTPError as exc:
        raise IndexReadError(f"the index at {index_url} refused the request ({exc})") from exc
    except Exception as exc:  # the client library's parse and protocol errors
        raise IndexReadError(f"the index at {index_url} answered something that is not a simple-API project page "
                          f"({exc.__class__.__name__}: {exc})") from exc
    files: dict[str, str | None] = {}
    for package in page.packages:
        filename = package.filename
        try:
            if filename.endswith(".whl"):
                name = parse_wheel_filename(filename)[0]
            else:
                name = parse_sdist_filename(filename)[0]
        except (InvalidWheelFilename, InvalidSdistFilename):
            name = None
        if name != project:
            raise IndexReadError(f"the index at {index_url} lists {filename!r} on {project}'s page, which is not a "
                              f"{project} distribution: the answer cannot be trusted")
        files[filename] = package.digests.get("sha256")
    if not files and page.repository_version is None:
        raise IndexReadError(f"the index at {index_url} answered a page with no files and no repository version: "
                          "it does not look like a simple-API project page")
    return files


def plan_upload(wheels: Sequence[Path], published: dict[str, str | None]) -> tuple[UploadPlan, list[str]]:
    """Which wheels are already published identically, which are left, and conflicts."""
    plan = UploadPlan(published=[], to_upload=[])
    problems: list[str] = []
    for wheel in wheels:
        if wheel.name not in published:
            plan.to_upload.append(wheel)
            continue
        local = hashlib.sha256(wheel.read_bytes()).hexdigest()
        remote = published[wheel.name]
        if remote is None:
            problems.append(f"{wheel.name} is on the index without a sha256: expected one to compare with, found "
                            "none; check the file on the index by hand before publishing anything")
        elif remote != local:
            problems.append(
                f"{wheel.name} is already on the index with a different content: expected sha256 {local} "
                f"(local), found {remote} (index); a published file can never be replaced, so release a new "
                "version instead"
            )
        else:
            plan.published.append(wheel.name)
    return plan, problems


def write_plan(plan: UploadPlan, plan_dir: Path | None, github_output: Path | None) -> None:
    if plan_dir is not None:
        plan_dir.mkdir(parents=True, exist_ok=True)
        for wheel in plan.to_upload:
            shutil.copy2(wheel, plan_dir / wheel.name)
    if github_output is not None:
        with github_output.open("a", encoding="utf-8") as out:
            out.write(f"upload={'true' if plan.to_upload else 'false'}\n")
            out.write(f"count={len(plan.to_upload)}\n")


def run_index(args: argparse.Namespace) -> int:
    directory: Path = args.dir
    if not directory.is_dir():
        return report([f"{directory} is not a directory: expected the verified wheels; pass DIR"])
    wheels = sorted(p for p in directory.iterdir() if p.name.endswith(".whl"))
    if not wheels:
        return report([f"no wheels in {directory}: expected the verified wheels; run make release-check first"])
    plan_dir: Path | None = args.plan_dir
    if plan_dir is not None and plan_dir.exists() and (not plan_dir.is_dir() or any(plan_dir.iterdir())):
        return report([f"--plan-dir {plan_dir} is not an empty directory: expected a new or empty one, "
                       "so that it holds exactly the files to upload; choose another path"])
    try:
        published = published_digests(args.index_url)
    except IndexReadError as exc:
        return report([f"{exc}; nothing is assumed about what is published: check the URL and retry"])
    plan, problems = plan_upload(wheels, published)
    if problems:
        return report(problems)
    write_plan(plan, plan_dir, args.github_output)
    for name in plan.published:
        print(f"published already (identical sha256): {name}")
    for wheel in plan.to_upload:
        print(f"to upload: {wheel.name}")
    if not plan.to_upload:
        print(f"already published: all {len(wheels)} file(s) are on the index; upload nothing")
    elif plan.published:
        print(f"partly published: upload only the {len(plan.to_upload)} file(s) left")
    else:
        print(f"nothing published yet: upload all {len(wheels)} file(s)")
    return 0


# --- command line ------------------------------------------------------------


def parse_platforms(value: str) -> list[Platform]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if not names:
        raise UsageError("--platforms is empty: expected a comma-separated list such as linux,windows")
    chosen: list[Platform] = []
    for n in names:
        if n == "host":
            host = HOST_PLATFORMS.get(sys.platform)
            if host is None:
                raise UsageError(f"--platforms host: no release wheel is built for {sys.platform}; "
                                 f"name the platforms, one of: {', '.join(PLATFORMS)}")
            n = host
        if n not in PLATFORMS:
            raise UsageError(f"--platforms: unknown platform {n!r}: expected some of {', '.join(PLATFORMS)} or host")
        if PLATFORMS[n] not in chosen:
            chosen.append(PLATFORMS[n])
    return chosen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="check_release.py",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Exit status: 0 all checks pass; 1 problems found, one 'error:' line each; 2 usage error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{tag,dist,index}")
    tag = sub.add_parser("tag", help="check a release tag against pyproject.toml",
                         description="TAG must be v + a stable X.Y.Z equal to the static [project] version.")
    tag.add_argument("tag", metavar="TAG", help="the release tag, e.g. v1.2.3")
    tag.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                     help="the pyproject.toml to read (default: ./pyproject.toml)")
    dist = sub.add_parser(
        "dist", help="check a directory of wheels",
        description="DIR must hold exactly one valid castagnoli wheel per platform and nothing else; "
                    "on success one line per wheel: platform<TAB>file<TAB>size<TAB>sha256.")
    dist.add_argument("dir", metavar="DIR", type=Path, help="the directory of wheels, e.g. dist")
    dist.add_argument("--tag", help="also check this release tag and that the wheels carry its version")
    dist.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"), metavar="FILE",
                      help="the pyproject.toml to read (default: ./pyproject.toml)")
    dist.add_argument("--platforms", default=",".join(DEFAULT_PLATFORMS), metavar="LIST",
                      help=f"comma-separated platforms, from: {', '.join(PLATFORMS)}, host "
                           f"(default: {','.join(DEFAULT_PLATFORMS)})")
    index = sub.add_parser(
        "index", help="plan an upload: which wheels in DIR the index does not have yet",
        description="Compare DIR's wheels with the index's files (simple API) for the project. "
                    "Exit 0 with a plan (upload all, some or none); exit 1 when a file of the same name "
                    "differs or the index cannot be read.")
    index.add_argument("dir", metavar="DIR", type=Path, help="the verified wheels, e.g. dist")
    index.add_argument("--index-url", required=True, metavar="URL",
                       help="the simple API root, e.g. https://pypi.org/simple/")
    index.add_argument("--plan-dir", type=Path, metavar="OUT",
                       help="new or empty directory that receives copies of the files left to upload")
    default_output = os.environ.get("GITHUB_OUTPUT")
    index.add_argument("--github-output", type=Path, metavar="FILE",
                       default=Path(default_output) if default_output else None,
                       help="append upload=true|false and count=N here (default: $GITHUB_OUTPUT)")
    return parser


def report(problems: Sequence[str]) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "tag":
            problems = check_tag(args.tag, args.pyproject)
            if not problems:
                print(f"ok: tag {args.tag} matches the [project] version of {args.pyproject}")
            return report(problems)
        if args.command == "index":
            return run_index(args)
        platforms = parse_platforms(args.platforms)
    except UsageError as exc:
        parser.error(str(exc))
    version, problems = pyproject_version(args.pyproject)
    if args.tag is not None:
        problems = check_tag(args.tag, args.pyproject)
    if version is None or problems:
        return report(problems)
    infos, problems = dist_problems(args.dir, version, platforms)
    if problems:
        return report(problems)
    for info in infos:
        print(f"{info.platform}\t{info.path.name}\t{info.size}\t{info.sha256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
