"""What a castagnoli release is, derived from pyproject.toml alone.

The version is [project] version; the wheel tag is cpXY-abi3 with XY the floor of requires-python (read by the
build's own function); the Linux platform tag is the manylinux image cibuildwheel builds in. Nothing here is a
second copy of those settings: change pyproject.toml and every check follows.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .text import shown

PROJECT = "castagnoli"
MAX_PYPROJECT_BYTES = 1 << 20
BUILD_MODULE = Path(__file__).resolve().parents[1] / "src" / "castagnoli_build.py"
GITHUB_URL = re.compile(r"https://github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})/?")


@dataclass(frozen=True)
class Platform:
    """One platform castagnoli publishes a wheel for."""

    name: str  # as on the command line and in reports: linux, windows
    tag: str  # the one platform tag its wheel carries
    module: str  # the extension's path inside the wheel


@dataclass(frozen=True)
class Release:
    version: str
    python_tag: str  # cp311
    platforms: tuple[Platform, ...]
    repository: str  # OWNER/NAME from [project.urls] Source: the GitHub repository that publishes

    @property
    def source_url(self) -> str:
        return f"https://github.com/{self.repository}"

    def wheel_name(self, platform: Platform) -> str:
        return f"{PROJECT}-{self.version}-{self.python_tag}-abi3-{platform.tag}.whl"

    def platform(self, name: str) -> Platform:
        return next(p for p in self.platforms if p.name == name)


def version_form_problem(text: str) -> str | None:
    """Why `text` is not a stable X.Y.Z version in canonical form (packaging's reading), or None when it is one."""
    from packaging.version import InvalidVersion, Version

    if not text.isascii() or not text.isprintable() or not text or len(text) > 64 or " " in text:
        return "it is empty, over 64 characters, or holds whitespace, a control or a non-ASCII character"
    try:
        parsed = Version(text)
    except InvalidVersion:
        return "it is not a version number at all"
    kinds = {"a pre-release (alpha, beta or rc)": parsed.pre, "a development release (.dev)": parsed.dev,
             "a post-release (.post)": parsed.post, "a local version (+...), which PyPI refuses": parsed.local,
             "a version with an epoch (N!)": parsed.epoch or None}
    kind = next((kind for kind, part in kinds.items() if part is not None), None)
    if kind is not None:
        return f"it is {kind}; only stable X.Y.Z releases are published"
    if len(parsed.release) != 3 or any(part > 999_999_999 for part in parsed.release):
        return f"it has {len(parsed.release)} components, not 3 of at most 9 digits"
    if str(parsed) != text:
        return f"it is not in canonical form (leading zeros or other spelling; canonical: {parsed})"
    return None


def requires_python_floor(requires: str) -> int | None:
    """X of requires-python '>=3.X', or None: read by the build's own function (src/castagnoli_build.py, which
    tags the wheel cp3X-abi3), so the check expects the tag the build gives."""
    spec = importlib.util.spec_from_file_location("castagnoli_build", BUILD_MODULE)
    assert spec is not None and spec.loader is not None, BUILD_MODULE
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    floor = build.requires_python_floor(requires)
    return floor if isinstance(floor, int) else None


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def load_release(path: Path) -> tuple[Release | None, list[str]]:
    """The release pyproject.toml at `path` describes, or the problems."""
    try:  # the guard of this boundary: a missing, unreadable, oversized, non-UTF-8 or non-TOML file alike
        with path.open("rb") as handle:
            raw = handle.read(MAX_PYPROJECT_BYTES + 1)
        if len(raw) > MAX_PYPROJECT_BYTES:
            raise ValueError(f"over {MAX_PYPROJECT_BYTES} bytes")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError and TOMLDecodeError are ValueErrors
        reason = getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
        return None, [f"{shown(path)} cannot be read as a pyproject.toml ({shown(reason)[1:-1]}): expected the "
                      "project's UTF-8 TOML file; run from the project's root, or pass --pyproject FILE"]
    problems = []
    version = _get(data, "project", "version")
    problem = version_form_problem(version) if isinstance(version, str) else "it is not a static string"
    if problem is not None:
        problems.append(f"{shown(path)} [project] version is {shown(version)}: expected a stable X.Y.Z written by "
                        f"hand, but {problem}; set version = \"X.Y.Z\" (not dynamic) and commit before tagging")
    requires = _get(data, "project", "requires-python")
    floor = requires_python_floor(requires) if isinstance(requires, str) else None
    if floor is None:
        problems.append(f"{shown(path)} requires-python is {shown(requires)}: expected '>=3.X' (X >= 11), the "
                        "limited API the extension is built against; fix [project] requires-python")
    image = _get(data, "tool", "cibuildwheel", "linux", "manylinux-x86_64-image")
    if not isinstance(image, str) or re.fullmatch(r"manylinux_2_[0-9]{1,3}", image) is None:
        problems.append(f"{shown(path)} [tool.cibuildwheel.linux] manylinux-x86_64-image is {shown(image)}: "
                        "expected a manylinux_2_NN image name; set it")
    source = _get(data, "project", "urls", "Source")
    repository = GITHUB_URL.fullmatch(source) if isinstance(source, str) else None
    if repository is None:
        problems.append(f"{shown(path)} [project.urls] Source is {shown(source)}: expected "
                        "https://github.com/OWNER/NAME, the repository whose publish.yml publishes; set it")
    if problems or repository is None or not isinstance(version, str):
        return None, problems
    platforms = (Platform("linux", f"{image}_x86_64", f"{PROJECT}/_crc32c.abi3.so"),
                 Platform("windows", "win_amd64", f"{PROJECT}/_crc32c.pyd"))
    return Release(version, f"cp3{floor}", platforms, repository[1]), []
