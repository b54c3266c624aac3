"""setuptools wiring that builds the native core with CMake (named in setup.cfg).

Not part of the installed package: it runs only inside the build backend.

- ``build_py`` configures and builds CMakeLists.txt with the cmake from the
  build requirements, passing the package version, and puts the shared library
  inside the package: in the build tree for a wheel, in ``src/castagnoli/``
  for an editable install.
- ``bdist_wheel`` marks the distribution as platform-specific (so the library
  lands in platlib and ``Root-Is-Purelib`` is false) and tags the wheel
  ``py3-none-<platform>``: the library is loaded with ctypes, so it does not
  depend on the Python ABI.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools.command.build_py import build_py
from setuptools.command.bdist_wheel import bdist_wheel

PACKAGE = "castagnoli"
ROOT = Path(__file__).resolve().parent.parent


def library_filename() -> str:
    """The library's file name, as the package itself computes it when loading."""
    spec = importlib.util.spec_from_file_location("_castagnoli_native", ROOT / "src" / PACKAGE / "_native.py")
    assert spec is not None and spec.loader is not None
    native = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(native)
    return str(native.library_filename())


def _cmake() -> str:
    import cmake  # the build requirement, not whatever is on PATH

    return str(Path(cmake.CMAKE_BIN_DIR) / "cmake")


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        version = self.distribution.get_version()
        build_temp = Path(self.get_finalized_command("build").build_temp) / "cmake"
        if self.editable_mode:
            destination = ROOT / "src" / PACKAGE
        else:
            destination = Path(self.build_lib) / PACKAGE
        library = self._build_native(version, build_temp)
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, destination / library.name)

    def _build_native(self, version: str, build_temp: Path) -> Path:
        configure = [_cmake(), "-S", str(ROOT), "-B", str(build_temp),
                     f"-DCASTAGNOLI_VERSION={version}", "-DCMAKE_BUILD_TYPE=Release"]
        if sys.platform == "win32":
            configure += ["-A", "x64"]
        subprocess.run(configure, check=True)
        subprocess.run([_cmake(), "--build", str(build_temp), "--config", "Release",
                        "--parallel", str(os.cpu_count() or 1)], check=True)
        library = build_temp / "out" / library_filename()
        if not library.is_file():
            raise RuntimeError(f"CMake finished but {library} is missing")
        return library


class BdistWheel(bdist_wheel):
    def finalize_options(self) -> None:
        # Platform-specific content: install into platlib, Root-Is-Purelib false.
        self.distribution.has_ext_modules = lambda: True  # type: ignore[method-assign]
        super().finalize_options()

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform
