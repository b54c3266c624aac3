#!/usr/bin/env python3
"""cibuildwheel's Windows repair step: check the extension needs only Windows and Python, then keep the wheel.

    repair_windows_wheel.py WHEEL DEST_DIR

delvewheel vendors the DLLs an extension module needs and rewrites the wheel;
castagnoli's extension is built with the static MSVC runtime, so there is
nothing to vendor, and an untouched wheel stays reproducible. This step proves
it: it reads the import table of every .pyd and .dll in the wheel (with pefile)
and fails, naming the file, if any imports something a clean Windows with
CPython does not have (e.g. VCRUNTIME140.dll from a dynamic runtime).
The wheel is then copied unchanged to DEST_DIR.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pefile  # type: ignore[import-untyped]

# DLLs every supported Windows has, and the stable-ABI Python DLL every CPython
# ships. The dynamic C runtime (vcruntime*, msvcp*) is deliberately absent: the
# extension links it statically (CMakeLists.txt).
SYSTEM_DLLS = frozenset({"kernel32.dll", "ntdll.dll", "user32.dll", "advapi32.dll", "msvcrt.dll", "ucrtbase.dll",
                         "python3.dll"})
SYSTEM_PREFIXES = ("api-ms-win-",)


def dll_imports(data: bytes) -> list[str]:
    """The DLL names in a PE file's import table."""
    pe = pefile.PE(data=data, fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
    return [entry.dll.decode("ascii") for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])]


def import_problems(member: str, imports: Sequence[str]) -> list[str]:
    """Imports of `member` that Windows does not provide by itself."""
    foreign = sorted(name for name in imports
                     if name.lower() not in SYSTEM_DLLS and not name.lower().startswith(SYSTEM_PREFIXES))
    if not foreign:
        return []
    return [f"{member} imports {', '.join(foreign)}: expected Windows system DLLs only; build with the static "
            "MSVC runtime (CMAKE_MSVC_RUNTIME_LIBRARY in CMakeLists.txt) so the wheel needs nothing else"]


def wheel_problems(wheel: Path) -> tuple[int, list[str]]:
    """How many DLLs the wheel holds, and the problems with their imports."""
    problems: list[str] = []
    count = 0
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.lower().endswith((".dll", ".pyd")):
                count += 1
                try:
                    problems += import_problems(member, dll_imports(zf.read(member)))
                except pefile.PEFormatError as exc:
                    problems.append(f"{member} is not a valid DLL ({exc}): expected a PE image; rebuild the wheel")
    if count == 0:
        problems.append(f"{wheel.name} holds no .pyd or DLL: expected castagnoli/_crc32c.pyd; rebuild the wheel")
    return count, problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("wheel", type=Path, help="the wheel cibuildwheel built ({wheel})")
    parser.add_argument("dest_dir", type=Path, help="where the repaired wheel goes ({dest_dir})")
    args = parser.parse_args(argv)
    try:
        count, problems = wheel_problems(args.wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        problems = [f"{args.wheel} cannot be read ({exc}): expected a wheel"]
        count = 0
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    args.dest_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(args.wheel, args.dest_dir / args.wheel.name)
    print(f"{args.wheel.name}: {count} binary(ies) need only Windows system DLLs and python3.dll; wheel kept unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
