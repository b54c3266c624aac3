#!/usr/bin/env python3
"""cibuildwheel's Windows repair step: check the extension needs only Windows and Python, then keep the wheel.

    repair_windows_wheel.py WHEEL DEST_DIR

castagnoli's extension links the MSVC runtime statically (CMakeLists.txt), so there is nothing for delvewheel
to vendor, and an untouched wheel stays reproducible. This proves it: every .pyd and .dll in the wheel may
import only DLLs a clean Windows with CPython has (pefile reads the import tables), else one error line names
the file; then the wheel is copied unchanged to DEST_DIR.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pefile  # type: ignore[import-untyped]

# DLLs every supported Windows has, and the stable-ABI Python DLL; the dynamic C runtime (vcruntime*,
# msvcp*) is deliberately absent
SYSTEM_DLLS = frozenset({"kernel32.dll", "ntdll.dll", "user32.dll", "advapi32.dll", "msvcrt.dll", "ucrtbase.dll",
                         "python3.dll"})


def wheel_problems(wheel: Path) -> tuple[int, list[str]]:
    """How many DLLs the wheel holds, and what they import beyond Windows and python3.dll."""
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as zf:
        binaries = [member for member in zf.namelist() if member.lower().endswith((".dll", ".pyd"))]
        for member in binaries:
            try:
                pe = pefile.PE(data=zf.read(member), fast_load=True)
                pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
            except pefile.PEFormatError as exc:
                problems.append(f"{member} is not a valid DLL ({exc}): expected a PE image; rebuild the wheel")
                continue
            foreign = sorted(name for entry in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
                             if (name := entry.dll.decode("ascii")).lower() not in SYSTEM_DLLS
                             and not name.lower().startswith("api-ms-win-"))
            if foreign:
                problems.append(f"{member} imports {', '.join(foreign)}: expected Windows system DLLs only; build "
                                "with the static MSVC runtime (CMAKE_MSVC_RUNTIME_LIBRARY in CMakeLists.txt)")
    if not binaries:
        problems.append(f"{wheel.name} holds no .pyd or DLL: expected castagnoli/_crc32c.pyd; rebuild the wheel")
    return len(binaries), problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the wheel cibuildwheel built ({wheel})")
    parser.add_argument("dest_dir", type=Path, help="where the repaired wheel goes ({dest_dir})")
    args = parser.parse_args(argv)
    try:
        count, problems = wheel_problems(args.wheel)
    except (OSError, zipfile.BadZipFile) as exc:
        count, problems = 0, [f"{args.wheel} cannot be read ({exc}): expected a wheel"]
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
