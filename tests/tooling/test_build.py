"""The build: the host wheel's shape, reproducible bytes, and cibuildwheel's plan (one wheel per OS)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from conftest import RELEASE, ROOT, build_host_wheel, built_once, clone_project, mingw_cmake_build

from scripts import config
from scripts.__main__ import main



def build_module() -> ModuleType:
    """src/castagnoli_build.py, the setuptools wiring (not installed: it runs inside the build backend)."""
    spec = importlib.util.spec_from_file_location("castagnoli_build", ROOT / "src" / "castagnoli_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_host_wheel_is_the_abi3_manylinux_release_wheel(host_wheel: Path) -> None:
    assert host_wheel.name == RELEASE.wheel_name(RELEASE.platform("linux"))
    with zipfile.ZipFile(host_wheel) as zf:
        names = set(zf.namelist())
    assert {"castagnoli/__init__.py", "castagnoli/_crc32c.abi3.so", "castagnoli/_crc32c.pyi",
            "castagnoli/py.typed"} <= names


@pytest.fixture(scope="session")
def clone_and_wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh clone of HEAD at a deeper path than the checkout, and the first wheel built in it."""
    def build(where: Path) -> Path:
        return build_host_wheel(where / "dist", root=clone_project(where / "deeper" / "castagnoli"))

    wheel = built_once(tmp_path_factory, "clone-and-wheel", build)
    return wheel.parent.parent / "deeper" / "castagnoli", wheel


def test_same_commit_in_two_clones_at_different_paths_gives_identical_wheels(
        tmp_path: Path, host_wheel: Path, clone_and_wheel: tuple[Path, Path]) -> None:
    # the suite's host wheel is the other build when this checkout is the commit (CI's fresh clone)
    changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    other = build_host_wheel(tmp_path / "dist", root=clone_project(tmp_path / "a")) if changed else host_wheel
    assert clone_and_wheel[1].name == other.name
    assert sha256(clone_and_wheel[1]) == sha256(other)


def test_the_wheel_timestamps_are_the_commit_time(host_wheel: Path) -> None:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or subprocess.run(
        ["git", "log", "-1", "--format=%ct", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    commit = time.gmtime(epoch)
    with zipfile.ZipFile(host_wheel) as zf:
        stamps = {info.date_time for info in zf.infolist()}
    assert stamps == {(*commit[:5], commit.tm_sec - commit.tm_sec % 2)}  # zip keeps even seconds


def test_rebuilding_replaces_older_wheels_and_drops_deleted_modules(tmp_path: Path,
                                                                   clone_and_wheel: tuple[Path, Path]) -> None:
    clone = clone_and_wheel[0]  # built once already: its build tree is what could keep a deleted module
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "castagnoli-0.0.1-cp311-abi3-manylinux_2_28_x86_64.whl").write_bytes(b"old")
    doomed = clone / "src" / "castagnoli" / "doomed.py"
    doomed.write_text("")
    try:
        with zipfile.ZipFile(build_host_wheel(dist, root=clone)) as zf:
            assert "castagnoli/doomed.py" in zf.namelist()
    finally:
        doomed.unlink()
    wheel = build_host_wheel(dist, root=clone)
    assert sorted(p.name for p in dist.iterdir()) == [wheel.name]
    with zipfile.ZipFile(wheel) as zf:
        assert "castagnoli/doomed.py" not in zf.namelist()


def test_the_mingw_dll_is_werror_clean_and_identical_when_built_twice(tmp_path: Path, windows_dll: Path) -> None:
    # windows_dll (conftest) is the first build, in another directory
    assert sha256(mingw_cmake_build(tmp_path / "two" / "deeper")) == sha256(windows_dll)


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_cibuildwheel_builds_one_abi3_wheel_and_tests_it_on_every_cpython(platform: str) -> None:
    identifiers = subprocess.run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers",
                                  "--platform", platform], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split()
    suffix = "manylinux_x86_64" if platform == "linux" else "win_amd64"
    assert identifiers[0] == f"{RELEASE.python_tag}-{suffix}"  # built once, as abi3
    assert all(i.endswith(suffix) and not i.split("-")[0].endswith("t") for i in identifiers)
    assert len(identifiers) >= 4  # 3.11 ... 3.14 at least: the same wheel tested on each


def test_wheels_stops_at_once_without_a_container_engine(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIBW_CONTAINER_ENGINE", "no-such-engine")
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux builds in containers")
    assert main(["wheels", "--output-dir", "unused"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "make wheel" in err and err.count("\n") == 1


def test_a_cmake_tree_configured_elsewhere_is_rebuilt_not_refused(tmp_path: Path) -> None:
    # `make wheels` after `make wheel`: cibuildwheel copies build/ into its container, at another path
    stale_cache = build_module().stale_cache

    for home, kept in [("/somewhere/else", False), (str(ROOT), True)]:
        tree = tmp_path / ("kept" if kept else "stale")
        tree.mkdir()
        (tree / "CMakeCache.txt").write_text(f"CMAKE_HOME_DIRECTORY:INTERNAL={home}\n")
        stale_cache(tree)
        assert tree.exists() == kept, home


@pytest.mark.parametrize(("platform", "generator", "expected"), [
    ("win32", "", ["-A", "x64"]), ("win32", "Visual Studio 18 2026", ["-A", "x64"]), ("win32", "Ninja", []),
    ("linux", "", []),
])
def test_the_windows_platform_is_passed_only_to_visual_studio_generators(platform: str, generator: str,
                                                                         expected: list[str]) -> None:
    platform_args = build_module().platform_args

    assert platform_args(platform, generator) == expected


def test_a_32_bit_or_free_threaded_python_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    castagnoli_build = build_module()

    assert castagnoli_build.unsupported_build() is None
    monkeypatch.setattr(castagnoli_build.sysconfig, "get_config_var", lambda name: 1)
    assert "free-threaded" in (castagnoli_build.unsupported_build() or "")
    monkeypatch.setattr(castagnoli_build.struct, "calcsize", lambda fmt: 4)
    assert "64-bit Pythons only" in (castagnoli_build.unsupported_build() or "")


@pytest.mark.parametrize("requires", [">=3.11", ">= 3.12", " >=3.13 ", ">=3.10", ">3.11", ">=3.11,<4", ">=3.12.0",
                                      "~=3.11", ">=4.0", "", "3.11", ">=3.x"])
def test_the_release_check_reads_requires_python_with_the_builds_own_function(requires: str, pyproject: Path) -> None:
    floor = build_module().requires_python_floor(requires)
    assert (floor is not None) == (requires.strip().replace(" ", "") in (">=3.11", ">=3.12", ">=3.13"))
    text = pyproject.read_text()
    assert 'requires-python = ">=3.11"' in text
    pyproject.write_text(text.replace('requires-python = ">=3.11"', f"requires-python = {requires!r}"))
    release, problems = config.load_release(pyproject)
    assert (release.python_tag if release else None) == (f"cp3{floor}" if floor else None), problems
