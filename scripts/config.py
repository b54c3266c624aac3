"""What a castagnoli release is, derived from pyproject.toml alone.

The version is [project] version; the wheel tag is cpXY-abi3 with XY the floor
of requires-python (the limited API the extension is built against); the Linux
platform tag is the manylinux image cibuildwheel builds in. Nothing here is a
second copy of those settings: change pyproject.toml and every check follows.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .text import shown

PROJECT = "castagnoli"
MAX_PYPROJECT_BYTES = 1 << 20
BUILD_MODULE = Path(__file__).resolve().parents[1] / "src" / "castagnoli_build.py"


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

    if text == "":
        return "it is empty"
    if not text.isascii() or not text.isprintable() or any(ch.isspace() for ch in text):
        return "it contains whitespace, a control or a non-ASCII character"
    if len(text) > 64:
        return "it is longer than any version number (64 characters at most)"
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
    if any(part > 999_999_999 for part in parsed.release):
        return "a component has more than 9 digits"
    if str(parsed) != text:
        return f"it is not in canonical form (leading zeros or other spelling; canonical: {parsed})"
    return None


def requires_python_floor(requires: str) -> int | None:
    """X of requires-python '>=3.X', or None: read by the build's own function (src/castagnoli_build.py, which
    tags the wheel cp3X-abi3), loaded from this checkout, so the check expects the tag the build gives."""
    floor = _build_module().requires_python_floor(requires)
    return floor if isinstance(floor, int) else None


@functools.cache
def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("castagnoli_build", BUILD_MODULE)
    assert spec is not None and spec.loader is not None, BUILD_MODULE
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def read_pyproject(path: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The parsed pyproject.toml, or None and why it could not be read."""
    fix = "run it from the project's root, where pyproject.toml is (python -m scripts also takes --pyproject FILE)"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PYPROJECT_BYTES + 1)
    except FileNotFoundError:
        return None, [f"{shown(path)} does not exist: expected the project's pyproject.toml; {fix}"]
    except OSError as exc:
        return None, [f"{shown(path)} cannot be read ({exc.strerror or exc.__class__.__name__}): "
                      f"expected a readable file; {fix}"]
    if len(data) > MAX_PYPROJECT_BYTES:
        return None, [f"{shown(path)} is over {MAX_PYPROJECT_BYTES} bytes: expected a pyproject.toml; {fix}"]
    try:
        return tomllib.loads(data.decode("utf-8")), []
    except UnicodeDecodeError:
        return None, [f"{shown(path)} is not UTF-8: expected a UTF-8 TOML file; {fix}"]
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return None, [f"{shown(path)} is not valid TOML ({shown(str(exc))}): expected a TOML document; fix it"]


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        value = data.get(key)
        data = value if isinstance(value, dict) else {}
    return data


def project_version(data: dict[str, Any], path: Path) -> tuple[str | None, list[str]]:
    """The static stable [project] version, or the problems."""
    project = data.get("project")
    if not isinstance(project, dict):
        return None, [f"{shown(path)} has no [project] table: expected [project] with version = \"X.Y.Z\""]
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "version" in dynamic:
        return None, [f"{shown(path)} declares the version dynamic: expected a static version = \"X.Y.Z\" "
                      "in [project]; remove 'version' from dynamic and write it by hand"]
    version = project.get("version")
    if not isinstance(version, str):
        found = "no version" if version is None else f"a {type(version).__name__}"
        return None, [f"{shown(path)} [project] has {found}: expected version = \"X.Y.Z\"; write it in [project]"]
    problem = version_form_problem(version)
    if problem is not None:
        return None, [f"{shown(path)} [project] version {shown(version)}: expected a stable X.Y.Z, but {problem}; "
                      "set version = \"X.Y.Z\" and commit before tagging"]
    return version, []


def load_release(path: Path) -> tuple[Release | None, list[str]]:
    """The release pyproject.toml at `path` describes, or the problems."""
    data, problems = read_pyproject(path)
    if data is None:
        return None, problems
    version, problems = project_version(data, path)
    requires = _table(data, "project").get("requires-python")
    floor = requires_python_floor(requires) if isinstance(requires, str) else None
    if floor is None:
        problems.append(f"{shown(path)} requires-python is {shown(requires)}: expected '>=3.X' (X >= 11), the "
                        "limited API the extension is built against; fix [project] requires-python")
    image = _table(data, "tool", "cibuildwheel", "linux").get("manylinux-x86_64-image")
    if not isinstance(image, str) or re.fullmatch(r"manylinux_2_[0-9]{1,3}", image) is None:
        problems.append(f"{shown(path)} [tool.cibuildwheel.linux] manylinux-x86_64-image is {shown(image)}: "
                        "expected a manylinux_2_NN image name; set it")
    source = _table(data, "project", "urls").get("Source")
    repository = re.fullmatch(r"https://github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100})/?",
                              source) if isinstance(source, str) else None
    if repository is None:
        problems.append(f"{shown(path)} [project.urls] Source is {shown(source)}: expected "
                        "https://github.com/OWNER/NAME, the repository whose publish.yml publishes; set it")
    if version is None or floor is None or repository is None or problems:
        return None, problems
    assert isinstance(image, str)
    platforms = (
        Platform("linux", f"{image}_x86_64", f"{PROJECT}/_crc32c.abi3.so"),
        Platform("windows", "win_amd64", f"{PROJECT}/_crc32c.pyd"),
    )
    return Release(version, f"cp3{floor}", platforms, repository[1]), []
