"""The build: the real wheel's name, tags and layout; installs (regular and editable); cibuildwheel's plan."""

from __future__ import annotations

import ctypes
import re
import os
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, VERSION
from packaging.utils import parse_wheel_filename

from check_release import PLATFORMS


def test_host_wheel_is_named_and_tagged_py3_none_manylinux(host_wheel: Path) -> None:
    name, version, build, tags = parse_wheel_filename(host_wheel.name)
    assert (name, str(version), build) == ("castagnoli", VERSION, ())
    assert {(t.interpreter, t.abi) for t in tags} == {("py3", "none")}
    assert any(PLATFORMS["linux"].tag.fullmatch(t.platform) for t in tags)
    assert not any(t.platform in ("linux_x86_64", "any") for t in tags)


def test_host_wheel_puts_the_library_in_platlib_inside_the_package(host_wheel: Path) -> None:
    with zipfile.ZipFile(host_wheel) as zf:
        names = zf.namelist()
        wheel_file = zf.read(f"castagnoli-{VERSION}.dist-info/WHEEL").decode()
    assert "castagnoli/libcastagnoli.so" in names
    assert not any(".data/" in n for n in names)
    assert "Root-Is-Purelib: false" in wheel_file
    tags = {line.split(": ")[1] for line in wheel_file.splitlines() if line.startswith("Tag: ")}
    assert tags == {str(t) for t in parse_wheel_filename(host_wheel.name)[3]}


def test_library_inside_the_wheel_reports_the_package_version(host_wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(host_wheel) as zf:
        zf.extract("castagnoli/libcastagnoli.so", tmp_path)
    lib = ctypes.CDLL(str(tmp_path / "castagnoli" / "libcastagnoli.so"))
    lib.castagnoli_version.restype = ctypes.c_char_p
    assert lib.castagnoli_version().decode() == VERSION
    lib.castagnoli_crc32c_update.restype = ctypes.c_uint32
    lib.castagnoli_crc32c_update.argtypes = (ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t)
    assert lib.castagnoli_crc32c_update(0, b"123456789", 9) == 0xE3069283


def test_library_exports_only_the_api(host_wheel: Path, tmp_path: Path) -> None:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is not installed")
    with zipfile.ZipFile(host_wheel) as zf:
        zf.extract("castagnoli/libcastagnoli.so", tmp_path)
    out = subprocess.run([nm, "-D", "--defined-only", str(tmp_path / "castagnoli" / "libcastagnoli.so")],
                         capture_output=True, text=True, check=True).stdout
    exported = {line.split()[-1] for line in out.splitlines() if " T " in line}
    assert exported == {"castagnoli_crc32c_update", "castagnoli_version"}


def test_auditwheel_accepts_the_wheel(host_wheel: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(host_wheel)],
                         capture_output=True, text=True, check=True).stdout
    assert "manylinux_" in out
    assert "is consistent with the following platform tag" in out


def _fresh_venv(path: Path) -> Path:
    venv.create(path, with_pip=True)
    return path / ("Scripts" if os.name == "nt" else "bin") / "python"


def test_wheel_installs_in_a_fresh_venv_and_passes_the_package_tests(host_wheel: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    subprocess.run([python, "-m", "pip", "install", "--quiet", host_wheel, "pytest", "crc32c"], check=True)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    result = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", ROOT / "tests" / "package"],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "skipped" not in result.stdout


def test_editable_install_builds_the_library_into_the_source_package(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    copy = tmp_path / "checkout"
    for rel in tracked.splitlines():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, copy / rel)
    python = _fresh_venv(tmp_path / "venv")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-e", copy], check=True)
    assert (copy / "src" / "castagnoli" / "libcastagnoli.so").is_file()
    out = subprocess.run([python, "-c", "import castagnoli; print(castagnoli.__file__, castagnoli.native_version())"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(copy / "src" / "castagnoli" / "__init__.py"), VERSION]


def _identifiers(platform: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers",
                             "--platform", platform], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_cibuildwheel_builds_exactly_one_wheel_per_os(platform: str) -> None:
    assert len(_identifiers(platform)) == 1


def test_release_platforms_agree_with_cibuildwheel_build_identifiers() -> None:
    planned = {p.cibw_platform: p for p in PLATFORMS.values()}
    assert set(planned) == {"linux", "windows"}
    for cibw_platform, platform in planned.items():
        (identifier,) = _identifiers(cibw_platform)
        python, cibw_build = identifier.split("-", 1)
        assert cibw_build == platform.cibw_build
        assert python == "cp310"  # the oldest supported CPython: the py3-none wheel is tested on it


def _pyproject() -> dict[str, Any]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_cibuildwheel_runs_only_the_package_tests_against_the_installed_wheel() -> None:
    config = _pyproject()["tool"]["cibuildwheel"]
    assert config["test-sources"] == ["tests/package"]
    assert "tests/package" in config["test-command"] and "tests/tooling" not in config["test-command"]


def test_cibuildwheel_tests_the_wheel_on_every_supported_cpython() -> None:
    project = _pyproject()["project"]
    supported = sorted(c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                       if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert f">={supported[0]}" == project["requires-python"]
    command = _pyproject()["tool"]["cibuildwheel"]["test-command"]
    built_on = "3." + _identifiers("linux")[0].split("-")[0][3:]  # cp310 -> 3.10
    others = command.split("{wheel}", 1)[1].split()
    assert sorted([built_on, *others], key=lambda v: tuple(map(int, v.split(".")))) == \
        sorted(supported, key=lambda v: tuple(map(int, v.split("."))))


def _runs_somewhere_on_path(name: str) -> bool:
    """True when some `name` on PATH starts (a pyenv shim for an unselected version does not)."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        exe = Path(folder) / name
        if exe.is_file() and subprocess.run([exe, "-c", "pass"], capture_output=True).returncode == 0:
            return True
    return False


def test_other_pythons_runner_runs_the_package_tests_on_another_cpython(host_wheel: Path, tmp_path: Path) -> None:
    """tests/package/on_other_pythons.py, as cibuildwheel calls it, on a CPython other than this one."""
    if shutil.which("uv") is None:
        pytest.skip("uv is not installed")
    other = next((f"3.{minor}" for minor in range(10, 15) if minor != sys.version_info.minor
                  and _runs_somewhere_on_path(f"python3.{minor}")), None)
    if other is None:
        pytest.skip("no other CPython on PATH")
    tests = tmp_path / "test_cwd" / "tests"
    shutil.copytree(ROOT / "tests" / "package", tests / "package")  # what test-sources does
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    result = subprocess.run([sys.executable, tests / "package" / "on_other_pythons.py", host_wheel, other],
                            cwd=tmp_path / "test_cwd", env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"package tests on CPython {other}" in result.stdout and " passed" in result.stdout


def test_wheels_env_stops_at_once_without_a_container_engine(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("containers are needed only for Linux wheels")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "docker").write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    (fake / "docker").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CIBW_CONTAINER_ENGINE", None)
    start = time.monotonic()
    result = subprocess.run([sys.executable, ROOT / "scripts" / "build_wheels.py", "--output-dir", tmp_path / "out"],
                            env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cibuildwheel needs a container engine") and "make wheel" in line
    assert not (tmp_path / "out").exists()
    print(f"stopped in {elapsed:.2f} s")  # measured in make bench; no timed assertion here
